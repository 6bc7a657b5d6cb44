from __future__ import annotations

from django.urls import path

from coparent.web.digest import views

app_name = "digest"
urlpatterns = [
    path("", views.home, name="home"),
    path("send/", views.send, name="send"),
]
