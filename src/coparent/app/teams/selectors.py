"""Reads about people: members, champions, sign-in throttling, invitations."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from coparent.app.common.memo import memo
from coparent.app.teams.models import ApiToken, Invitation, LoginFailure, Membership, Role

__all__ = [
    "api_tokens_list",
    "champion_names",
    "invitations_open",
    "login_wait_seconds",
    "memberships_list",
    "owner_exists",
    "person_names",
    "users_list",
]


def memberships_list() -> QuerySet[Membership]:
    return Membership.objects.select_related("user").order_by("role", "team", "user__username")


def champion_names() -> dict[str, str]:
    """Side → the champion's name (sides without a champion are absent)."""
    return memo("champion_names", _champion_names)


def _champion_names() -> dict[str, str]:
    out = {}
    for m in Membership.objects.select_related("user").filter(role=Role.CHAMPION):
        out[m.team] = m.user.get_full_name() or m.user.get_username()
    return out


def person_names() -> dict[str, str]:
    """Warehouse person_id → the linked user's name (for crediting people on pages)."""
    return {
        m.person_id: (m.user.get_full_name() or m.user.get_username())
        for m in Membership.objects.select_related("user").exclude(person_id="")
    }


def invitations_open() -> QuerySet[Invitation]:
    return Invitation.objects.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


def login_wait_seconds(*, username: str, ip: str, now: datetime | None = None) -> int:
    """Seconds to wait before the next try; 0 when fewer than the allowed failures are recent."""
    now = now or timezone.now()
    window = timedelta(seconds=settings.COPARENT_LOGIN_WINDOW_SECONDS)
    recent = list(
        LoginFailure.objects.filter(
            username=username.lower()[:150], ip=ip, at__gt=now - window
        ).order_by("-at")[: settings.COPARENT_LOGIN_MAX_FAILURES]
    )
    if len(recent) < settings.COPARENT_LOGIN_MAX_FAILURES:
        return 0
    oldest = recent[-1].at
    return max(1, int((oldest + window - now).total_seconds()))


def owner_exists() -> bool:
    """Someone can sign in as owner (and so invite everyone else)."""
    return Membership.objects.filter(role=Role.OWNER, user__is_active=True).exists()


def users_list() -> list[dict[str, object]]:
    """Every user with their role and team; users without a membership read as viewers."""
    from django.contrib.auth import get_user_model

    members = {m.user_id: m for m in Membership.objects.all()}
    rows: list[dict[str, object]] = []
    for user in get_user_model().objects.order_by("username"):
        m = members.get(user.pk)
        rows.append(
            {
                "username": user.get_username(),
                "role": m.role if m else str(Role.VIEWER),
                "team": m.team if m else "",
                "email": user.email,
                "active": user.is_active,
                "last_login": user.last_login.isoformat() if user.last_login else None,
            }
        )
    return rows


def api_tokens_list(*, username: str | None = None) -> list[dict[str, object]]:
    """Tokens (never their secret), newest first; ``username`` limits them to one user."""
    found = ApiToken.objects.select_related("user")
    if username is not None:
        found = found.filter(user__username__iexact=username)
    return [
        {
            "id": t.pk,
            "username": t.user.get_username(),
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        }
        for t in found
    ]
