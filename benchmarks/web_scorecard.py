"""Load test: the scorecard page on the ``medium`` demo, many signed-in clients at once.

    python benchmarks/web_scorecard.py --clients 20 --seconds 30            # wrk if installed
    python benchmarks/web_scorecard.py --tool python                        # stdlib threads

It builds the medium demo once (cached in --dir), starts ``webapp_serve`` in a
subprocess on a free loopback port (demo users created), signs in as ``ceo``
to get a session cookie, loads the page once (the scorecard is computed and
cached), then runs the load: **wrk** (Debian's ``wrk``, keep-alive
connections, one per client, a Lua script for p95) or a Python load generator
(one thread and one keep-alive connection per client). It prints p50, p95 and
p99 latency, requests per second and errors (non-200 answers and socket
errors), and writes them as JSON with --json.

Target (issue 6): p95 under 200 ms with 20 clients for 30 s, zero errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from coparent.services.demo import demo_build
from coparent.workspace import Workspace

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, summary.errors.status, summary.duration, latency.max))
end
"""


def demo_workspace(root: Path, scale: str) -> Workspace:
    ws = Workspace(root / f"demo-{scale}")
    if not (ws.path / "demo-truths.json").exists():
        ws.init()
        started = time.perf_counter()
        demo_build(ws, settings=ws.settings(), scale=scale, seed=0)
        print(f"built the {scale} demo in {time.perf_counter() - started:.0f} s", flush=True)
    return ws


def start_server(ws: Workspace, workers: int) -> tuple[subprocess.Popen[str], int]:
    """``coparent serve`` (the production server) on a free port, once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    code = (
        "from pathlib import Path; from coparent.workspace import Workspace;"
        "from coparent.services.webapp import demo_users_create;"
        f"demo_users_create(Workspace(Path({str(ws.path)!r})))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "coparent", "serve", "-w", str(ws.path)),
            *("--port", str(port), "--workers", str(workers)),
        ],
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5):
                return proc, port
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise SystemExit("the server did not start within 120 s") from None
            time.sleep(0.3)


def session_cookie(base: str, username: str = "ceo") -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/accounts/login/").read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token on the login page"
    data = urllib.parse.urlencode(
        {"username": username, "password": "coparent-demo", "csrfmiddlewaretoken": match.group(1)}
    ).encode()
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=data))
    cookies = {c.name: c.value for c in jar}
    assert "sessionid" in cookies, "sign-in failed"
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def warm_up(base: str, cookie: str, path: str) -> None:
    """Load the page until every server process has computed and cached it."""

    def load() -> float:
        started = time.perf_counter()
        request = urllib.request.Request(base + path, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=120) as response:
            assert response.status == 200
            response.read()
        return time.perf_counter() - started

    slowest = []
    for _ in range(5):  # parallel loads reach every worker process
        times: list[float] = []

        def one(into: list[float] = times) -> None:
            into.append(load())

        threads = [threading.Thread(target=one) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        slowest.append(max(times))
    print("warm-up rounds, slowest load: " + ", ".join(f"{s:.2f} s" for s in slowest), flush=True)


def run_wrk(base: str, cookie: str, clients: int, seconds: int, path: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT)
    try:
        command = [
            "wrk",
            f"-t{min(clients, 2)}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            "-H",
            f"Cookie: {cookie}",
            "-s",
            f.name,
            base + path,
        ]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    fields = next(line for line in out.splitlines() if line.startswith("RESULT")).split()[1:]
    p50, p95, p99, requests, socket_errors, status_errors, duration, worst = map(int, fields)
    return {
        "tool": "wrk",
        "command": " ".join(command[:-1]) + " URL",
        "p50_ms": p50 / 1000,
        "p95_ms": p95 / 1000,
        "p99_ms": p99 / 1000,
        "max_ms": worst / 1000,
        "requests": requests,
        "rps": requests / (duration / 1e6),
        "errors": socket_errors + status_errors,
    }


def run_python(base: str, cookie: str, clients: int, seconds: int, path: str) -> dict[str, Any]:
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=10)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    q = statistics.quantiles(latencies, n=100)
    return {
        "tool": "python threads",
        "command": f"--tool python --clients {clients}",
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "p99_ms": q[98] * 1000,
        "max_ms": max(latencies) * 1000,
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument(
        "--workers", type=int, default=0, help="server processes (0: as coparent serve picks)"
    )
    parser.add_argument("--path", default="/", help="page to load (default: the scorecard)")
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "coparent-bench")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    ws = demo_workspace(args.dir, args.scale)
    proc, port = start_server(ws, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        cookie = session_cookie(base)
        warm_up(base, cookie, args.path)
        use_wrk = args.tool == "wrk" or (args.tool == "auto" and shutil.which("wrk"))
        runner = run_wrk if use_wrk else run_python
        result = runner(base, cookie, args.clients, args.seconds, args.path)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    result.update(
        scale=args.scale,
        clients=args.clients,
        seconds=args.seconds,
        path=args.path,
        workers=args.workers,
    )
    print(
        f"{result['tool']}: {args.clients} clients, {args.seconds} s, {args.path} on the "
        f"{args.scale} demo: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms, max {result['max_ms']:.0f} ms, "
        f"{result['rps']:.0f} req/s, {result['requests']} requests, {result['errors']} errors"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
