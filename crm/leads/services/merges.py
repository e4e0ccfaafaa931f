"""Merging a duplicate into a primary lead, keeping both timelines, and undoing it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crm.accounts.models import User
from crm.leads.models import ActivityKind, Lead, LeadActivity, LeadMerge, Task, Tour
from crm.leads.services.activity import record
from crm.leads.services.followups import refresh_next_follow_up
from crm.leads.services.leads import EDITABLE_FIELDS

MOVED_MODELS = {"activities": LeadActivity, "tasks": Task, "tours": Tour}


def _snapshot(lead: Lead) -> dict[str, Any]:
    fields = [*EDITABLE_FIELDS, "stage", "lost_reason", "assigned_to"]
    return {
        name: lead.serializable_value(name if name not in {"property", "assigned_to"} else f"{name}_id")
        for name in fields
    }


@transaction.atomic
def lead_merge(*, primary: Lead, duplicate: Lead, actor: User | None = None) -> LeadMerge:
    """Fold ``duplicate`` into ``primary``: its history moves over and its blanks fill the primary's."""
    if primary.pk == duplicate.pk:
        raise ValidationError({"duplicate": ["A lead cannot be merged into itself."]})
    if duplicate.merged_into_id is not None or primary.merged_into_id is not None:
        raise ValidationError({"duplicate": ["One of these leads is already merged."]})
    before = _snapshot(primary)
    for name in [*EDITABLE_FIELDS, "assigned_to"]:
        if getattr(primary, name) in (None, "") and getattr(duplicate, name) not in (None, ""):
            setattr(primary, name, getattr(duplicate, name))
    primary.save()
    moved = {}
    for key, model in MOVED_MODELS.items():
        ids = list(model.objects.filter(lead=duplicate).values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).update(lead=primary)
        moved[key] = [str(pk) for pk in ids]
    duplicate.merged_into = primary
    duplicate.save(update_fields=["merged_into", "updated_at"])
    # The duplicate's open tasks now belong to the primary: its "next follow-up" must see them.
    refresh_next_follow_up(primary)
    refresh_next_follow_up(duplicate)
    merge = LeadMerge.objects.create(
        team_id=primary.team_id,
        primary=primary,
        duplicate=duplicate,
        primary_before=before,
        moved=moved,
        merged_by=actor,
    )
    record(
        lead=primary,
        kind=ActivityKind.MERGED,
        actor=actor,
        summary=f"Merged {duplicate.full_name} into this lead",
        data={"merge": str(merge.pk), "duplicate": str(duplicate.pk)},
    )
    return merge


@transaction.atomic
def lead_merge_undo(*, merge: LeadMerge, actor: User | None = None) -> Lead:
    """Split the leads again: the duplicate gets its history back, the primary its old fields."""
    if merge.undone_at is not None:
        raise ValidationError({"merge": ["This merge was already undone."]})
    primary, duplicate = merge.primary, merge.duplicate
    for name, value in merge.primary_before.items():
        attribute = f"{name}_id" if name in {"property", "assigned_to"} else name
        setattr(primary, attribute, value)
    primary.save()
    for key, model in MOVED_MODELS.items():
        model.objects.filter(pk__in=merge.moved.get(key, [])).update(lead=duplicate)
    duplicate.merged_into = None
    duplicate.save(update_fields=["merged_into", "updated_at"])
    primary.refresh_from_db()  # the snapshot restored ids and ISO strings; reload real values
    refresh_next_follow_up(primary)
    refresh_next_follow_up(duplicate)
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    record(
        lead=primary,
        kind=ActivityKind.UNMERGED,
        actor=actor,
        summary=f"Split {duplicate.full_name} back out",
        data={"merge": str(merge.pk)},
    )
    return duplicate
