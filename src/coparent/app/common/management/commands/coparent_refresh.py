"""``coparent_refresh``: run the post-import hooks (`coparent.app.common.hooks`); JSON out."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coparent.app.common.hooks import post_import_run


class Command(BaseCommand):
    help = "Recompute what the app derives from the facts (wins, report cache), as after an import."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run the wins engine anyway.")

    def handle(self, *args: Any, **options: Any) -> None:
        results = post_import_run(force=bool(options["force"]))
        self.stdout.write(json.dumps([r.to_dict() for r in results]) + "\n")
