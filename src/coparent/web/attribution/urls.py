from __future__ import annotations

from django.urls import path

from coparent.web.attribution import views

app_name = "attribution"
urlpatterns = [
    path("", views.home, name="home"),
]
