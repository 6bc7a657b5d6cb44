"""Logging filters for the app's console log."""

from __future__ import annotations

import logging

__all__ = ["OneLineForbidden"]


class OneLineForbidden(logging.Filter):
    """A 403 (a role meeting a page it may not see) is logged as one line, without a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
