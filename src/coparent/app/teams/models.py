"""Who is who: the company, each user's role and team, invitations, failed sign-ins.

People in the warehouse (``people.person_id``) are facts; a `Membership`
links a user to one of them by natural id (matched on email).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    OWNER = "owner", "owner"
    CHAMPION = "champion", "champion"
    MEMBER = "member", "member"
    VIEWER = "viewer", "viewer"


class Team(models.TextChoices):
    SALES = "sales", "Sales"
    MARKETING = "marketing", "Marketing"
    BOTH = "both", "both"


class Company(models.Model):
    """The one company this app serves (a single row)."""

    name = models.CharField(max_length=200, blank=True, default="")
    single_team = models.BooleanField(
        default=False, help_text="One team holds both roles: no hand-off between teams."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name or "the company"


class Membership(models.Model):
    """A user's role, team and (optionally) the warehouse person they are."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    team = models.CharField(max_length=16, choices=Team.choices, blank=True, default="")
    person_id = models.CharField(max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["team"], condition=Q(role="champion"), name="one_champion_per_team"
            ),
            models.CheckConstraint(
                condition=~Q(role="champion") | Q(team__in=["sales", "marketing"]),
                name="champion_has_a_team",
            ),
        )

    def __str__(self) -> str:
        return f"{self.user} ({self.role}{', ' + self.team if self.team else ''})"


class Invitation(models.Model):
    """An owner's invitation: whoever opens the link before it expires creates the account."""

    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    team = models.CharField(max_length=16, choices=Team.choices, blank=True, default="")
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"invitation for {self.email} as {self.role}"


class LoginFailure(models.Model):
    """One failed sign-in, counted per username and address to throttle guessing."""

    username = models.CharField(max_length=150)
    ip = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = (models.Index(fields=["username", "ip", "at"]),)


class ApiToken(models.Model):
    """A personal token for scripts and BI tools: ``Authorization: Bearer <token>`` on /api/.

    Only a SHA-256 digest is kept (the token is 256 random bits, so a plain
    hash is enough); the token itself is shown once, when it is made. It acts
    with its user's role, through the same checks as the user's session.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    """The token's first characters, to tell tokens apart in a list."""
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"token {self.prefix}… of {self.user} ({self.name})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
