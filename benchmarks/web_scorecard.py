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

Issue 15 extends it: ``--path`` may be given several times (each Python client
cycles through the pages; the figures are given per page too), and
``--import-rows N`` runs ``coparent import orders`` of N new orders (append)
in its own process while the load runs, starting 5 s in, so the figures show
what readers see while a writer holds the warehouse:

    python benchmarks/web_scorecard.py --tool python --seconds 60 --path / --path /diagnosis/
    python benchmarks/web_scorecard.py --tool python --seconds 60 --path / --path /diagnosis/ \
        --import-rows 1000000
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


def run_python(
    base: str, cookie: str, clients: int, seconds: int, paths: list[str]
) -> dict[str, Any]:
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    latencies: dict[str, list[float]] = {p: [] for p in paths}
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine: dict[str, list[float]] = {p: [] for p in paths}
        failed = 0
        n = offset
        while time.monotonic() < stop:
            path = paths[n % len(paths)]
            n += 1
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
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                continue
            mine[path].append(time.perf_counter() - started)
        conn.close()
        with lock:
            for p, values in mine.items():
                latencies[p].extend(values)
            errors[0] += failed

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    every = [x for values in latencies.values() for x in values]
    q = statistics.quantiles(every, n=100)
    per_path = {}
    for p, values in latencies.items():
        qp = statistics.quantiles(values, n=100) if len(values) > 1 else [values[0]] * 99
        per_path[p] = {"p50_ms": qp[49] * 1000, "p95_ms": qp[94] * 1000, "requests": len(values)}
    return {
        "tool": "python threads",
        "command": f"--tool python --clients {clients}",
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "p99_ms": q[98] * 1000,
        "max_ms": max(every) * 1000,
        "requests": len(every),
        "rps": len(every) / elapsed,
        "errors": errors[0],
        "per_path": per_path,
    }


def orders_csv(ws: Workspace, rows: int, folder: Path) -> Path:
    """``rows`` new orders for the demo's own accounts, as a CSV to append."""
    import numpy as np

    con = ws.connect(ws.settings())
    try:
        accounts = con.table("accounts").account_id.execute().to_numpy()
    finally:
        con.disconnect()
    rng = np.random.default_rng(0)
    path = folder / f"orders-{rows}.csv"
    if path.exists():
        return path
    days = rng.integers(0, 700, rows)
    stamps = (np.datetime64("2024-10-01") + days.astype("timedelta64[D]")).astype(str)
    amounts = rng.gamma(2.0, 400.0, rows).round(2)
    picked = accounts[rng.integers(0, len(accounts), rows)]
    with path.open("w", encoding="utf-8") as out:
        out.write("order_id,account_id,ordered_at,amount\n")
        for i in range(rows):
            out.write(f"bench-{i},{picked[i]},{stamps[i]},{amounts[i]}\n")
    return path


def import_in_the_middle(ws: Workspace, csv: Path, delay: float) -> dict[str, Any]:
    """``coparent import orders`` in its own process, ``delay`` seconds from now (a thread)."""
    result: dict[str, Any] = {}

    def run() -> None:
        time.sleep(delay)
        started = time.perf_counter()
        done = subprocess.run(
            [
                *(sys.executable, "-m", "coparent", "import", "orders", str(csv)),
                *("-w", str(ws.path), "--mode", "append"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        result.update(
            seconds=time.perf_counter() - started,
            exit=done.returncode,
            tail=(done.stdout + done.stderr).strip().splitlines()[-3:],
        )

    thread = threading.Thread(target=run)
    thread.start()
    result["thread"] = thread
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument(
        "--workers", type=int, default=0, help="server processes (0: as coparent serve picks)"
    )
    parser.add_argument(
        "--path", action="append", help="page to load, repeatable (default: the scorecard)"
    )
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--import-rows", type=int, default=0, help="append this many orders during the load"
    )
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "coparent-bench")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    paths = args.path or ["/"]

    ws = demo_workspace(args.dir, args.scale)
    proc, port = start_server(ws, args.workers)
    base = f"http://127.0.0.1:{port}"
    imported: dict[str, Any] = {}
    try:
        cookie = session_cookie(base)
        for path in paths:
            warm_up(base, cookie, path)
        if args.import_rows:
            csv = orders_csv(ws, args.import_rows, args.dir)
            imported = import_in_the_middle(ws, csv, delay=5.0)
        use_wrk = args.tool == "wrk" or (
            args.tool == "auto" and shutil.which("wrk") and len(paths) == 1
        )
        if use_wrk:
            result = run_wrk(base, cookie, args.clients, args.seconds, paths[0])
        else:
            result = run_python(base, cookie, args.clients, args.seconds, paths)
        if imported:
            imported.pop("thread").join()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    result.update(
        scale=args.scale,
        clients=args.clients,
        seconds=args.seconds,
        paths=paths,
        workers=args.workers,
        import_during_load=imported or None,
    )
    print(
        f"{result['tool']}: {args.clients} clients, {args.seconds} s, {' '.join(paths)} on the "
        f"{args.scale} demo: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms, max {result['max_ms']:.0f} ms, "
        f"{result['rps']:.0f} req/s, {result['requests']} requests, {result['errors']} errors"
    )
    for path, figures in (result.get("per_path") or {}).items():
        print(
            f"  {path}: p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
            f"{figures['requests']} requests"
        )
    if imported:
        print(
            f"  import of {args.import_rows:,} orders during the load: exit {imported['exit']}, "
            f"{imported['seconds']:.1f} s"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
