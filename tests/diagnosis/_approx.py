"""Compare two reports (nested dicts and lists) with a float tolerance: sums may differ in
their last bits with the order rows are added in, on one backend or across backends."""

from __future__ import annotations

import math


def differences(a: object, b: object, *, rel: float = 1e-9, path: str = "") -> list[str]:
    """Where ``a`` and ``b`` differ beyond ``rel`` (relative, with abs ``rel`` near 0)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{path}: keys {sorted(a)} != {sorted(b)}"]
        return [d for k in a for d in differences(a[k], b[k], rel=rel, path=f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, rel=rel, path=f"{path}[{i}]")
        ]  # fmt: skip
    if isinstance(a, float) and isinstance(b, float | int) and not isinstance(b, bool):
        return [] if math.isclose(a, b, rel_tol=rel, abs_tol=rel) else [f"{path}: {a} != {b}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]
