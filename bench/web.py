"""Benchmark: Tandem's main read paths under load, on PostgreSQL, at an organisation's size.

    DATABASE_URL=postgres://… python -m bench.web --people 100000 [--seconds 10]
        [--clients 1,16,64] [--port 8765] [--json]

1. Migrates the PostgreSQL database DATABASE_URL names and builds two organisations in it
   through bulk writes (`bench/web_data.py`): one of 1,000 people and one of `--people`
   (reused when a run already built them), then VACUUM ANALYZE, as autovacuum keeps a live one.
2. In this process, under the production settings, requests every path as the person who uses
   it and records the queries it sends and the database's milliseconds per request, for the
   1,000-person organisation (`db_ms_1k`) and the big one (`db_ms_100k`, whatever `--people`).
3. Starts gunicorn with the production configuration (`gunicorn.conf.py`, 2 workers, its
   threads) and drives each path, and `bench/floor/` (a Django view with no session and no
   query: the floor), with wrk: a closed loop of N connections, each sending its next request
   when the last answered, for `--seconds` at each of `--clients`.

Prints one JSON object: `paths` maps each path to its figures at 16 clients (`rps`, `p50_ms`,
`p95_ms`, `errors`, `queries`, `db_ms_1k`, `db_ms_100k`), `floor` the floor's, `levels` the
requests per second at every client count, `sign_in` the password hasher's cost, and `machine`
the load average before and after. Needs `wrk` (Debian: apt-get install wrk). Not run in CI.
"""

import argparse
import base64
import datetime
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "bench.web_settings",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "JOURNAL_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    # The benchmark speaks plain HTTP to gunicorn on the loopback; TLS is the proxy's job.
    "SECURE_SSL_REDIRECT": "false",
}
os.environ.update(ENVIRONMENT)
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("bench.web measures PostgreSQL: set DATABASE_URL=postgres://…")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import check_password, get_hasher, make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.web_data import BenchOrganisation, build  # noqa: E402

SMALL = 1000


@dataclass(frozen=True)
class Path_:
    name: str  # how the report names it
    who: str  # "subject" or "manager"
    auth: str  # "token" or "session"
    url: str  # with {program} and {relationship} to fill


PATHS = [
    Path_("home", "subject", "session", "/"),
    Path_("my relationships", "subject", "token", "/api/v1/me/relationships"),
    Path_("my profile", "subject", "token", "/api/v1/me/profile"),
    Path_("pair's hub", "subject", "session", "/relationships/{relationship}/"),
    Path_("notification centre", "subject", "session", "/notifications/"),
    Path_(
        "programme participants (manager, 50 rows)",
        "manager",
        "token",
        "/api/v1/programs/{program}/participants?limit=50",
    ),
    Path_(
        "programme relationships (manager, 50 rows)",
        "manager",
        "token",
        "/api/v1/programs/{program}/relationships?limit=50",
    ),
    Path_(
        "programme dashboard (manager)", "manager", "token", "/api/v1/programs/{program}/analytics"
    ),
]


