"""``/setup/``: the owner's page and its forms (company, people, champions, goals, SLA)."""

from __future__ import annotations

from django.urls import path

from coparent.web.goals import views as goals
from coparent.web.teams import views as teams

app_name = "setup"
urlpatterns = [
    path("", teams.setup_home, name="home"),
    path("company/", teams.company, name="company"),
    path("invite/", teams.invite, name="invite"),
    path("members/<int:user_id>/", teams.member, name="member"),
    path("champions/", teams.champion, name="champion"),
    path("people/link/", teams.people_link, name="people_link"),
    path("goals/", goals.goal, name="goal"),
    path("goals/<int:goal_id>/delete/", goals.goal_remove, name="goal_delete"),
    path("sla/", goals.sla, name="sla"),
]
