from __future__ import annotations

from django.urls import path

from coparent.web.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.data, name="data"),
    path("jobs/<int:job_id>/", views.job, name="job"),
]
