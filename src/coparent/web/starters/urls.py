from __future__ import annotations

from django.urls import path

from coparent.web.starters import views

app_name = "starters"
urlpatterns = [
    path("", views.home, name="home"),
    path("winback/", views.winback_create, name="winback_create"),
    path("winback/<str:list_id>/<str:account_id>/assign/", views.assign, name="assign"),
    path("winback/<str:list_id>/<str:account_id>/contacted/", views.contacted, name="contacted"),
]
