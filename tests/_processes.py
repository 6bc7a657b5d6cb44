"""Running coparent as a user does, in processes of its own (Django is set up once per process).

One clean environment, one way to run a command, a free port and a wait for a
server, for the tests that start ``coparent`` as a separate process.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

__all__ = ["clean_env", "free_port", "run_coparent", "wait_until_serving"]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without COPARENT_*, DJANGO_* and DATABASE_URL, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COPARENT_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    return {**env, **extra}


def run_coparent(
    *args: str, stdin: str = "", check: bool = False, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """``python -m coparent ARGS`` in a clean environment; ``check`` asserts exit 0."""
    result = subprocess.run(
        [sys.executable, "-m", "coparent", *args],
        input=stdin,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def free_port() -> int:
    """A loopback port nothing listens on (bound, read, released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(base: str, proc: subprocess.Popen[bytes], *, seconds: float = 60) -> None:
    """Until ``base``'s sign-in page answers; fails (and kills ``proc``) if it never does."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(base + "/accounts/login/", timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail(f"coparent serve did not answer within {seconds:g} s")
            time.sleep(0.3)
