from __future__ import annotations

import coparent


def _isort_style(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: CONSTANTS, then Classes, then functions."""
    if name.isupper():
        return (0, name)
    return (1 if name[:1].isupper() else 2, name)


def test_all_is_sorted_and_every_name_exists() -> None:
    assert coparent.__all__ == sorted(coparent.__all__, key=_isort_style)
    for name in coparent.__all__:
        assert hasattr(coparent, name), name


def test_every_public_error_is_exported() -> None:
    from coparent import errors

    assert set(errors.__all__) <= set(coparent.__all__)
