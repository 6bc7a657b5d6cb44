"""The production server of ``coparent serve``: slow clients, oversized requests, keep-alive,
static hits and misses, graceful restart and shutdown, a taken port.

One real server process for the module, on a copy of the demo workspace, with a
2-second header timeout and a 1 MB upload limit so the limits are quick to reach.
"""

from __future__ import annotations

import http.client
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._processes import clean_env, free_port, wait_until_serving
from tests.web.conftest import build_demo

HEADER_TIMEOUT = 2.0


def _start(ws: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "coparent",
            "serve",
            "-w",
            str(ws),
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env=clean_env(
            COPARENT_HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT), COPARENT_MAX_UPLOAD_MB="1"
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("server") / "ws", winback=False)


@pytest.fixture(scope="module")
def server(demo_copy: Path) -> Iterator[tuple[str, int, subprocess.Popen[bytes]]]:
    port = free_port()
    proc = _start(demo_copy, port)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(base, proc)
    yield base, port, proc
    proc.terminate()
    proc.wait(timeout=60)


def _get(base: str, path: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def test_the_server_names_itself_without_a_version(server: tuple[str, int, object]) -> None:
    status, headers, _ = _get(server[0], "/accounts/login/")
    assert status == 200
    assert headers["server"] == "granian"


def test_static_files_have_hashed_names_and_a_year_of_cache_and_a_miss_is_404(
    server: tuple[str, int, object],
) -> None:
    _, _, page = _get(server[0], "/accounts/login/")
    css = re.search(rb"/static/coparent/app\.[0-9a-f]{12}\.css", page)
    assert css is not None, page[:500]
    status, headers, body = _get(server[0], css.group().decode())
    assert status == 200
    assert b"--marketing" in body
    assert headers["cache-control"] == "max-age=31536000"
    plotly = re.search(rb"/static/plotly/plotly\.min\.[0-9a-f]{12}\.js", page)
    assert plotly is not None
    status, _, js = _get(server[0], plotly.group().decode())
    assert status == 200
    assert b"plotly" in js[:2000].lower()
    for missing in ("/static/nope.js", "/static/plotly/nope.js", "/static/../settings.toml"):
        assert _get(server[0], missing)[0] == 404, missing


def test_a_thousand_slow_clients_hold_nothing_and_are_dropped_after_the_header_timeout(
    server: tuple[str, int, subprocess.Popen[bytes]],
) -> None:
    base, port, _ = server
    slow: list[socket.socket] = []
    try:
        for _ in range(1000):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ")
            slow.append(s)
        started = time.monotonic()
        status, _, _ = _get(base, "/accounts/login/")
        assert status == 200
        assert time.monotonic() - started < 5  # nobody waits behind the slow ones
        time.sleep(HEADER_TIMEOUT + 2)
        assert sum(_closed_by_server(s) for s in slow) == len(slow)
    finally:
        for s in slow:
            s.close()


def _closed_by_server(s: socket.socket) -> bool:
    s.settimeout(0.5)
    try:
        data = s.recv(1 << 16)
    except TimeoutError:
        return False  # still open: the server is waiting for the rest of the headers
    except OSError:
        return True  # reset
    return data == b"" or data.startswith(b"HTTP/1.1 408")


def test_a_body_above_the_upload_limit_is_refused_before_it_is_read(
    server: tuple[str, int, object],
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server[1], timeout=10)
    conn.putrequest("POST", "/data/")
    conn.putheader("Content-Type", "multipart/form-data; boundary=x")
    conn.putheader("Content-Length", str(50 << 20))
    conn.endheaders()
    conn.send(b"--x\r\n")  # 5 bytes of the 50 MB announced
    response = conn.getresponse()
    assert response.status == 413
    assert b"larger than 2 MB" in response.read()
    conn.close()


def test_keep_alive_serves_several_requests_on_one_connection(
    server: tuple[str, int, object],
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server[1], timeout=10)
    for _ in range(3):
        conn.request("GET", "/accounts/login/")
        response = conn.getresponse()
        assert response.status == 200
        response.read()
    conn.close()


def test_a_taken_port_is_one_line_and_exit_1(
    demo_copy: Path, server: tuple[str, int, object]
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coparent", "serve", "-w", str(demo_copy), "--port", str(server[1])],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "the address is in use" in result.stderr


def test_sighup_restarts_the_workers_gracefully_and_sigterm_stops_cleanly(
    tmp_path: Path, demo_copy: Path
) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(demo_copy, ws)
    port = free_port()
    proc = _start(ws, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, proc)
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        answered = 0
        while time.monotonic() < deadline and answered < 20:  # served all through the restart
            assert _get(base, "/accounts/login/")[0] == 200
            answered += 1
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=40) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
