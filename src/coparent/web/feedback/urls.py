from __future__ import annotations

from django.urls import path

from coparent.web.feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.home, name="home"),
    path("insights/", views.insight_create, name="insight_create"),
    path("briefs/", views.brief_create, name="brief_create"),
    path("leads/<str:lead_id>/", views.lead, name="lead"),
    path("leads/<str:lead_id>/review/", views.lead_review, name="lead_review"),
    path("<int:item_id>/", views.item, name="item"),
    path("<int:item_id>/answer/", views.answer, name="answer"),
    path("<int:item_id>/close/", views.close, name="close"),
]
