"""Create, update, move, assign and note leads; deduplicate by email and phone."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from crm.accounts.models import User
from crm.leads.models import OPEN_STAGES, ActivityKind, Lead, LostReason, Source, Stage
from crm.leads.phones import normalize_phone
from crm.leads.services.activity import record
from crm.properties.models import Property, PropertyAgent
from crm.teams.models import Membership, Team
from crm.teams.roles import Role

# Fields a caller may set directly. Stage and assignment have their own services (they write
# their own timeline entries); score belongs to the scoring service.
EDITABLE_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "source",
    "source_detail",
    "property",
    "desired_beds",
    "budget_min",
    "budget_max",
    "move_in_date",
    "pets",
    "notes",
    "next_follow_up_at",
]
# A repeat submission keeps the first touch: where the lead first came from is what the
# source reports are about; later touches are recorded on the timeline instead.
KEEP_ON_DUPLICATE = {"source", "source_detail"}
STAGE_ORDER = {stage: index for index, stage in enumerate(Stage)}


def normalize(data: dict[str, Any]) -> dict[str, Any]:
    """Clean incoming values; raise ValidationError with field messages for bad ones."""
    clean = dict(data)
    errors: dict[str, list[str]] = {}
    if "email" in clean:
        clean["email"] = (clean["email"] or "").strip().lower()
    if "phone" in clean:
        raw = (clean["phone"] or "").strip()
        clean["phone"] = normalize_phone(raw) or "" if raw else ""
        if raw and not clean["phone"]:
            errors["phone"] = [f"“{raw}” is not a valid phone number."]
    for name in ("first_name", "last_name", "pets", "source_detail"):
        if name in clean:
            clean[name] = (clean[name] or "").strip()
    if "source" in clean and clean["source"] not in Source.values:
        errors["source"] = [f"Unknown source “{clean['source']}”."]
    budget_min, budget_max = clean.get("budget_min"), clean.get("budget_max")
    if budget_min is not None and budget_max is not None and budget_min > budget_max:
        errors["budget_max"] = ["The budget's maximum is below its minimum."]
    if errors:
        raise ValidationError(errors)
    return clean


def _lock_contact(team: Team, email: str, phone: str) -> None:
    # Two requests for the same new prospect (a form double-submit, a webhook retry) must not
    # both create a lead: serialise them on the contact, inside the transaction.
    for key in filter(None, [email, phone]):
        digest = int.from_bytes(hashlib.sha256(f"{team.pk}:{key}".encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [digest])


def find_duplicate(*, email: str = "", phone: str = "", exclude: Lead | None = None) -> Lead | None:
    """The team's active lead with the same email or phone (the current scope is the team)."""
    match = Q()
    if email:
        match |= Q(email=email)
    if phone:
        match |= Q(phone=phone)
    if not match:
        return None
    queryset = Lead.objects.active().filter(match)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.order_by("created_at").first()


def _describe(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Property):
        return value.name
    return str(value) if value not in (None, "") else "—"


