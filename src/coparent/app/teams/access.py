"""Roles and what each may do; every page and every POST goes through `page`.

    owner     everything, and the only one who sees Setup
    champion  one per team (named by the owner): acts for their team, imports data,
              assigns starter-project work
    member    acts for their team (``sales``, ``marketing`` or ``both``)
    viewer    reads every page except Setup; changes nothing

Acting "for a side" means answering what waits for that side and posting what
that side posts (Sales reviews MQLs and posts field insights, Marketing posts
campaign briefs). The owner acts for both sides; in single-team mode every
non-viewer does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Literal, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from coparent.app.teams.models import Company, Membership, Role

__all__ = [
    "CAPABILITIES",
    "SIDES",
    "Actor",
    "Capability",
    "Side",
    "actor_for",
    "page",
]

Side = Literal["marketing", "sales"]
SIDES: tuple[Side, ...] = ("marketing", "sales")
Capability = Literal[
    "view", "setup", "import", "contribute", "assign", "act_sales", "act_marketing"
]
CAPABILITIES: dict[Capability, str] = {
    "view": "any signed-in user",
    "setup": "the owner",
    "import": "the owner and the champions",
    "contribute": "anyone but a viewer",
    "assign": "the owner and the champions",
    "act_sales": "the owner and Sales (champion and members)",
    "act_marketing": "the owner and Marketing (champion and members)",
}

View = TypeVar("View", bound=Callable[..., HttpResponse])


@dataclass(frozen=True)
class Actor:
    """The signed-in user as the app sees them (role None: not signed in)."""

    user: Any
    role: str | None
    team: str = ""
    person_id: str = ""
    company: Company = field(default_factory=Company)

    @property
    def authenticated(self) -> bool:
        return self.role is not None

    @property
    def single_team(self) -> bool:
        return bool(self.company.single_team)

    @property
    def sides(self) -> frozenset[str]:
        """The sides this user acts for."""
        if self.role == Role.OWNER or (self.single_team and self.role in _ACTING):
            return frozenset(SIDES)
        if self.role in _ACTING:
            return frozenset(SIDES) if self.team == "both" else frozenset({self.team}) - {""}
        return frozenset()

    def may_act_for(self, side: str) -> bool:
        return side in self.sides

    def may(self, capability: Capability) -> bool:
        if self.role is None:
            return False
        if self.role == Role.OWNER:
            return True
        if capability == "view":
            return True
        if capability == "setup":
            return False
        if capability in ("import", "assign"):
            return self.role == Role.CHAMPION
        if capability == "contribute":
            return self.role in _ACTING
        if capability == "act_sales":
            return self.may_act_for("sales")
        if capability == "act_marketing":
            return self.may_act_for("marketing")
        raise ValueError(f"unknown capability {capability!r}")

    @property
    def side_labels(self) -> dict[str, str]:
        """How pages name the two sides: teams, or the two roles of one team."""
        if self.single_team:
            return {"marketing": "Marketing work", "sales": "Sales work"}
        return {"marketing": "Marketing", "sales": "Sales"}

    @property
    def display_name(self) -> str:
        if self.user is None or not self.authenticated:
            return ""
        return str(self.user.get_full_name() or self.user.get_username())


_ACTING = (Role.OWNER, Role.CHAMPION, Role.MEMBER)


def actor_for(request: HttpRequest) -> Actor:
    """The request's `Actor`, looked up once per request."""
    cached = getattr(request, "_coparent_actor", None)
    if cached is not None:
        return cast(Actor, cached)
    company = Company.objects.order_by("pk").first() or Company()
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        actor = Actor(user=user, role=None, company=company)
    else:
        membership = Membership.objects.filter(user=user).first()
        if membership is not None:
            actor = Actor(
                user=user,
                role=membership.role,
                team=membership.team,
                person_id=membership.person_id,
                company=company,
            )
        else:
            role = Role.OWNER if user.is_superuser else Role.VIEWER
            actor = Actor(user=user, role=role, company=company)
    request._coparent_actor = actor  # type: ignore[attr-defined]
    return actor


def _who_may(capability: Capability, actor: Actor) -> str:
    """Who has ``capability``, in the company's words (one team names no team apart)."""
    if actor.single_team and capability in ("act_sales", "act_marketing"):
        return "the owner and the team (champions and members)"
    return CAPABILITIES[capability]


def page(
    *,
    allow: Capability = "view",
    methods: tuple[str, ...] = ("GET",),
    post_allow: Capability | None = None,
) -> Callable[[View], View]:
    """Sign-in, method and role checks for a view, in that order.

    Not signed in: redirect to the login page. A method the view does not
    take: 405. A role without ``allow`` (``post_allow`` for a POST, when
    given): 403 (PermissionDenied).
    """
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            actor = actor_for(request)
            if not actor.authenticated:
                return redirect_to_login(request.get_full_path())
            if request.method not in allowed:
                return HttpResponseNotAllowed(sorted(allowed))
            needed = post_allow if post_allow and request.method == "POST" else allow
            if not actor.may(needed):
                raise PermissionDenied(f"this needs {_who_may(needed, actor)}")
            return view(request, *args, **kwargs)

        wrapper.coparent_access = (allow, post_allow, tuple(sorted(allowed)))  # type: ignore[attr-defined]
        return cast(View, wrapper)

    return decorate
