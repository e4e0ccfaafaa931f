"""Gunicorn settings for the `web` container (docker/entrypoint.sh runs `gunicorn -c` this file).

Every value can be tuned from the environment without rebuilding the image.
"""

from __future__ import annotations

import os

wsgi_app = "loriaa.wsgi:application"
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours a container's cpuset, unlike cpu_count()
    except AttributeError:
        return os.cpu_count() or 1


# Sync workers: 2 x cores + 1 by default, capped so a big host doesn't open dozens of
# processes and database connections. WEB_CONCURRENCY sets the number outright.
_max_workers = int(os.environ.get("WEB_CONCURRENCY_MAX", "8"))
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * _cpu_count() + 1, _max_workers))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then so a slow leak can't grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = 100
# Heartbeat files in memory: a container's /tmp may sit on a slow overlay filesystem.
_SHM = "/dev/shm"  # noqa: S108 - gunicorn's documented choice for containers; holds no data
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None

# Logs go to the container's output: access log to stdout, errors to stderr.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Addresses allowed to set X-Forwarded-Proto/-For for gunicorn (it then reports https to Django
# when TRUST_X_FORWARDED_PROTO is off). Gunicorn's own default is the loopback only; in
# docker-compose the proxy's address varies, see FORWARDED_ALLOW_IPS there.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
