"""Canned replies: saved texts with ``{first_name}``, ``{property}`` and ``{agent_name}`` filled in
for the conversation they are used in.

Only these names are variables. Anything else in braces is a mistake in the saved text, reported
as a form error (never a crash, never sent with the braces in it).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from crm.accounts.models import User
    from crm.leads.models import Lead
    from crm.properties.models import Property

VARIABLES = {
    "first_name": "The prospect's first name (“there” when unknown).",
    "property": "The property's name (“our community” when unknown).",
    "agent_name": "Your name.",
}
_PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")


def unknown_variables(body: str) -> list[str]:
    return sorted({name for name in _PLACEHOLDER.findall(body) if name not in VARIABLES})


def validate_canned_body(body: str) -> None:
    unknown = unknown_variables(body)
    if unknown:
        names = ", ".join(f"{{{name}}}" for name in unknown)
        known = ", ".join(f"{{{name}}}" for name in VARIABLES)
        raise ValidationError(
            f"Unknown variable{'s' if len(unknown) > 1 else ''} {names}. You can use {known}.", code="unknown_variable"
        )


def canned_values(*, lead: Lead, user: User | None, property: Property | None = None) -> dict[str, str]:
    place = property or lead.property
    agent = (user.name.split()[0] if user and user.name else user.display_name) if user else ""
    return {
        "first_name": lead.first_name or "there",
        "property": place.name if place else "our community",
        "agent_name": agent or "the leasing team",
    }


def fill_canned(body: str, *, lead: Lead, user: User | None, property: Property | None = None) -> str:
    """The text with its variables filled in; ``ValidationError`` when it names an unknown one."""
    validate_canned_body(body)
    values = canned_values(lead=lead, user=user, property=property)
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], body)
