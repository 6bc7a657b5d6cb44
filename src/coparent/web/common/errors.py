"""Errors the web layer adds to the tree (`coparent.errors`): a bad query parameter."""

from __future__ import annotations

from coparent.errors import CoparentError

__all__ = ["BadParameter"]


class BadParameter(CoparentError):
    """A page or API parameter that cannot be used (a period that does not parse...)."""

    code = "web.bad_parameter"
    status = 400

    def __init__(self, message: str, *, parameter: str, hint: str = "") -> None:
        super().__init__(f"{parameter}: {message}", hint=hint)
        self.parameter = parameter
