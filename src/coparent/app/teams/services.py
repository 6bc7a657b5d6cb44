"""Writes about people: company, invitations, roles, champions, links to warehouse people.

Every function is ``<entity>_<action>`` with keyword-only arguments and writes
inside one transaction. A request a user can fix raises Django's
`ValidationError` (shown on the form).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coparent.app.teams.models import (
    ApiToken,
    Company,
    Invitation,
    LoginFailure,
    Membership,
    Role,
    Team,
)

__all__ = [
    "API_TOKEN_PREFIX",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "champion_set",
    "company_update",
    "demo_users_create",
    "invitation_accept",
    "invitation_create",
    "login_failure_record",
    "login_failures_clear",
    "membership_update",
    "people_link",
    "user_create",
    "user_password_set",
]

INVITATION_DAYS = 14
DEMO_PASSWORD = "coparent-demo"  # documented; demo workspaces only
# username, role, team, (first name, last name) fallback, which warehouse person to be
DEMO_USERS: tuple[tuple[str, str, str, str], ...] = (
    ("ceo", Role.OWNER, "", "CEO"),
    ("sales-lead", Role.CHAMPION, Team.SALES, "Head of Sales"),
    ("marketing-lead", Role.CHAMPION, Team.MARKETING, "Head of Marketing"),
    ("rep", Role.MEMBER, Team.SALES, "Sales rep"),
    ("marketer", Role.MEMBER, Team.MARKETING, "Marketer"),
    ("guest", Role.VIEWER, "", "Guest"),
)


def _check_role_team(role: str, team: str) -> None:
    if role not in Role.values:
        raise ValidationError(f"unknown role {role!r}", code="role")
    if role == Role.CHAMPION and team not in (Team.SALES, Team.MARKETING):
        raise ValidationError("a champion champions Sales or Marketing", code="team")
    if role == Role.MEMBER and team not in Team.values:
        raise ValidationError("a member belongs to sales, marketing or both", code="team")


@transaction.atomic
def company_update(*, name: str, single_team: bool) -> Company:
    company = Company.objects.order_by("pk").first() or Company()
    company.name = name.strip()
    company.single_team = single_team
    company.save()
    return company


@transaction.atomic
def invitation_create(*, invited_by: User | None, email: str, role: str, team: str) -> Invitation:
    team = "" if role in (Role.OWNER, Role.VIEWER) else team
    _check_role_team(role, team)
    now = timezone.now()
    return Invitation.objects.create(
        email=email.strip().lower(),
        role=role,
        team=team,
        token=secrets.token_urlsafe(32),
        invited_by=invited_by,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )


@transaction.atomic
def invitation_accept(
    *, token: str, username: str, password: str, first_name: str = "", last_name: str = ""
) -> AbstractBaseUser:
    """Create the invited user with the invitation's role; the link works once."""
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or invitation.accepted_at is not None:
        raise ValidationError("this invitation was already used or does not exist", code="used")
    if invitation.expires_at < timezone.now():
        raise ValidationError("this invitation has expired; ask the owner for a new one")
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "this username is taken"})
    user = User(
        username=username, email=invitation.email, first_name=first_name, last_name=last_name
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    role, team = invitation.role, invitation.team
    if role == Role.CHAMPION and Membership.objects.filter(role=role, team=team).exists():
        role = Role.MEMBER  # the team has its champion; the owner can hand the role over
    Membership.objects.create(user=user, role=role, team=team)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


@transaction.atomic
def membership_update(*, user_id: int, role: str, team: str) -> Membership:
    """Change a user's role and team; the last owner stays an owner."""
    team = "" if role in (Role.OWNER, Role.VIEWER) else team
    _check_role_team(role, team)
    membership, _ = Membership.objects.select_for_update().get_or_create(user_id=user_id)
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and not Membership.objects.filter(role=Role.OWNER).exclude(pk=membership.pk).exists()
    ):
        raise ValidationError("the company needs an owner: name another owner first")
    if role == Role.CHAMPION:
        Membership.objects.filter(role=Role.CHAMPION, team=team).exclude(pk=membership.pk).update(
            role=Role.MEMBER
        )
    membership.role = role
    membership.team = team
    membership.save()
    return membership


def champion_set(*, team: str, user_id: int) -> Membership:
    """Name the champion of ``team`` (the previous one becomes a member of it)."""
    return membership_update(user_id=user_id, role=Role.CHAMPION, team=team)


@transaction.atomic
def people_link(*, people: Iterable[Mapping[str, Any]]) -> int:
    """Link users to warehouse people with the same email; returns how many links changed."""
    by_email = {
        str(p["email"]).strip().lower(): str(p["person_id"])
        for p in people
        if p.get("email") and p.get("person_id")
    }
    changed = 0
    for m in Membership.objects.select_related("user").select_for_update():
        person = by_email.get((m.user.email or "").strip().lower(), "")
        if person and person != m.person_id:
            m.person_id = person
            m.save(update_fields=["person_id", "updated_at"])
            changed += 1
    return changed


