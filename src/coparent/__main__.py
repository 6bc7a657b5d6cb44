"""``python -m coparent``: the same as the ``coparent`` command."""

from __future__ import annotations

from coparent.cli import main

main()
