"""``coparent_import_job ID``: the worker of one Data page import (`coparent.app.imports.jobs`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coparent.app.imports.jobs import import_job_run


class Command(BaseCommand):
    help = "Run one queued import job of the Data page (started by the page itself)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        job = import_job_run(options["job_id"])
        self.stdout.write(f"import job {job.pk}: {job.status}\n")
