"""Inbound SMS webhooks end to end: gunicorn + a real Celery worker on Redis, killed once mid-run.

    .venv/bin/python -m benchmarks.webhooks [--requests 2000] [--redeliveries 0.10] [--clients 16]

What it does, on its own database of the embedded PostgreSQL and Redis db 13:

1. seeds one team with a property that owns the number the texts are sent to;
2. starts gunicorn (4 sync workers) and a Celery worker (2 processes) as real subprocesses, with
   Twilio credentials set so every request's ``X-Twilio-Signature`` is checked for real;
3. sends ``--requests`` signed webhooks from ``--clients`` concurrent clients, ``--redeliveries``
   of them repeats of an earlier MessageSid (Twilio redelivers when it misses a 200 in time);
4. SIGKILLs the whole worker (parent and children) once, when 40% of the requests are sent, and
   starts a new one a second later — whatever the old one held is lost from its hands;
5. runs the stuck-event sweep (what beat does every minute; here every 5 s with a 20 s threshold)
   until every event is processed.

The team's auto-reply is off: this measures intake and processing, not the AI's answers.

Printed: webhook throughput and p50/p95 latency, how far processing lagged, and the counts that
must hold: one stored event and exactly one message per unique MessageSid, none lost, none doubled.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "bench_webhooks"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-auth-token"  # noqa: S105 - a local benchmark's made-up token
TO_NUMBER = "+13105550100"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The embedded server's socket, as a DATABASE_URL every subprocess can use."""
    sys.path.insert(0, str(ROOT))
    from loriaa.embedded_db import embedded_database_settings

    settings = embedded_database_settings(ROOT / "var" / "postgres")
    host = urllib.parse.quote(settings["HOST"], safe="")
    return f"postgres://{settings['USER']}@{host}/{DATABASE}"


