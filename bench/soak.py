"""Soak: Tandem's moving parts under a bounded mixed load while some of them are killed.

    python -m bench.soak [--seconds 120] [--readers 6] [--writers 4] [--people 300]
        [--grace 15] [--drain 420] [--keep] [--json]

1. Creates its own PostgreSQL database `soak_<pid>` on the server DATABASE_URL names
   (postgres://postgres@127.0.0.1:5432/postgres when unset), migrates it and builds one
   organisation through the bulk builder of `bench.web` (`--people` people, pairs among them).
2. Starts, all under the production settings: an SMTP sink (aiosmtpd, in this process) that
   records every message; its own redis-server on a free port; two gunicorn servers (2 workers
   each) on two ports; two schedulers (`run_scheduler --interval 5`); two RQ workers
   (`rqworker default --job-class django_tasks_rq.Job`). Every email goes to the sink. A
   scheduler or worker that exits is restarted two seconds later, as a supervisor would.
3. Drives a closed loop for `--seconds`: readers (their pairs, messages, meetings, action items,
   notifications, profile) and writers (a message in their pair, an action item with an
   idempotency key, a meeting, whose invitations are two emails) against both servers. Every
   write answered 201 with an id is recorded with the unique text it wrote.
4. At 30, 45, 60 and 75 % of the run: SIGKILL one gunicorn worker (not the master), the
   scheduler that holds the lease, one RQ worker (the one running a job, if any); then shut
   Redis down without saving and start it again. Each fault's window runs from the kill to
   `--grace` seconds after its recovery.
5. Drains: waits until every email row has ended (sent, failed, skipped) or `--drain` seconds
   passed (a row a killed worker leased comes back when its lease, 5 minutes, ends), then
   stops every process and waits until the sink is quiet.
6. Checks (`bench/soak_checks.py`): every acknowledged write is in the database with its text;
   each acknowledged meeting wrote its two invitations; for every outbox email marked sent,
   exactly one message at the sink (by Message-ID), nothing missing, nothing else; no row
   owed past its due time + 30 s; no 5xx and no unanswered request outside the kill windows
   (those inside are counted apart). Prints one JSON object and exits 1 when a check fails.

Not run in CI. Uses about 8 processes besides PostgreSQL; figures in bench/README.md.
"""

import argparse
import base64
import collections
import datetime
import email
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
from aiosmtpd.controller import Controller

from bench.soak_checks import (
    Acknowledged,
    Answer,
    OutboxRow,
    Window,
    email_check,
    failures,
    lost_writes,
    stuck_rows,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCHEDULER_INTERVAL = 5
RESTART_DELAY = 2.0
STUCK_SLACK = datetime.timedelta(seconds=30)
REDIS_SERVER = shutil.which("redis-server") or "redis-server"
REDIS_CLI = shutil.which("redis-cli") or "redis-cli"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _now() -> float:
    return time.monotonic()


# --- the SMTP sink ----------------------------------------------------------------------------


class Sink:
    """Every message the sink accepted: its Message-ID, in order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.message_ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.message_ids.append(str(message["Message-ID"]))
        return "250 Message accepted for delivery"

    def received(self) -> list[str]:
        with self.lock:
            return list(self.message_ids)


# --- the processes ----------------------------------------------------------------------------


@dataclass
class Service:
    """A long-running process of the deployment; `restarts` counts the supervisor's."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    supervised: bool = True
    exits: list[int] = field(default_factory=list)

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own commands, fixed arguments)
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.name} was never started")
        return self.process.pid

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(value) for value in text.split()]


class Supervisor(threading.Thread):
    """Restart a supervised service that exited (killed or crashed), after `RESTART_DELAY`."""

    def __init__(self, services: list[Service]) -> None:
        super().__init__(daemon=True)
        self.services = services
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            for service in self.services:
                with self.lock:
                    if (
                        not service.supervised
                        or service.process is None
                        or service.process.poll() is None
                    ):
                        continue
                    service.exits.append(service.process.returncode)
                if self.stopping.wait(RESTART_DELAY):
                    return
                with self.lock:
                    service.start()
                    service.restarts += 1


