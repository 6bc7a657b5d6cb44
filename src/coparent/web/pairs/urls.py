from __future__ import annotations

from django.urls import path

from coparent.web.pairs import views

app_name = "pairs"
urlpatterns = [
    path("", views.home, name="home"),
    path("next/", views.start, name="start"),
]