@transaction.atomic
def login_failure_record(*, username: str, ip: str, at: datetime | None = None) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], ip=ip, at=at or timezone.now())


@transaction.atomic
def login_failures_clear(*, username: str, ip: str) -> None:
    LoginFailure.objects.filter(username=username.lower()[:150], ip=ip).delete()


def _demo_person(people: Sequence[Mapping[str, Any]], want: str) -> Mapping[str, Any] | None:
    active = [p for p in people if p.get("active", True)]
    titles = {
        "Head of Sales": ("head of sales", "head of growth"),
        "Head of Marketing": ("head of marketing", "growth marketer"),
        "Sales rep": ("account executive", "sales development"),
        "Marketer": ("demand generation", "content", "marketing"),
    }
    for needle in titles.get(want, ()):
        for p in active:
            if needle in str(p.get("title") or "").lower():
                return p
    return None


@transaction.atomic
def demo_users_create(
    *, people: Sequence[Mapping[str, Any]], single_team: bool, company_name: str
) -> list[dict[str, str]]:
    """The six demo users (password ``coparent-demo``), linked to demo people by title.

    Idempotent: existing demo users get their role, team and password back.
    """
    company_update(name=company_name, single_team=single_team)
    User = get_user_model()
    created = []
    used: set[str] = set()
    for username, role, team, want in DEMO_USERS:
        person = _demo_person([p for p in people if p.get("person_id") not in used], want)
        if person is not None:
            used.add(str(person["person_id"]))
        first, _, last = str(person["name"] if person else want).partition(" ")
        user, _ = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = str(person.get("email") or "") if person else f"{username}@example.com"
        user.set_password(DEMO_PASSWORD)
        user.save()
        member_team = Team.BOTH if single_team and role == Role.MEMBER else team
        Membership.objects.filter(user=user).delete()
        if role == Role.CHAMPION:
            Membership.objects.filter(role=Role.CHAMPION, team=team).update(role=Role.MEMBER)
        Membership.objects.create(
            user=user,
            role=role,
            team=member_team,
            person_id=str(person["person_id"]) if person else "",
        )
        created.append(
            {
                "username": username,
                "role": str(role),
                "team": str(member_team),
                "name": user.get_full_name(),
            }
        )
    return created


@transaction.atomic
def user_create(*, username: str, role: str, team: str, email: str, password: str) -> Membership:
    """A new user who can sign in at once, with a role and team (the first owner, say).

    The password must pass the same validators as a password change in the app;
    a user who already exists is refused rather than changed.
    """
    team = team or ""
    _check_role_team(role, team)
    if role == Role.OWNER and team:
        raise ValidationError("an owner belongs to no team", code="team")
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            f"a user named {username!r} exists already; "
            f"set a new password with coparent user set-password {username}",
            code="username",
        )
    if role == Role.CHAMPION and Membership.objects.filter(role=Role.CHAMPION, team=team).exists():
        raise ValidationError(f"{team} has a champion already; change roles in Setup", code="team")
    candidate = User(username=username, email=email)
    validate_password(password, candidate)
    candidate.set_password(password)
    candidate.full_clean(exclude=["password"])
    candidate.save()
    return Membership.objects.create(user=candidate, role=role, team=team)


@transaction.atomic
def user_password_set(*, username: str, password: str) -> None:
    """A new password for an existing user, checked by the app's validators."""
    User = get_user_model()
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        raise ValidationError(f"no user named {username!r}", code="username")
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


API_TOKEN_PREFIX = "cpt_"  # recognisable in logs and secret scanners
TOKEN_TOUCH_SECONDS = 300  # last_used_at moves at most every 5 minutes: one UPDATE, not per call


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, username: str, name: str) -> tuple[ApiToken, str]:
    """A new token for ``username``: the stored row, and the token itself (shown once)."""
    name = name.strip() or "API token"
    user = get_user_model().objects.filter(username__iexact=username).first()
    if user is None or not user.is_active:
        raise ValidationError(f"no active user named {username!r}", code="username")
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        digest=_digest(raw),
        prefix=raw[: len(API_TOKEN_PREFIX) + 6],
        created_at=timezone.now(),
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token_id: int, user: User | None = None) -> ApiToken:
    """Revoke a token (``user``: only one of theirs). Revoking twice keeps the first time."""
    found = ApiToken.objects.filter(pk=token_id)
    if user is not None:
        found = found.filter(user_id=user.pk)
    token = found.first()
    if token is None:
        raise ValidationError(f"no API token {token_id}", code="token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(raw: str, *, now: datetime | None = None) -> User | None:
    """The active user a presented token belongs to, or None (unknown, revoked, inactive).

    The one write is bookkeeping: ``last_used_at`` is moved by a single
    conditional UPDATE at most every `TOKEN_TOUCH_SECONDS`, so reads through
    the API stay reads in every other respect.
    """
    if not raw.startswith(API_TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = now or timezone.now()
    stale = now - timedelta(seconds=TOKEN_TOUCH_SECONDS)
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
    ).update(last_used_at=now)
    return token.user