@transaction.atomic
def lead_create(
    *,
    team: Team,
    data: dict[str, Any],
    actor: User | None = None,
    assign: bool = True,
    via: str = "",
    allow_duplicate: bool = False,
) -> tuple[Lead, bool]:
    """Create a lead, or fold the submission into the team's existing lead with the same contact.

    Returns ``(lead, created)``. On a duplicate, new non-empty values overwrite the old ones
    (except the first-touch source) and the timeline records what changed.

    ``allow_duplicate=True`` is for a person who was shown the match and chose "add anyway":
    the lead is created as its own record (the timeline names the match) and can be merged later.
    """
    data = normalize({key: value for key, value in data.items() if key in EDITABLE_FIELDS})
    if not any(data.get(k) for k in ("first_name", "last_name", "email", "phone")):
        raise ValidationError({"__all__": ["A lead needs a name, an email or a phone number."]})
    _lock_contact(team, data.get("email", ""), data.get("phone", ""))

    existing = find_duplicate(email=data.get("email", ""), phone=data.get("phone", ""))
    if existing is not None and not allow_duplicate:
        changed = _apply(
            existing, {k: v for k, v in data.items() if k not in KEEP_ON_DUPLICATE and v not in (None, "")}
        )
        existing.save()
        source = data.get("source") or ""
        record(
            lead=existing,
            kind=ActivityKind.DUPLICATE_SUBMITTED,
            actor=actor,
            summary=f"Submitted again{f' via {Source(source).label}' if source else ''}{f' ({via})' if via else ''}",
            data={"changed": changed, "source": source, "source_detail": data.get("source_detail", "")},
        )
        return existing, False

    lead = Lead(team=team, **data)
    if assign and lead.property is not None and lead.assigned_to_id is None:
        lead.assigned_to = next_agent_for(lead.property)
    lead.save()
    who = f" by {actor.display_name}" if actor else ""
    record(
        lead=lead,
        kind=ActivityKind.CREATED,
        actor=actor,
        summary=f"Lead created from {lead.get_source_display()}{who}{f' ({via})' if via else ''}"
        + (f", kept apart from {existing.full_name}" if existing is not None else ""),
        data={
            "source": lead.source,
            "assigned_to": str(lead.assigned_to_id or ""),
            **({"duplicate_of": str(existing.pk)} if existing is not None else {}),
        },
    )
    return lead, True


def _apply(lead: Lead, data: dict[str, Any]) -> dict[str, list[str]]:
    """Set the values that differ; return {field: [old, new]} for the timeline."""
    changed = {}
    for name, value in data.items():
        old = getattr(lead, name)
        if old != value:
            changed[name] = [_describe(old), _describe(value)]
            setattr(lead, name, value)
    return changed


@transaction.atomic
def lead_update(*, lead: Lead, data: dict[str, Any], actor: User | None = None) -> Lead:
    data = normalize({key: value for key, value in data.items() if key in EDITABLE_FIELDS})
    # Only a new email or phone can clash: a lead kept apart on purpose ("add anyway") or imported
    # before deduplication must stay editable while it shares its contact with another lead.
    contact = {name: data[name] for name in ("email", "phone") if data.get(name) and data[name] != getattr(lead, name)}
    if contact:
        clash = find_duplicate(email=contact.get("email", ""), phone=contact.get("phone", ""), exclude=lead)
        if clash is not None:
            field = "email" if contact.get("email") and clash.email == contact.get("email") else "phone"
            raise ValidationError(
                {field: [f"{clash.full_name} already has this {field}. Merge the two leads instead."]}
            )
    changed = _apply(lead, data)
    if not changed:
        return lead
    lead.save()
    names = ", ".join(str(getattr(Lead._meta.get_field(name), "verbose_name", name)) for name in changed)
    record(lead=lead, kind=ActivityKind.UPDATED, actor=actor, summary=f"Updated {names}", data={"changed": changed})
    return lead


@transaction.atomic
def lead_move_stage(*, lead: Lead, stage: str, actor: User | None = None, lost_reason: str = "") -> Lead:
    """Move a lead to another pipeline stage (the Kanban drop, the stage select, the API)."""
    if stage not in Stage.values:
        raise ValidationError({"stage": [f"Unknown stage “{stage}”."]})
    if lost_reason and lost_reason not in LostReason.values:
        raise ValidationError({"lost_reason": [f"Unknown reason “{lost_reason}”."]})
    if stage == lead.stage and (stage != Stage.LOST or not lost_reason or lost_reason == lead.lost_reason):
        return lead
    before = lead.stage
    lead.stage = stage
    lead.lost_reason = (lost_reason or lead.lost_reason or LostReason.OTHER) if stage == Stage.LOST else ""
    lead.stage_changed_at = timezone.now()
    lead.save(update_fields=["stage", "lost_reason", "stage_changed_at", "updated_at"])
    summary = f"Moved from {Stage(before).label} to {Stage(stage).label}"
    if stage == Stage.LOST:
        summary += f" ({LostReason(lead.lost_reason).label})"
    record(
        lead=lead,
        kind=ActivityKind.STAGE_CHANGED,
        actor=actor,
        summary=summary,
        data={"from": before, "to": stage, "lost_reason": lead.lost_reason},
    )
    return lead


