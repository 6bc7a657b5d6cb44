"""Give kudos: to a person, to a team, or to both teams."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coparent.web.teams.access import Actor
from coparent.web.wins.models import Kudos

__all__ = ["kudos_give"]


@transaction.atomic
def kudos_give(
    *,
    actor: Actor,
    message: str,
    to_user_id: int | None = None,
    to_team: str = "",
    now: datetime | None = None,
) -> Kudos:
    message = message.strip()
    if not message:
        raise ValidationError({"message": "say what you are thanking them for"})
    if to_user_id is None and not to_team:
        raise ValidationError("give kudos to a person or a team")
    to_user = None
    if to_user_id is not None:
        to_user = get_user_model().objects.filter(pk=to_user_id).first()
        if to_user is None:
            raise ValidationError({"to_user": "no such person"})
        if to_user.pk == getattr(actor.user, "pk", None):
            raise ValidationError({"to_user": "kudos go to someone else"})
    if to_team and to_team not in ("marketing", "sales", "both"):
        raise ValidationError({"to_team": "marketing, sales or both"})
    return Kudos.objects.create(
        author=actor.user,
        to_user=to_user,
        to_team=to_team,
        message=message[:500],
        created_at=now or timezone.now(),
    )
