"""Reads for the Wins page and the scorecard: latest kudos."""

from __future__ import annotations

from django.db.models import QuerySet

from coparent.web.wins.models import Kudos

__all__ = ["kudos_recent"]


def kudos_recent(*, limit: int = 20) -> QuerySet[Kudos]:
    return Kudos.objects.select_related("author", "to_user").order_by("-created_at", "-pk")[:limit]