def _organisation(slug: str, people: int, seed: int) -> BenchOrganisation:
    from tandem.accounts.models import Organization, User
    from tandem.programs.models import Program
    from tandem.relationships.models import Relationship

    org = Organization.objects.filter(slug=f"bench-{slug}").first()
    if org is not None:
        subject = User.objects.get(email=f"subject@{slug}.bench.example")
        manager = User.objects.get(email=f"manager@{slug}.bench.example")
        program = Program.objects.filter(managers=manager).get()
        relationship = Relationship.objects.get(program=program, mentor__user=subject)
        return BenchOrganisation(
            organization_id=org.pk,
            subject_id=subject.pk,
            manager_id=manager.pk,
            program_id=program.pk,
            relationship_id=relationship.pk,
            people=people,
        )
    started = time.perf_counter()
    made = build(slug=slug, people=people, seed=seed, now=datetime.datetime.now(tz=datetime.UTC))
    print(f"built {people} people in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return made


@dataclass
class Caller:
    client: Client
    headers: dict[str, str]  # what wrk sends


def _callers(org: BenchOrganisation) -> dict[tuple[str, str], Caller]:
    from tandem.accounts.models import User
    from tandem.accounts.services import api_token_create

    callers = {}
    for who, user_id in (("subject", org.subject_id), ("manager", org.manager_id)):
        user = User.objects.get(pk=user_id)
        _, raw = api_token_create(user=user, name="bench")
        token = {"Authorization": f"Bearer {raw}"}
        callers[(who, "token")] = Caller(Client(headers=token), token)
        client = Client()
        client.force_login(user)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        callers[(who, "session")] = Caller(client, {"Cookie": cookie})
    return callers


def _url(path: Path_, org: BenchOrganisation) -> str:
    return path.url.format(program=org.program_id, relationship=org.relationship_id)


def _database_cost(caller: Caller, url: str, repeats: int = 20) -> tuple[int, float, int]:
    """(queries per request, database ms per request, status) in this process."""
    spent = [0.0]
    count = [0]

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - started
            count[0] += 1

    status = caller.client.get(url).status_code  # warm: caches, prepared connection
    with connection.execute_wrapper(timed):
        for _ in range(repeats):
            status = caller.client.get(url).status_code
    return count[0] // repeats, round(spent[0] * 1000 / repeats, 3), status


def _sign_in_cost(rounds: int = 5) -> dict[str, object]:
    """What one password check costs: the hasher a deployment uses by default."""
    hasher = get_hasher()
    encoded = make_password("correct horse battery staple")
    started = time.perf_counter()
    for _ in range(rounds):
        if not check_password("correct horse battery staple", encoded):
            raise RuntimeError("the hasher refused its own password")
    return {
        "hasher": hasher.algorithm,
        "iterations": getattr(hasher, "iterations", None),
        "check_ms": round((time.perf_counter() - started) * 1000 / rounds, 1),
    }


def _wait_for(url: str, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=30).read()  # noqa: S310 (our http://127.0.0.1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url}")


def _wrk(url: str, headers: dict[str, str], clients: int, seconds: int) -> dict[str, float]:
    command = [
        "wrk",
        f"--threads={min(clients, 2)}",
        f"--connections={clients}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={ROOT / 'bench' / 'wrk_report.lua'}",
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    output = subprocess.run(  # noqa: S603 (a fixed argv, no shell)
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"^WRK_JSON (.*)$", output, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no report:\n{output}")
    report = json.loads(found.group(1))
    return {
        "rps": round(report["requests"] / (report["duration_us"] / 1e6), 1),
        "p50_ms": round(report["p50_us"] / 1000, 2),
        "p95_ms": round(report["p95_us"] / 1000, 2),
        "errors": report["errors"],
    }


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10, help="per path and client count")
    parser.add_argument("--clients", default="1,16,64")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the JSON object only")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench.web needs wrk (Debian: apt-get install wrk)")
    levels = [int(value) for value in args.clients.split(",")]

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    small = _organisation("k1", SMALL, args.seed)
    large = _organisation(f"p{args.people}", args.people, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    small_callers, large_callers = _callers(small), _callers(large)

    report: dict[str, Any] = {
        "people": args.people,
        "database": connection.vendor,
        "seconds_per_run": args.seconds,
        "sign_in": _sign_in_cost(),
        "paths": {},
        "levels": {},
    }
    for path in PATHS:
        key = (path.who, path.auth)
        queries, db_small, status_small = _database_cost(small_callers[key], _url(path, small))
        queries, db_large, status_large = _database_cost(large_callers[key], _url(path, large))
        report["paths"][path.name] = {
            "url": _url(path, large),
            "status": status_large,
            "queries": queries,
            "db_ms_1k": db_small,
            "db_ms_100k": db_large,
        }
        if {status_small, status_large} != {200}:
            print(f"{path.name}: HTTP {status_small} / {status_large}", file=sys.stderr)
    connection.close()

    environment = {**os.environ, "WEB_CONCURRENCY": "2", "GUNICORN_BIND": f"127.0.0.1:{args.port}"}
    server = subprocess.Popen(  # noqa: S603 (a fixed argv, no shell)
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{args.port}"
    report["machine"] = {"cpus": os.cpu_count(), "load_before": _load()}
    try:
        _wait_for(base + "/bench/floor/")
        targets = [("floor", base + "/bench/floor/", {})]
        targets += [
            (path.name, base + _url(path, large), large_callers[(path.who, path.auth)].headers)
            for path in PATHS
        ]
        for name, url, headers in targets:
            _wrk(url, headers, 1, 1)  # warm every worker's connection and caches
            figures = {clients: _wrk(url, headers, clients, args.seconds) for clients in levels}
            report["levels"][name] = {str(c): figures[c]["rps"] for c in levels}
            at_16 = figures.get(16, figures[levels[-1]])
            if name == "floor":
                report["floor"] = at_16
            else:
                report["paths"][name] = {**at_16, **report["paths"][name]}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    report["machine"]["load_after"] = _load()
    print(json.dumps(report, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
