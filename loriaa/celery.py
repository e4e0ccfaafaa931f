"""The Celery application.

Without a broker (the embedded default) ``CELERY_TASK_ALWAYS_EAGER`` runs tasks in-process; with
``REDIS_URL`` a worker and beat consume them. The correlation id of the request that enqueued a
task travels with it as a message header, so one id ties a request to the work it caused.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loriaa.settings")

app = Celery("loriaa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery itself uses "correlation_id" (the task id), hence the prefix.
_HEADER = "loriaa_correlation_id"


@before_task_publish.connect
def _attach_correlation_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    from loriaa.logging import correlation_id

    if headers is not None:
        headers.setdefault(_HEADER, correlation_id.get())


@task_prerun.connect
def _enter_correlation_id(task: Any = None, **_: Any) -> None:
    from loriaa.logging import clean_correlation_id, correlation_id

    if task is None or task.request.is_eager:
        return  # eager tasks already run inside the caller's context
    correlation_id.set(clean_correlation_id(getattr(task.request, _HEADER, None)))


@task_postrun.connect
def _leave_correlation_id(task: Any = None, **_: Any) -> None:
    from loriaa.logging import correlation_id

    if task is not None and not task.request.is_eager:
        correlation_id.set("-")
