from __future__ import annotations

from django.urls import path

from coparent.web.lists import views

app_name = "lists"
urlpatterns = [
    path("<str:metric>/", views.rows, name="rows"),
    path("<str:metric>/export/", views.export, name="export"),
]
