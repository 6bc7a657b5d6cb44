from __future__ import annotations

import coparent


def test_all_is_sorted_and_every_name_exists() -> None:
    assert coparent.__all__ == sorted(coparent.__all__)
    for name in coparent.__all__:
        assert hasattr(coparent, name), name


def test_every_public_error_is_exported() -> None:
    from coparent import errors

    assert set(errors.__all__) <= set(coparent.__all__)
