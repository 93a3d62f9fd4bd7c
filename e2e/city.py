"""A demo city served for real: the portal as ``make run`` starts it, on its own database and folder.

Each city is a folder under the e2e output folder holding its own ``FUNDPORTAL_VAR_DIR``: a SQLite
database migrated once and copied (migrating takes longer than seeding), the demo data of
``seed_demo`` (so the journeys log in with the published demo logins, second factor included), a
``runserver`` process and a Celery worker with beat on the filesystem broker. Nothing here reaches
into the portal's database: the journeys see only what a browser sees, and wait for background
work the way a user does, by reloading the page.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = Path(os.environ.get("E2E_OUTPUT", ROOT / "var" / "e2e"))
SEED = 7
# Small enough to seed in seconds, big enough for every demo persona and a staff review queue.
PERSONS, EMPLOYERS = 300, 30


@dataclass
class City:
    name: str
    folder: Path
    url: str
    logins: list[dict]
    walk_ins: dict
    processes: list[subprocess.Popen] = field(default_factory=list)

    def login(self, *, role: str | None = None, persona: str | None = None) -> dict:
        for login in self.logins:
            if (role is None or login["role"] == role) and (persona is None or login["persona"] == persona):
                return login
        raise LookupError(f"no demo login with role={role!r} persona={persona!r} in {self.name}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def log_tail(self, lines: int = 60) -> str:
        """The last lines of the server's and the worker's logs, for a failing journey's report."""
        parts = []
        for name in ("server.log", "worker.log"):
            path = self.folder / name
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {name} ---\n" + "\n".join(text))
        return "\n".join(parts)


def _environment(folder: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        # The city is the embedded default: its own SQLite file and the filesystem broker.
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "AUTH_SECOND_FACTOR"}
    }
    env.update(
        FUNDPORTAL_VAR_DIR=str(folder),
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="fundportal.settings.dev",
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(folder: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_environment(folder),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def migrated_template() -> Path:
    """A var folder with a migrated, empty database, made once per run and copied for each city."""
    template = OUTPUT / "cities" / "_migrated"
    if template.exists():
        shutil.rmtree(template)
    template.mkdir(parents=True)
    _manage(template, "migrate", "--noinput", "-v", "0")
    return template


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until(check, *, seconds: float, what: str, city: City) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for process in city.processes:
            if process.poll() is not None:
                raise RuntimeError(f"{what}: a process of {city.name} exited\n{city.log_tail()}")
        if check():
            return
        time.sleep(0.3)
    raise TimeoutError(f"{what} within {seconds:.0f} s\n{city.log_tail()}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start_city(name: str, template: Path) -> City:
    folder = OUTPUT / "cities" / name
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(template, folder)
    size = ("--persons", str(PERSONS), "--employers", str(EMPLOYERS))
    _manage(folder, "seed_demo", *size, "--seed", str(SEED))
    port = _free_port()
    city = City(
        name=name,
        folder=folder,
        url=f"http://127.0.0.1:{port}",
        logins=json.loads((folder / "demo-logins.json").read_text(encoding="utf-8")),
        walk_ins=json.loads((folder / "demo-try.json").read_text(encoding="utf-8")),
    )
    env = _environment(folder)
    commands = {
        "server.log": [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        "worker.log": [
            *(sys.executable, "-m", "celery", "-A", "fundportal", "worker", "-B"),
            *("--loglevel=INFO", "--concurrency=2", f"--schedule={folder / 'celerybeat-schedule'}"),
        ],
    }
    for log_name, command in commands.items():
        log = open(folder / log_name, "w")  # noqa: SIM115 - the process writes it until stop()
        city.processes.append(
            subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )
    try:
        _wait_until(lambda: _answers(f"{city.url}/healthz"), seconds=60, what="the server answers", city=city)
        _wait_until(
            lambda: " ready." in (folder / "worker.log").read_text(errors="replace"),
            seconds=60,
            what="the Celery worker is ready",
            city=city,
        )
    except Exception:
        city.stop()
        raise
    return city
