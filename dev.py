#!/usr/bin/env python3
"""Set up everything and run coparent or its tests, on a machine with only Python 3.11+.

    python3 dev.py demo [DEMO OPTIONS]   # e.g. --scale medium --no-serve
    python3 dev.py test [PYTEST OPTIONS]
    python3 dev.py run COMMAND ...       # any command in the project environment
    python3 dev.py check                 # ruff, mypy, import-linter

It installs a pinned uv into .tools/ (standard library venv + pip), then lets uv
create .venv from uv.lock (--locked: the lock file is the truth) and run the
command there. Nothing outside the repository is touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools"
UV_VERSION = "0.13.9"


def _uv() -> Path:
    uv = TOOLS / "bin" / "uv"
    if uv.exists():
        return uv
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be run by an older python3
        sys.exit("coparent needs Python 3.11 or newer; run this script with it.")
    print(f"Installing uv {UV_VERSION} into {TOOLS} ...", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(TOOLS)
    subprocess.run(
        [
            str(TOOLS / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"uv=={UV_VERSION}",
        ],
        check=True,
    )
    return uv


def _run(*args: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    cmd = [str(_uv()), "run", "--locked", "--project", str(ROOT), *args]
    return subprocess.call(cmd, cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    what, rest = argv[0], argv[1:]
    if what == "demo":
        return _run("coparent", "demo", *rest)
    if what == "test":
        return _run("pytest", *rest)
    if what == "run":
        return _run(*rest)
    if what == "check":
        for cmd in (
            ["ruff", "check", "."],
            ["ruff", "format", "--check", "."],
            ["mypy"],
            ["lint-imports"],
        ):
            code = _run(*cmd)
            if code:
                return code
        return 0
    print(f"unknown command {what!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