def _wait_until(check: Any, seconds: float, what: str) -> None:
    deadline = _now() + seconds
    while _now() < deadline:
        try:
            if check():
                return
        except (OSError, httpx.HTTPError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up within {seconds:.0f} s")


def _redis_up(port: int) -> bool:
    answer = subprocess.run(  # noqa: S603 (fixed arguments)
        [REDIS_CLI, "-p", str(port), "ping"], capture_output=True, text=True, timeout=5
    )
    return answer.stdout.strip() == "PONG"


# --- the load ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    relationship_id: int
    user_id: int  # the person who acts: the pair's mentor
    token: str


@dataclass
class Record:
    """What the clients saw, shared by the threads (appends are atomic under the GIL)."""

    started: float
    answers: list[tuple[str, Answer]] = field(default_factory=list)
    acknowledged: list[Acknowledged] = field(default_factory=list)
    client_keys: dict[str, int] = field(default_factory=dict)  # key -> relationship

    def answer(self, kind: str, sent_at: float, status: int | None) -> None:
        sent, ended = sent_at - self.started, _now() - self.started
        self.answers.append(
            (kind, Answer(sent=round(sent, 3), ended=round(ended, 3), status=status))
        )


def _request(
    client: httpx.Client, record: Record, kind: str, method: str, url: str, **kwargs: Any
) -> httpx.Response | None:
    sent_at = _now()
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError:
        record.answer(kind, sent_at, None)
        return None
    record.answer(kind, sent_at, response.status_code)
    return response


def _warm(bases: list[str], pairs: list[Pair], seconds: float = 600) -> float:
    """Send each server concurrent API requests until every one answers quickly: a gunicorn
    worker loads the URLs and the API on its first request, which takes a while under load and
    is not what the soak measures (a worker started after a kill pays it inside its window)."""
    started = _now()
    path = "/api/v1/me/relationships"
    headers = {"Authorization": f"Bearer {pairs[0].token}"}

    def quick(base: str, outcomes: list[bool]) -> None:
        began = _now()
        try:
            answered = httpx.get(base + path, headers=headers, timeout=120).status_code == 200
        except httpx.HTTPError:
            answered = False
        outcomes.append(answered and _now() - began < 2)

    while _now() - started < seconds:
        outcomes: list[bool] = []
        threads = [
            threading.Thread(target=quick, args=(base, outcomes))
            for base in bases
            for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if len(outcomes) == len(threads) and all(outcomes):
            return round(_now() - started, 1)
    raise RuntimeError("the web servers stayed slow to answer")


def _reader(bases: list[str], pairs: list[Pair], record: Record, until: float, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(timeout=60) as client:
        while _now() < until:
            pair = rng.choice(pairs)
            path = rng.choice(
                [
                    "/api/v1/me/relationships",
                    f"/api/v1/relationships/{pair.relationship_id}/messages",
                    f"/api/v1/relationships/{pair.relationship_id}/meetings",
                    f"/api/v1/relationships/{pair.relationship_id}/actions",
                    "/api/v1/me/notifications",
                    "/api/v1/me/profile",
                ]
            )
            headers = {"Authorization": f"Bearer {pair.token}"}
            _request(client, record, "read", "GET", rng.choice(bases) + path, headers=headers)


def _writer(bases: list[str], pairs: list[Pair], record: Record, until: float, seed: int) -> None:
    rng = random.Random(seed)
    today = datetime.datetime.now(datetime.UTC).date()
    with httpx.Client(timeout=60) as client:
        while _now() < until:
            pair = rng.choice(pairs)
            headers = {"Authorization": f"Bearer {pair.token}"}
            prefix = f"/api/v1/relationships/{pair.relationship_id}"
            marker = f"soak {uuid.uuid4().hex}"
            roll = rng.random()
            if roll < 0.5:
                kind, path = "message", "/messages"
                body: dict[str, Any] = {"body": marker}
            elif roll < 0.8:
                kind, path = "action", "/actions"
                key = str(uuid.uuid4())
                record.client_keys[key] = pair.relationship_id
                body = {"title": marker, "owner_id": pair.user_id, "client_key": key}
            else:
                kind, path = "meeting", "/meetings"
                day = today + datetime.timedelta(days=rng.randint(7, 60))
                body = {
                    "title": marker,
                    "date": day.isoformat(),
                    "time": f"{rng.randint(8, 17):02d}:00",
                    "timezone": "Europe/London",
                }
            # An action item carries an idempotency key: a client whose request went unanswered
            # (or failed) sends it again, and the server must not make a second item.
            attempts = 3 if kind == "action" else 1
            for attempt in range(attempts):
                base = rng.choice(bases)
                response = _request(
                    client, record, kind, "POST", base + prefix + path, json=body, headers=headers
                )
                if response is not None and response.status_code in (200, 201):
                    record.acknowledged.append(
                        Acknowledged(kind=kind, id=int(response.json()["id"]), marker=marker)
                    )
                    break
                if response is not None and response.status_code < 500:
                    break
                if attempt + 1 < attempts:
                    time.sleep(1)


# --- the faults ----------------------------------------------------------------------------------


@dataclass
class Event:
    what: str
    pid: int | None
    start: float  # seconds since the load started
    recovered: float | None = None


class Chaos(threading.Thread):
    """The scripted faults, at fixed shares of the run."""

    def __init__(
        self,
        *,
        seconds: float,
        started: float,
        web: list[Service],
        schedulers: list[Service],
        workers: list[Service],
        redis: Service,
        redis_port: int,
        bases: list[str],
        supervisor: Supervisor,
    ) -> None:
        super().__init__(daemon=True)
        self.seconds, self.started = seconds, started
        self.web, self.schedulers, self.workers = web, schedulers, workers
        self.redis, self.redis_port, self.bases = redis, redis_port, bases
        self.supervisor = supervisor
        self.events: list[Event] = []
        self.error: str | None = None

    def _at(self, share: float) -> None:
        delay = self.started + self.seconds * share - _now()
        if delay > 0:
            time.sleep(delay)

    def _since(self) -> float:
        return round(_now() - self.started, 3)

    def run(self) -> None:
        # Each fault at its time, whatever the previous one's recovery takes (a cold gunicorn
        # worker can take most of a minute to answer its first request on a loaded machine).
        faults = [
            (0.30, self._kill_web_worker),
            (0.45, self._kill_scheduler),
            (0.60, self._kill_worker),
            (0.75, self._restart_redis),
        ]
        running = []
        for share, fault in faults:
            self._at(share)
            thread = threading.Thread(target=self._guarded, args=(fault,), daemon=True)
            thread.start()
            running.append(thread)
        for thread in running:
            thread.join()

    def _guarded(self, fault: Any) -> None:
        try:
            fault()
        except Exception as error:
            self.error = repr(error)

    def _kill_web_worker(self) -> None:
        server = self.web[0]
        before = _children(server.pid)
        victim = before[0]
        event = Event("SIGKILL gunicorn worker", victim, self._since())
        os.kill(victim, signal.SIGKILL)
        self.events.append(event)
        # Recovered once the master has forked a replacement and the server answers again.
        _wait_until(
            lambda: len(set(_children(server.pid)) - {victim}) == len(before),
            120,
            "the replacement gunicorn worker",
        )
        _wait_until(
            lambda: httpx.get(self.bases[0] + "/health/live", timeout=5).status_code == 200,
            60,
            "gunicorn",
        )
        event.recovered = self._since()

    def _kill_scheduler(self) -> None:
        from django.db import connection

        from tandem.nudges.models import SchedulerLease

        holder = SchedulerLease.objects.values_list("holder", flat=True).first() or ""
        by_pid = {service.pid: service for service in self.schedulers}
        holder_pid = int(holder.split(":")[1]) if holder.count(":") >= 2 else -1
        connection.close()  # this thread's
        service = by_pid.get(holder_pid, self.schedulers[0])
        holds = " (lease holder)" if holder_pid in by_pid else ""
        self._kill_supervised(service, f"SIGKILL scheduler{holds}")

    def _kill_worker(self) -> None:
        busy = [service for service in self.workers if _children(service.pid)]
        service = (busy or self.workers)[0]
        self._kill_supervised(service, "SIGKILL RQ worker" + (" (running a job)" if busy else ""))

    def _kill_supervised(self, service: Service, what: str) -> None:
        with self.supervisor.lock:
            pid = service.pid
        event = Event(what, pid, self._since())
        os.kill(pid, signal.SIGKILL)
        self.events.append(event)
        _wait_until(lambda: service.pid != pid and service.process.poll() is None, 60, what)
        event.recovered = self._since()

    def _restart_redis(self) -> None:
        event = Event("Redis shutdown nosave and start", self.redis.pid, self._since())
        self.events.append(event)
        subprocess.run(  # noqa: S603 (fixed arguments)
            [REDIS_CLI, "-p", str(self.redis_port), "shutdown", "nosave"],
            capture_output=True,
            timeout=10,
        )
        if self.redis.process is not None:
            self.redis.process.wait(timeout=30)
        self.redis.start()
        _wait_until(lambda: _redis_up(self.redis_port), 30, "redis")
        event.recovered = self._since()


# --- the run ---------------------------------------------------------------------------------


def _server_url() -> str:
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith("postgres"):
        return given
    return "postgres://postgres@127.0.0.1:5432/postgres"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(url: str, statement: str) -> None:
    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as admin:
        admin.execute(statement)


def _load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def _prepare(people: int, seed: int) -> tuple[list[Pair], int]:
    """Migrate, build the organisation, and give each pair's mentor an API token."""
    from django.core.management import call_command

    from bench.web_data import build
    from tandem.accounts.models import User
    from tandem.accounts.services import api_token_create
    from tandem.relationships.models import Relationship, RelationshipStatus

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    made = build(
        slug=f"soak{os.getpid()}", people=people, seed=seed, now=datetime.datetime.now(datetime.UTC)
    )
    relationships = (
        Relationship.objects.filter(
            program__organization_id=made.organization_id, status=RelationshipStatus.ACTIVE
        )
        .exclude(mentor__user_id=made.subject_id)
        .select_related("mentor__user")
        .order_by("id")
    )
    pairs = []
    for relationship in relationships:
        user: User = relationship.mentor.user
        _, raw = api_token_create(user=user, name="soak")
        pairs.append(Pair(relationship.pk, user.pk, raw))
    return pairs, made.organization_id


def _stored(acknowledged: list[Acknowledged]) -> dict[tuple[str, int], str]:
    from tandem.actions.models import ActionItem
    from tandem.conversations.models import Message
    from tandem.meetings.models import Meeting

    ids = collections.defaultdict(list)
    for write in acknowledged:
        ids[write.kind].append(write.id)
    stored: dict[tuple[str, int], str] = {}
    for kind, model, column in (
        ("message", Message, "body"),
        ("action", ActionItem, "title"),
        ("meeting", Meeting, "title"),
    ):
        for pk, text in model.objects.filter(pk__in=ids[kind]).values_list("pk", column):
            stored[(kind, pk)] = text
    return stored


def _outbox_rows() -> list[tuple[OutboxRow, str]]:
    from tandem.notifications.models import DeliveryChannel, OutboxMessage

    return [
        (
            OutboxRow(
                message_id=row["message_id"],
                status=row["status"],
                next_attempt_at=row["next_attempt_at"],
                not_before=row["not_before"],
                claimed_until=row["claimed_until"],
            ),
            row["subject"],
        )
        for row in OutboxMessage.objects.filter(channel=DeliveryChannel.EMAIL).values(
            "message_id", "status", "next_attempt_at", "not_before", "claimed_until", "subject"
        )
    ]


def _drain(sink: Sink, seconds: float) -> float:
    """Wait until every email row has ended (or `seconds` passed); returns the seconds waited."""
    from django.db import connection

    from tandem.notifications.models import DeliveryChannel, OutboxMessage
    from tandem.notifications.models import OutboxStatus as Status

    started = _now()
    while _now() - started < seconds:
        owed = (
            OutboxMessage.objects.filter(channel=DeliveryChannel.EMAIL)
            .filter(status__in=[Status.PENDING, Status.SENDING])
            .exists()
        )
        connection.close()
        if not owed:
            break
        time.sleep(2)
    return round(_now() - started, 1)


def _quiet(sink: Sink) -> None:
    """Wait until the sink has received nothing for 2 s: the last message may be on the wire."""
    received = len(sink.received())
    while True:
        time.sleep(2)
        if len(sink.received()) == received:
            return
        received = len(sink.received())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--grace", type=float, default=15, help="seconds after a recovery")
    parser.add_argument("--drain", type=float, default=420, help="longest wait for the outbox")
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    parser.add_argument("--json", action="store_true", help="print the JSON object only")
    args = parser.parse_args()

    def say(text: str) -> None:
        if not args.json:
            print(text, file=sys.stderr, flush=True)

    server_url = _server_url()
    database = f"soak_{os.getpid()}"
    logs = Path(tempfile.mkdtemp(prefix=f"{database}-"))
    sink = Sink()
    sink_port, redis_port = _free_port(), _free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "JOURNAL_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        # Plain HTTP to gunicorn on the loopback; TLS is the proxy's job.
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": _with_database(server_url, database),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink_port),
        "EMAIL_USE_TLS": "false",
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": "2",
    }
    os.environ.update(environment)
    _admin(server_url, f'CREATE DATABASE "{database}"')
    services: list[Service] = []
    supervisor: Supervisor | None = None
    controller = Controller(sink, hostname="127.0.0.1", port=sink_port)
    report: dict[str, Any] = {"database": database, "logs": str(logs), "seconds": args.seconds}
    try:
        import django

        django.setup()
        from django.db import connection

        controller.start()
        redis = Service(
            "redis",
            [
                REDIS_SERVER,
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(logs),
            ],
            environment,
            logs / "redis.log",
            supervised=False,
        )
        redis.start()
        services.append(redis)
        _wait_until(lambda: _redis_up(redis_port), 30, "redis")
        started_setup = _now()
        pairs, _ = _prepare(args.people, args.seed)
        connection.close()
        report["setup_seconds"] = round(_now() - started_setup, 1)
        say(f"built {args.people} people, {len(pairs)} active pairs in {report['setup_seconds']} s")

        web_ports = [_free_port(), _free_port()]
        web = [
            Service(
                f"web{index}",
                [str(BIN / "gunicorn"), "config.wsgi", "-c", "gunicorn.conf.py"],
                {**environment, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                logs / f"web{index}.log",
                supervised=False,
            )
            for index, port in enumerate(web_ports)
        ]
        manage = [sys.executable, "manage.py"]
        schedulers = [
            Service(
                f"scheduler{index}",
                [*manage, "run_scheduler", "--interval", str(SCHEDULER_INTERVAL)],
                environment,
                logs / f"scheduler{index}.log",
            )
            for index in range(2)
        ]
        workers = [
            Service(
                f"worker{index}",
                [*manage, "rqworker", "default", "--job-class", "django_tasks_rq.Job"],
                environment,
                logs / f"worker{index}.log",
            )
            for index in range(2)
        ]
        for service in [*web, *schedulers, *workers]:
            service.start()
            services.append(service)
        bases = [f"http://127.0.0.1:{port}" for port in web_ports]
        for base in bases:
            _wait_until(
                lambda base=base: httpx.get(base + "/health/live", timeout=5).status_code == 200,
                300,
                base,
            )
        report["warm_up_seconds"] = _warm(bases, pairs)
        supervisor = Supervisor([*schedulers, *workers])
        supervisor.start()
        say(f"services up; load for {args.seconds} s (logs in {logs})")

        report["machine"] = {"cpus": os.cpu_count(), "load_before": _load()}
        started = _now()
        until = started + args.seconds
        record = Record(started=started)
        threads = [
            threading.Thread(
                target=_reader, args=(bases, pairs, record, until, args.seed * 100 + index)
            )
            for index in range(args.readers)
        ] + [
            threading.Thread(
                target=_writer, args=(bases, pairs, record, until, args.seed * 1000 + index)
            )
            for index in range(args.writers)
        ]
        chaos = Chaos(
            seconds=args.seconds,
            started=started,
            web=web,
            schedulers=schedulers,
            workers=workers,
            redis=redis,
            redis_port=redis_port,
            bases=bases,
            supervisor=supervisor,
        )
        for thread in [*threads, chaos]:
            thread.start()
        for thread in threads:
            thread.join()
        load_seconds = _now() - started
        chaos.join(timeout=120)
        report["machine"]["load_after"] = _load()
        say(f"load done: {len(record.answers)} requests; draining the outbox")
        report["drain_seconds"] = _drain(sink, args.drain)
        # Stop the deployment before checking, so no row is marked sent (or written) between
        # reading the outbox and reading the sink.
        supervisor.stopping.set()
        supervisor.join(timeout=10)
        for service in reversed(services):
            service.stop()
        _quiet(sink)
        connection.close()

        # --- the checks ---
        windows = [
            Window(event.start, (event.recovered or args.seconds) + args.grace)
            for event in chaos.events
        ]
        answers = [answer for _, answer in record.answers]
        failed = failures(answers, windows)
        lost = lost_writes(record.acknowledged, _stored(record.acknowledged))
        outbox = _outbox_rows()
        sent = [row.message_id for row, _ in outbox if row.status == "sent"]
        received = sink.received()
        emails = email_check(sent=sent, received=received)
        stuck = stuck_rows(
            [row for row, _ in outbox],
            now=datetime.datetime.now(datetime.UTC),
            slack=STUCK_SLACK,
        )
        subjects = collections.Counter(subject for _, subject in outbox)
        invitations_missing = [
            write.id
            for write in record.acknowledged
            if write.kind == "meeting" and subjects[f"Meeting invitation: {write.marker}"] != 2
        ]
        from django.db.models import Count

        from tandem.actions.models import ActionItem

        doubled_keys = (
            ActionItem.objects.filter(client_key__in=list(record.client_keys))
            .values("client_key")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count()
        )
        by_status = collections.Counter(
            "unanswered" if answer.status is None else str(answer.status) for answer in answers
        )
        by_kind = collections.Counter(kind for kind, _ in record.answers)
        report.update(
            {
                "people": args.people,
                "pairs": len(pairs),
                "clients": {"readers": args.readers, "writers": args.writers},
                "processes": {
                    "web": "2 gunicorn x 2 workers x 2 threads",
                    "schedulers": 2,
                    "rq_workers": 2,
                    "restarts": {s.name: s.restarts for s in [*schedulers, *workers]},
                    "exit_codes": {s.name: s.exits for s in [*schedulers, *workers] if s.exits},
                },
                "requests": {
                    "total": len(answers),
                    "per_second": round(len(answers) / load_seconds, 1),
                    "by_kind": dict(by_kind),
                    "by_status": dict(sorted(by_status.items())),
                },
                "events": [
                    {"what": e.what, "pid": e.pid, "at": e.start, "recovered": e.recovered}
                    for e in chaos.events
                ],
                "chaos_error": chaos.error,
                "windows": [[w.start, round(w.end, 3)] for w in windows],
                # Each 5xx or unanswered request: kind, sent and ended (seconds), status.
                "failed_requests": [
                    [kind, answer.sent, answer.ended, answer.status]
                    for kind, answer in record.answers
                    if answer.status is None or answer.status >= 500
                ][:100],
                "failures": {
                    "5xx_outside_windows": failed.server_errors_outside,
                    "5xx_inside_windows": failed.server_errors_inside,
                    "unanswered_outside_windows": failed.unanswered_outside,
                    "unanswered_inside_windows": failed.unanswered_inside,
                },
                "writes": {
                    "acknowledged": dict(collections.Counter(w.kind for w in record.acknowledged)),
                    "lost": [[w.kind, w.id] for w in lost],
                    "meetings_without_both_invitations": invitations_missing,
                    "action_keys_with_two_items": doubled_keys,
                },
                "emails": {
                    "outbox_rows": len(outbox),
                    "by_status": dict(collections.Counter(row.status for row, _ in outbox)),
                    "received": len(received),
                    "missing": emails.missing,
                    "duplicated": emails.duplicated,
                    "unexpected": emails.unexpected,
                    "stuck": [row.message_id for row in stuck],
                },
            }
        )
        checks = {
            "no_lost_writes": not lost,
            "every_meeting_invited_both": not invitations_missing,
            "idempotent_action_items": doubled_keys == 0,
            "emails_exactly_once": emails.ok,
            "no_stuck_outbox_rows": not stuck,
            "no_failures_outside_windows": failed.ok,
            "every_fault_happened": chaos.error is None and len(chaos.events) == 4,
            "writes_were_made": bool(record.acknowledged),
        }
        report["checks"] = checks
        report["passed"] = all(checks.values())
    finally:
        if supervisor is not None:
            supervisor.stopping.set()
            supervisor.join(timeout=10)
        for service in reversed(services):
            service.stop()
        controller.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 (Django may not have been set up)
            pass
        if not args.keep:
            _admin(server_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    print(json.dumps(report, indent=None if args.json else 2))
    sys.exit(0 if report.get("passed") else 1)


if __name__ == "__main__":
    main()
