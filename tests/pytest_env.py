"""Loaded with ``-p`` before pytest-django reads the settings: fixes the test environment.

Tests never reach a real provider: every credential a developer may have exported is removed,
so each integration is off unless a test turns it on against a loopback fake. Redis for the
cache and broker is removed too: tests are eager with a database cache unless a test starts a
real worker (``tests/worker``) on its own Redis database.
"""

from __future__ import annotations

import os

os.environ["DJANGO_ENV"] = "test"
os.environ["OMP_NUM_THREADS"] = "1"
for name in list(os.environ):
    if name.startswith(
        ("OPENAI_", "TWILIO_", "SENDGRID_", "FACEBOOK_", "GOOGLE_ADS_", "VAPI_", "RESMAN_", "SENTRY_", "GCS_")
    ) or name in {"GOOGLE_APPLICATION_CREDENTIALS", "STORAGE_EMULATOR_HOST"}:
        del os.environ[name]
for name in ("REDIS_URL", "CELERY_BROKER_URL", "EMAIL_HOST", "SITE_URL", "DJANGO_DEBUG", "ALLOWED_HOSTS"):
    os.environ.pop(name, None)
