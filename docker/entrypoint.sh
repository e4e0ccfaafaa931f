#!/bin/sh
# Entry point of the Loriaa image. The first argument picks the role:
#   web          gunicorn with gunicorn.conf.py (the default)
#   migrate      apply migrations, create the cache table, and exit (run once per deploy)
#   worker       a Celery worker   (CELERY_CONCURRENCY, default 2)
#   beat         the Celery beat scheduler (exactly one per deployment)
#   healthcheck  exit 0 if GET /healthz on this container answers 200 {"status": "ok"}
# Anything else runs as given, e.g. `python manage.py createsuperuser`.
set -eu

# The app directory is the parent of this script's folder (/app in the image).
cd "$(dirname "$0")/.."

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
  web)
    exec gunicorn --config gunicorn.conf.py "$@"
    ;;
  migrate)
    python manage.py migrate --noinput
    # Only needed when the cache is the database (no REDIS_URL); a no-op otherwise.
    exec python manage.py createcachetable
    ;;
  worker)
    exec celery -A loriaa worker --loglevel="${CELERY_LOG_LEVEL:-INFO}" \
      --concurrency="${CELERY_CONCURRENCY:-2}" "$@"
    ;;
  beat)
    exec celery -A loriaa beat --loglevel="${CELERY_LOG_LEVEL:-INFO}" "$@"
    ;;
  healthcheck)
    # Django answers 400 to a Host header that is not in ALLOWED_HOSTS, so the check sends the
    # first allowed host (a leading-dot wildcard ".example.com" becomes "example.com"), or
    # HEALTHCHECK_HOST when set. /healthz is exempt from SECURE_SSL_REDIRECT, so plain http works.
    exec python - <<'PY'
import json
import os
import sys
import urllib.request

hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip() not in ("", "*")]
host = os.environ.get("HEALTHCHECK_HOST") or (hosts[0].lstrip(".") if hosts else "localhost")
url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
request = urllib.request.Request(url, headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        body = json.load(response)
        ok = response.status == 200 and body.get("status") == "ok"
except Exception as exc:  # any failure (refused, 4xx/5xx, timeout, bad JSON) is "unhealthy"
    print(f"healthcheck failed: {url} (Host: {host}): {exc}", file=sys.stderr)
    sys.exit(1)
if not ok:
    print(f"healthcheck failed: {url} (Host: {host}) answered {body!r}", file=sys.stderr)
sys.exit(0 if ok else 1)
PY
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
