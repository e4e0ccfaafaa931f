"""Typed readers for environment variables.

Every setting that comes from the environment goes through one of these, so a typo such as
``DJANGO_DEBUG=ture`` stops the process at start-up instead of silently meaning "false".
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_decimal(name: str, default: str) -> Decimal:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        raw = default
    try:
        value = Decimal(raw.strip())
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from exc
    if not value.is_finite() or value < 0:
        raise ImproperlyConfigured(f"{name} must be a number of at least 0, not {raw!r}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def integration_enabled(label: str, *names: str) -> bool:
    """An integration is on when all of its variables are set, off when none are.

    Half a configuration is an operator mistake: failing loudly beats an integration that
    looks enabled in the UI but cannot authenticate.
    """
    present = [name for name in names if env_str(name)]
    if not present:
        return False
    missing = [name for name in names if name not in present]
    if missing:
        raise ImproperlyConfigured(
            f"{label} is partly configured: set {', '.join(missing)} as well, "
            f"or unset {', '.join(present)} to turn it off."
        )
    return True
