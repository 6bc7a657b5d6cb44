"""Every deliberate error lives in the one tree of `coparent.errors`."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import coparent
from coparent import errors
from coparent.errors import CoparentError

# Settings, the URL conf and the WSGI entry configure Django or need it configured by them.
_NOT_IMPORTABLE_TWICE = ("coparent.web.settings", "coparent.web.urls", "coparent.web.wsgi")


def _modules() -> list[str]:
    return [
        m.name
        for m in pkgutil.walk_packages(coparent.__path__, "coparent.")
        if ".migrations" not in m.name
        and not m.name.endswith("__main__")
        and not m.name.startswith(
            ("coparent.web.settings", "coparent.web.urls", "coparent.web.wsgi")
        )
    ]


def test_no_module_defines_an_exception_outside_errors_py() -> None:
    import django
    from django.conf import settings

    assert settings.configured or django.setup() is None
    strays = []
    for name in _modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == name
                and name != "coparent.errors"
            ):
                strays.append(f"{name}.{attr}")
    assert strays == []


def test_every_error_in_the_tree_has_its_own_code_and_an_http_status() -> None:
    classes = [
        c for c in vars(errors).values() if inspect.isclass(c) and issubclass(c, CoparentError)
    ]
    assert sorted(c.__name__ for c in classes) == sorted(errors.__all__)
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes)), sorted(codes)
    for c in classes:
        assert 400 <= c.status < 600, c
        assert c.__name__ in errors.__all__, c
        assert c.__name__ in (errors.__doc__ or ""), f"{c.__name__} is missing from the tree"
