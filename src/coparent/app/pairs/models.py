"""Pairing rounds as they were announced: who met whom, and the agenda they were given.

A round is a decision people act on (a meeting in the calendar), so it is
stored as it was made, names and agenda included, and never recomputed: the
people table or the facts may change afterwards. The stored rounds are the
history `coparent.pairing.schedule.next_round` uses to avoid repeats.
Members are warehouse people (``people.person_id``); a user sees their own
pair through `Membership.person_id`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PairRound(models.Model):
    number = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    single_team = models.BooleanField(default=False)
    as_of = models.DateField(
        null=True, blank=True, help_text="Last day of the facts the agendas were drawn from."
    )
    notes = models.JSONField(default=list, help_text="What people should know about the round.")

    class Meta:
        ordering = ("-number",)

    def __str__(self) -> str:
        return f"round {self.number}"


class Pair(models.Model):
    """A pair (or trio) of one round: members in order (marketing side first), agenda lines."""

    round = models.ForeignKey(PairRound, on_delete=models.CASCADE, related_name="pairs")
    position = models.PositiveSmallIntegerField()
    members = models.JSONField(help_text="[{person_id, name, team, side}]")
    agenda = models.JSONField(default=list, help_text="Lines drawn from the data.")

    class Meta:
        ordering = ("round", "position")
        constraints = (
            models.UniqueConstraint(fields=["round", "position"], name="one_pair_per_position"),
        )

    def __str__(self) -> str:
        return " + ".join(m.get("name", "") for m in self.members)
