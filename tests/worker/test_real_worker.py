"""A task sent through a real Celery worker consuming from Redis (not eager).

The rest of the suite runs tasks eagerly; this proves the production path: the message is
serialised to Redis, a worker picks it up, re-enters the team's scope from ``team_id``, does the
work against committed data, and carries the request's correlation id into its log lines.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django_scopes import scopes_disabled

from crm.teams.models import Invitation
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from crm.teams.services import invitation_create
from loriaa.celery import app
from loriaa.logging import correlation_id
from tests.conftest import make_team

pytestmark = pytest.mark.worker

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def reset_pools() -> None:
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_worker() -> Iterator[str]:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError as exc:  # a missing Redis must fail the suite, not skip it
        pytest.fail(f"Redis is required for the worker tests at {REDIS_URL}: {exc}")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, task_default_queue=queue)
    reset_pools()  # connections made for the old broker URL must not be reused
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
            yield queue
    finally:
        app.conf.update(saved)
        reset_pools()
        redis.Redis.from_url(REDIS_URL).delete(queue)


def wait_for(predicate: object, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_an_invitation_email_is_sent_by_a_real_worker_through_redis(
    transactional_db: None, redis_worker: str, caplog: pytest.LogCaptureFixture
) -> None:
    world = make_team("Worker Test Homes")
    token = correlation_id.set("corr-worker-test")
    try:
        with caplog.at_level(logging.INFO, logger="crm.teams.tasks"), team_scope(world.team):
            invitation, _ = invitation_create(actor=world.membership(Role.ADMIN), email="w@example.com", role="agent")
            assert mail.outbox == []  # not run in-process: it is waiting in Redis for the worker
            assert wait_for(lambda: len(mail.outbox) == 1, timeout=30), "the worker never delivered the task"
            # The task logs after sending: wait for that line too rather than racing the worker thread.
            assert wait_for(lambda: any(r.getMessage() == "invitation email sent" for r in caplog.records))
    finally:
        correlation_id.reset(token)

    assert mail.outbox[0].to == ["w@example.com"]
    assert "Worker Test Homes" in mail.outbox[0].subject
    with scopes_disabled():
        assert Invitation.objects.get(pk=invitation.pk).sent_at is not None
    sent = [r for r in caplog.records if r.getMessage() == "invitation email sent"]
    assert sent
    assert sent[0].correlation_id == "corr-worker-test"