def advance_stage(*, lead: Lead, stage: str, actor: User | None = None) -> Lead:
    """Move forward only: a tour booked for a lead who already applied leaves them at applied."""
    if lead.stage in OPEN_STAGES and STAGE_ORDER[Stage(stage)] > STAGE_ORDER[Stage(lead.stage)]:
        return lead_move_stage(lead=lead, stage=stage, actor=actor)
    return lead


def assignable_user(user: User | None) -> User | None:
    """A member of the current team who works leads (agents and above), or a ValidationError."""
    if user is None:
        return None
    membership = Membership.objects.filter(user=user).first()
    if membership is None or not membership.has_role(Role.AGENT):
        raise ValidationError(
            {"assigned_to": ["Leads can be assigned only to agents, managers, admins or owners of this team."]}
        )
    return user


@transaction.atomic
def lead_assign(*, lead: Lead, user: User | None, actor: User | None = None) -> Lead:
    user = assignable_user(user)
    if lead.assigned_to_id == (user.pk if user else None):
        return lead
    lead.assigned_to = user
    lead.save(update_fields=["assigned_to", "updated_at"])
    summary = f"Assigned to {user.display_name}" if user else "Unassigned"
    record(
        lead=lead, kind=ActivityKind.ASSIGNED, actor=actor, summary=summary, data={"to": str(user.pk) if user else ""}
    )
    return lead


def next_agent_for(property: Property) -> User | None:
    """Round-robin: the property's active agent who was given a lead longest ago (or never)."""
    slot = (
        PropertyAgent.objects.select_for_update(skip_locked=False)
        .filter(property=property, is_active=True)
        .select_related("user")
        # Never-assigned agents first: PostgreSQL would otherwise sort their NULL last, forever.
        .order_by(F("last_assigned_at").asc(nulls_first=True), "created_at")
        .first()
    )
    if slot is None:
        return None
    slot.last_assigned_at = timezone.now()
    slot.save(update_fields=["last_assigned_at"])
    return slot.user


def lead_add_note(*, lead: Lead, text: str, actor: User | None = None) -> None:
    text = text.strip()
    if not text:
        raise ValidationError({"text": ["Write something first."]})
    record(lead=lead, kind=ActivityKind.NOTE, actor=actor, summary=text[:300], data={"text": text})


@transaction.atomic
def leads_bulk_move(*, leads: list[Lead], stage: str, actor: User | None = None, lost_reason: str = "") -> int:
    """Move each lead; returns how many changed (leads already there are left as they are)."""
    changed = 0
    for lead in leads:
        before = (lead.stage, lead.lost_reason)
        lead_move_stage(lead=lead, stage=stage, actor=actor, lost_reason=lost_reason)
        changed += (lead.stage, lead.lost_reason) != before
    return changed


@transaction.atomic
def leads_bulk_assign(*, leads: list[Lead], user: User | None, actor: User | None = None) -> int:
    """Assign each lead; returns how many changed hands."""
    assignable_user(user)
    changed = 0
    for lead in leads:
        before = lead.assigned_to_id
        lead_assign(lead=lead, user=user, actor=actor)
        changed += lead.assigned_to_id != before
    return changed


@transaction.atomic
def lead_delete(*, lead: Lead, actor: User | None = None) -> None:
    """Delete a lead and the duplicates merged into it: the same person, whose history it now holds.

    Left behind, a merged duplicate would come back as an active lead with an empty timeline.
    """
    doomed, frontier = [lead.pk], [lead.pk]
    while frontier:
        frontier = list(Lead.objects.filter(merged_into__in=frontier).values_list("pk", flat=True))
        doomed += frontier
    Lead.objects.filter(pk__in=doomed).delete()