def environment(port: int, db_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OPENAI_", "SENDGRID_"))}
    env.update(
        DJANGO_ENV="development", DJANGO_DEBUG="false", DATABASE_URL=db_url, REDIS_URL=REDIS_URL,
        SITE_URL=f"http://127.0.0.1:{port}", TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        # Outbound sends (none expected: no keywords in the bodies) would go nowhere real.
        TWILIO_API_BASE_URL="http://127.0.0.1:9", INBOX_EVENT_STALE_SECONDS="20", LOG_LEVEL="WARNING",
        INBOX_SIMULATOR="false", PYTHONUNBUFFERED="1",
    )  # fmt: skip
    return env


def boot(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "loriaa.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_database(db_url: str) -> None:
    import psycopg

    parsed = urllib.parse.urlsplit(db_url)
    host = urllib.parse.unquote(parsed.hostname or "") or urllib.parse.unquote(parsed.netloc.split("@")[1])
    with psycopg.connect(host=host, user=parsed.username, dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


def seed() -> Any:
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scopes_disabled

    from agents.models import AgentPolicy, AutoReply
    from crm.properties.models import Property
    from crm.teams.models import Team

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    with connection.cursor() as cursor:  # a clean slate each run; the schema is kept
        cursor.execute(
            "TRUNCATE inbox_inboundevent, inbox_messageattachment, inbox_message, inbox_consentrecord, "
            "inbox_conversation, leads_leadactivity, leads_task, leads_tour, leads_lead CASCADE"
        )
    with scopes_disabled():
        team, _ = Team.objects.get_or_create(slug="bench-webhooks", defaults={"name": "Bench Webhooks"})
        Property.objects.get_or_create(
            team=team, name="Bench Tower", defaults={"sms_number": TO_NUMBER, "timezone": "America/Chicago"}
        )
        # The intake path alone: the AI's replies are measured by benchmarks.agent_overhead.
        AgentPolicy.objects.update_or_create(team=team, property=None, defaults={"auto_reply": AutoReply.OFF})
    return team


def start_web(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
        [sys.executable, "-m", "gunicorn", "loriaa.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "4",
         "--access-logfile", "/dev/null", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "loriaa", "worker", "-c", "2", "--prefetch-multiplier", "1",
         "-l", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip


def kill_group(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=30)


def wait_http(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def build_requests(total: int, redelivery_share: float, rng: random.Random) -> list[dict[str, str]]:
    redeliveries = int(total * redelivery_share)
    unique = total - redeliveries
    senders = [f"+1512555{n:04d}" for n in range(max(unique // 6, 1))]
    originals = [
        {"MessageSid": f"SM{rng.getrandbits(128):032x}", "AccountSid": ACCOUNT_SID, "From": rng.choice(senders),
         "To": TO_NUMBER, "Body": f"Hi, is a {rng.randint(1, 3)} bedroom available in {rng.choice(['May', 'June'])}?",
         "NumMedia": "0", "SmsStatus": "received", "ApiVersion": "2010-04-01"}
        for _ in range(unique)
    ]  # fmt: skip
    batch = list(originals)
    rng.shuffle(batch)
    # A redelivery comes after its original (Twilio retries a webhook it saw fail or time out),
    # sometimes right behind it, so both are in flight at once.
    for _ in range(redeliveries):
        position = rng.randrange(len(batch))
        original = batch[position]
        batch.insert(min(len(batch), position + rng.randint(1, 40)), dict(original))
    return batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--redeliveries", type=float, default=0.10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    port = free_port()
    db_url = database_url()
    ensure_database(db_url)
    env = environment(port, db_url)
    boot(env)
    import redis
    from twilio.request_validator import RequestValidator

    redis.Redis.from_url(REDIS_URL).flushdb()
    team = seed()
    print(f"team {team.slug}: gunicorn on :{port}, worker on {REDIS_URL}, database {DATABASE}")

    web, worker = start_web(env, port), start_worker(env)
    replacement: subprocess.Popen[bytes] | None = None
    try:
        wait_http(port)
        url = f"http://127.0.0.1:{port}/webhooks/twilio/sms/"
        validator = RequestValidator(AUTH_TOKEN)
        batch = build_requests(args.requests, args.redeliveries, random.Random(args.seed))
        kill_at = int(len(batch) * 0.4)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        sent = 0

        def post(params: dict[str, str]) -> None:
            nonlocal sent
            data = urllib.parse.urlencode(params).encode()
            request = urllib.request.Request(
                url, data=data, headers={"X-Twilio-Signature": validator.compute_signature(url, params)}
            )
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    code = response.status
            except urllib.error.HTTPError as exc:
                code = exc.code
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[code] = statuses.get(code, 0) + 1
            sent += 1

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            futures = [pool.submit(post, params) for params in batch[:kill_at]]
            for future in futures:
                future.result()
            # Mid-run: the worker dies with tasks in hand (SIGKILL: no cleanup, no acks).
            kill_group(worker)
            killed_at = time.perf_counter() - started
            futures = [pool.submit(post, params) for params in batch[kill_at:]]
            time.sleep(1.0)
            replacement = start_worker(env)
            for future in futures:
                future.result()
        send_seconds = time.perf_counter() - started

        from django_scopes import scopes_disabled

        from crm.inbox.models import EventStatus, InboundEvent, Message
        from crm.inbox.services.intake import requeue_stuck_events

        unique_sids = {params["MessageSid"] for params in batch}
        deadline = time.monotonic() + 180
        sweeps = requeued = 0
        while time.monotonic() < deadline:
            pending = InboundEvent.objects.exclude(status=EventStatus.PROCESSED).count()
            if pending == 0:
                break
            time.sleep(5)
            # What beat's every-minute sweep does, on a compressed clock (INBOX_EVENT_STALE_SECONDS=20).
            requeued += requeue_stuck_events()
            sweeps += 1
        drained_seconds = time.perf_counter() - started

        with scopes_disabled():
            events = InboundEvent.objects.filter(provider="twilio", kind="twilio.sms")
            messages = Message.objects.filter(team=team, direction="inbound")
            message_sids = list(messages.values_list("provider_id", flat=True))
            lags = [
                (e.processed_at - e.received_at).total_seconds() * 1000
                for e in events.exclude(processed_at=None).only("received_at", "processed_at")
            ]
            counts = {
                "requests sent": sent,
                "unique MessageSids": len(unique_sids),
                "redeliveries sent": len(batch) - len(unique_sids),
                "events stored": events.count(),
                "deliveries counted": sum(events.values_list("deliveries", flat=True)),
                "events processed": events.filter(status=EventStatus.PROCESSED).count(),
                "inbound messages": len(message_sids),
                "lost (sid without message)": len(unique_sids - set(message_sids)),
                "doubled (sid with >1 message)": len(message_sids) - len(set(message_sids)),
                "leads": team.leads.count(),
            }
        quantiles = statistics.quantiles(latencies, n=100)
        lag_q = statistics.quantiles(lags, n=100) if len(lags) > 1 else [0.0] * 99
        print(f"\nwebhooks: {sent} requests from {args.clients} clients in {send_seconds:.1f}s "
              f"= {sent / send_seconds:.0f} req/s; HTTP {dict(sorted(statuses.items()))}")  # fmt: skip
        print(f"webhook latency: p50 {quantiles[49]:.1f} ms, p95 {quantiles[94]:.1f} ms, max {max(latencies):.0f} ms")
        print(
            f"worker SIGKILLed at {killed_at:.1f}s, replaced 1.0s later; {sweeps} sweep(s) re-enqueued {requeued} "
            "event(s) (a re-enqueued event that was only queued behind others is a no-op)"
        )
        print(f"processing lag (stored → processed): p50 {lag_q[49]:.0f} ms, p95 {lag_q[94]:.0f} ms; "
              f"all processed {drained_seconds:.1f}s after the first request")  # fmt: skip
        for name, value in counts.items():
            print(f"  {name:32} {value}")
        ok = (
            counts["events stored"] == counts["unique MessageSids"] == counts["inbound messages"]
            and counts["deliveries counted"] == sent
            and counts["lost (sid without message)"] == 0
            and counts["doubled (sid with >1 message)"] == 0
            and statuses.get(200, 0) == sent
        )
        print("exactly once: " + ("YES" if ok else "NO"))
        if not ok:
            raise SystemExit(1)
    finally:
        for process in (web, worker, replacement):
            if process is not None and process.poll() is None:
                kill_group(process, signal.SIGTERM)


if __name__ == "__main__":
    main()
