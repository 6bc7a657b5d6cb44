from __future__ import annotations

from django.urls import path

from coparent.web.wins import views

app_name = "wins"
urlpatterns = [
    path("", views.home, name="home"),
    path("kudos/", views.kudos, name="kudos"),
    path("refresh/", views.refresh, name="refresh"),
    path("balance/", views.balance, name="balance"),
]
