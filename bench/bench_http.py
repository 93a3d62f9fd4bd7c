"""The employee's account under HTTP load: gunicorn on PostgreSQL, driven by wrk (a benchmark, not a test).

    .venv/bin/python bench/bench_http.py [--persons 300] [--employers 30] [--duration 20] \
        [--connections 48] [--workers 3] [--threads 4] [--redis redis://127.0.0.1:6379/9]

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, or ``--admin-url``), Redis, gunicorn (in
requirements) and wrk (Debian package ``wrk``). The script creates its own database
(``perfbench_http_<pid>``, dropped on exit; or uses the empty one given by ``--database-url``,
left in place) and one Redis database index of its own for the cache and the API's throttle,
which must be empty and is flushed on exit.

After ``migrate`` and ``seed_demo`` (a small city), gunicorn serves the portal with
``bench.settings`` (the development settings with DEBUG off and ``bench.urls``: the portal's
URLs plus the floors below), gthread workers, on 127.0.0.1. The second factor is turned off
(``AUTH_SECOND_FACTOR=off``) so that one employee of the demo logs in with their password: the web
hall through the login form (a session cookie), the API through ``POST /api/v1/auth/token`` (a
bearer token). The API's per-token throttle is raised (``API_TOKEN_RATE``) so that the load is not
answered with 429; the throttle itself still runs on every request.

Then wrk, with a warm-up before each measured run, drives the targets one after the other, in
interleaved rounds (``--rounds``; the median round of each target is reported, with the spread):
the hall's account page (``/hall/``, the balance, the monthly deposit and the recent movements),
``GET /api/v1/me/account``, the bare view ``/bench/bare`` without a session (Django, the whole
middleware stack, no database), and the floors that say where the difference goes: the same bare
view with the session (read through the cache; written, to push the idle timeout back, at most once
a minute: ``signin.session_store``), the portal's page layout with nothing in it, without and with
the session (the header's name and unread count), and a REST framework view with the API's settings
that needs no login. Each figure: requests/s, p50 and p99 latency, and a check that every answer
was 2xx.
Goal: hall / bare and API / bare ≥ 0.5 in requests/s.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from result_line import Summary

ROOT = Path(__file__).resolve().parent.parent
GOAL = 0.5
WRK_SCRIPT = """
wrk.method = "GET"
{headers}
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK-JSON {{\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %d, \\"p99_us\\": %d, "
    .. "\\"non_2xx\\": %d, \\"socket_errors\\": %d}}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=300)
    parser.add_argument("--employers", type=int, default=30)
    parser.add_argument("--duration", type=int, default=20, help="seconds of each measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each run")
    parser.add_argument("--rounds", type=int, default=3, help="measured runs of each target, interleaved")
    # Four per gunicorn thread, spread evenly over the workers (_start_gunicorn): every thread
    # always has a request waiting, so the CPU is kept busy.
    parser.add_argument("--connections", type=int, default=48)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database-url", help="an empty PostgreSQL database to use instead of a new one")
    args = parser.parse_args()
    for tool in ("wrk",):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is not installed (Debian: apt-get install {tool})")

    folder = Path(tempfile.mkdtemp(prefix="perfbench-http-"))
    own_database = args.database_url is None
    database_url = args.database_url or _create_database(args.admin_url, f"perfbench_http_{os.getpid()}")
    redis_ok = _redis_empty(args.redis)
    server = None
    try:
        if not redis_ok:
            print(f"the Redis database {args.redis} is not empty: choose another index", file=sys.stderr)
            return 2
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="bench.settings",
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=args.redis,
            FUNDPORTAL_VAR_DIR=str(folder / "var"),
            AUTH_SECOND_FACTOR="off",
            API_TOKEN_RATE="1000000/s",
            DEBUG="false",
        )
        started = time.perf_counter()
        _manage(env, "migrate", "--noinput")
        _manage(env, "seed_demo", f"--persons={args.persons}", f"--employers={args.employers}")
        print(f"set-up: migrate and seed_demo in {time.perf_counter() - started:.1f} s", flush=True)
        login = _employee_login(folder / "var" / "demo-logins.json")

        port = args.port or _free_port()
        base = f"http://127.0.0.1:{port}"
        server = _start_gunicorn(
            env, port, args.workers, args.threads, folder / "gunicorn.log", args.connections
        )
        _wait_until_up(base, server)
        cookie = _web_session(base, login)
        token = _api_token(base, login)
        account_no = _check_pages(base, cookie, token)

        targets = {
            "hall account page /hall/": ("/hall/", {"Cookie": cookie}),
            "GET /api/v1/me/account": ("/api/v1/me/account", {"Authorization": f"Bearer {token}"}),
            "bare JSON view (no session)": ("/bench/bare", {}),
            "bare JSON view with the session": ("/bench/bare", {"Cookie": cookie}),
            "page layout, empty, no session": ("/bench/layout", {}),
            "page layout, empty, with the session": ("/bench/layout", {"Cookie": cookie}),
            "DRF view, API settings, no login": ("/bench/drf", {}),
        }
        # Rounds, each target in turn within a round: a disturbance of the machine (another
        # process, the hypervisor) lands on one round of one target, and the median round of each
        # target is what is reported, with the spread beside it.
        rounds: dict[str, list[dict]] = {label: [] for label in targets}
        seconds = max(1, round(args.duration / args.rounds))
        for number in range(1, args.rounds + 1):
            for label, (path, headers) in targets.items():
                _wrk(base + path, headers, args, folder, seconds=args.warmup)
                r = _wrk(base + path, headers, args, folder, seconds=seconds)
                rounds[label].append(r)
                print(
                    f"round {number}: {label:<38} {r['rps']:8,.0f} requests/s   p50 {r['p50_ms']:6.1f} ms   "
                    f"p99 {r['p99_ms']:6.1f} ms   ({r['requests']:,} requests, {r['non_2xx']} not 2xx, "
                    f"{r['socket_errors']} socket errors)",
                    flush=True,
                )
        results = {label: _median_round(measured) for label, measured in rounds.items()}
        for label, r in results.items():
            print(f"median: {label:<38} {r['rps']:8,.0f} requests/s ({r['spread']})", flush=True)
    finally:
        if server is not None:
            _stop(server)
        if redis_ok:
            _flush_redis(args.redis)
        if own_database:
            _drop_database(args.admin_url, database_url.rsplit("/", 1)[1])
        shutil.rmtree(folder, ignore_errors=True)

    bare = results["bare JSON view (no session)"]["rps"]
    hall = results["hall account page /hall/"]["rps"]
    api = results["GET /api/v1/me/account"]["rps"]
    print(f"ratio hall / bare: {hall / bare:.2f}   ratio API / bare: {api / bare:.2f}   (goal ≥ {GOAL})")

    summary = Summary(
        "The employee's account under HTTP load (gunicorn, PostgreSQL, wrk)",
        f"gunicorn gthread {args.workers} workers × {args.threads} threads, DEBUG off, Redis cache; "
        f"wrk {args.wrk_threads} threads × {args.connections} connections; {args.rounds} rounds, each "
        f"target in turn, {seconds} s measured after {args.warmup} s of warm-up; demo city of "
        f"{args.persons} people; one employee (account {account_no}), second factor off",
    )
    for label, r in results.items():
        summary.figure(
            label,
            f"{r['rps']:,.0f} requests/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms "
            f"(median of {args.rounds} rounds; {r['spread']})",
        )
        summary.check(
            f"{label}: every answer 2xx",
            all(m["non_2xx"] == 0 and m["socket_errors"] == 0 for m in rounds[label]),
        )
    summary.ratio("hall account page / bare JSON view", hall / bare, f"≥ {GOAL}", hall / bare >= GOAL)
    summary.ratio("GET /api/v1/me/account / bare JSON view", api / bare, f"≥ {GOAL}", api / bare >= GOAL)
    with_session = results["bare JSON view with the session"]["rps"]
    summary.ratio("bare JSON view with the session / without", with_session / bare)
    summary.ratio("hall account page / bare JSON view with the session", hall / with_session)
    layout = results["page layout, empty, no session"]["rps"]
    layout_session = results["page layout, empty, with the session"]["rps"]
    drf = results["DRF view, API settings, no login"]["rps"]
    summary.ratio("page layout, empty, no session / bare JSON view", layout / bare)
    summary.ratio("page layout, empty, with the session / bare JSON view", layout_session / bare)
    summary.ratio("DRF view, API settings, no login / bare JSON view", drf / bare)
    summary.note(
        f"The floors say where the difference goes. The portal's page layout with nothing in it and "
        f"no database is {layout / bare:.2f} of the bare view (the template: header, navigation, "
        f"language switch, translations); with a logged-in session, which adds the user, the "
        f"person's name and the unread count to the header, it is {layout_session / bare:.2f}. Every "
        f"page of the hall is that layout plus its own content, so no page of the hall can reach "
        f"more than {layout_session / bare:.2f} of the bare view however its own data is read. "
        f"The REST framework with the API's settings and no login is {drf / bare:.2f}; the API's "
        f"account adds the token with its user and person, the throttle (Redis), the account with "
        f"its unit and ledger row, the policy parameter and the serializer: each query is a round "
        f"trip and ORM work on the same two cores."
    )
    summary.emit()
    return 0 if summary.passed else 1


def _manage(env, *arguments) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _psql(admin_url: str, sql: str) -> None:
    subprocess.run(["psql", admin_url, "-qc", sql], check=True, stdout=subprocess.DEVNULL)


def _create_database(admin_url: str, name: str) -> str:
    _psql(admin_url, f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def _drop_database(admin_url: str, name: str) -> None:
    with contextlib.suppress(subprocess.CalledProcessError):
        _psql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _redis_empty(url: str) -> bool:
    import redis

    return redis.Redis.from_url(url).dbsize() == 0


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _employee_login(path: Path) -> dict:
    logins = json.loads(path.read_text())
    # The renter: an ordinary employee with a normal account, deposits and no loan.
    for login in logins:
        if login["role"] == "employee" and login["persona"] == "renter":
            return login
    raise SystemExit("seed_demo wrote no employee login")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_gunicorn(
    env, port: int, workers: int, threads: int, log: Path, connections: int
) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "fundportal.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        "--worker-class=gthread",
        f"--workers={workers}",
        f"--threads={threads}",
        # A gthread worker accepts every connection it can and keeps it (keep-alive): left alone,
        # one worker may take most of wrk's connections while another idles, and a round's figure
        # depends on how they happened to fall (seen: the same target at 378 and 1,105 requests/s
        # in two rounds). Capping each worker at its share spreads them evenly.
        f"--worker-connections={-(-connections // workers)}",
        "--keep-alive=5",
        f"--chdir={ROOT}",
        "--log-level=warning",
    ]
    # Its own process group, so that stopping it also stops every worker.
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode})")
        with contextlib.suppress(OSError), urllib.request.urlopen(base + "/bench/bare", timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 60 s")


def _stop(server: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _web_session(base: str, login: dict) -> str:
    """Log in through the form, as a browser would; the Cookie header for the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(base + "/login/") as answer:
        page = answer.read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"username": login["username"], "password": login["password"], "csrfmiddlewaretoken": csrf}
    ).encode()
    request = urllib.request.Request(base + "/login/", data=form, headers={"Referer": base + "/login/"})
    try:
        opener.open(request)
        raise SystemExit("the login form did not redirect: the password was refused")
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise SystemExit(f"the login answered {answer.code}") from None
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise SystemExit("the login set no session cookie")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def _api_token(base: str, login: dict) -> str:
    body = json.dumps({"username": login["username"], "password": login["password"]}).encode()
    request = urllib.request.Request(
        base + "/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        if answer.status != 200:
            raise SystemExit(f"POST /api/v1/auth/token answered {answer.status}, not a token")
        return json.load(answer)["token"]


def _check_pages(base: str, cookie: str, token: str) -> str:
    """Both targets answer the employee's own account before anything is measured."""
    request = urllib.request.Request(
        base + "/api/v1/me/account", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        account = json.load(answer)
    request = urllib.request.Request(base + "/hall/", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as answer:
        page = answer.read().decode()
    if account["account_no"] not in page or account["balance"] not in page.replace(",", ""):
        raise SystemExit("the hall page does not show the account and balance the API gives")
    return account["account_no"]


def _median_round(measured: list[dict]) -> dict:
    """The round with the median requests/s, and the spread of all rounds in words."""
    ordered = sorted(measured, key=lambda r: r["rps"])
    median = ordered[(len(ordered) - 1) // 2]
    spread = f"rounds {ordered[0]['rps']:,.0f}–{ordered[-1]['rps']:,.0f} requests/s"
    return {**median, "spread": spread}


def _wrk(url: str, headers: dict, args, folder: Path, *, seconds: int) -> dict:
    script = folder / "wrk.lua"
    lines = [f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}" for name, value in headers.items()]
    script.write_text(WRK_SCRIPT.format(headers="\n".join(lines)))
    output = subprocess.run(
        [
            "wrk",
            f"--threads={args.wrk_threads}",
            f"--connections={args.connections}",
            f"--duration={seconds}s",
            "--timeout=10s",
            "--latency",
            f"--script={script}",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK-JSON "))
    data = json.loads(line[len("WRK-JSON ") :])
    return {
        "requests": data["requests"],
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "non_2xx": data["non_2xx"],
        "socket_errors": data["socket_errors"],
    }


if __name__ == "__main__":
    sys.exit(main())
