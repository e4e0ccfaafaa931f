"""Tours: inside office hours, in the property's time zone, never two at once for one agent."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.accounts.models import User
from crm.leads.models import ActivityKind, Lead, Stage, TaskKind, Tour, TourStatus
from crm.leads.services.activity import record
from crm.leads.services.followups import task_create
from crm.leads.services.leads import advance_stage, assignable_user
from crm.properties.models import Property

REMINDER_BEFORE = timedelta(hours=24)
SLOT_STEP = timedelta(minutes=15)


def _agent_busy(agent: User, start: datetime, busy_until: datetime, exclude: Tour | None = None) -> bool:
    clashes = Tour.objects.filter(
        agent=agent, status=TourStatus.SCHEDULED, starts_at__lt=busy_until, busy_until__gt=start
    )
    if exclude is not None:
        clashes = clashes.exclude(pk=exclude.pk)
    return clashes.exists()


@transaction.atomic
def tour_schedule(
    *, lead: Lead, property: Property, agent: User, starts_at: datetime, actor: User | None = None, notes: str = ""
) -> Tour:
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at, property.tz)
    assignable_user(agent)
    ends_at = starts_at + property.tour_length()
    busy_until = ends_at + timedelta(minutes=property.tour_buffer_minutes)
    local = starts_at.astimezone(property.tz)
    if starts_at < timezone.now():
        raise ValidationError({"starts_at": ["Pick a time in the future."]})
    if not property.is_open(starts_at, ends_at):
        raise ValidationError(
            {"starts_at": [f"{property.name} is closed at {local:%a %b %-d, %-I:%M %p} ({property.timezone})."]}
        )
    if _agent_busy(agent, starts_at, busy_until):
        raise ValidationError({"agent": [f"{agent.display_name} already has a tour then."]})
    try:
        with transaction.atomic():
            tour = Tour.objects.create(
                team_id=lead.team_id,
                lead=lead,
                property=property,
                agent=agent,
                starts_at=starts_at,
                ends_at=ends_at,
                busy_until=busy_until,
                notes=notes.strip(),
                created_by=actor,
            )
    except IntegrityError as exc:  # the exclusion constraint caught a simultaneous booking
        raise ValidationError({"agent": [f"{agent.display_name} already has a tour then."]}) from exc

    record(
        lead=lead,
        kind=ActivityKind.TOUR,
        actor=actor,
        summary=f"Tour booked at {property.name} for {local:%a %b %-d, %-I:%M %p} with {agent.display_name}",
        data={"tour": str(tour.pk), "status": tour.status},
    )
    advance_stage(lead=lead, stage=Stage.TOUR_SCHEDULED, actor=actor)
    # The inbox sends reminders from these tasks; the agent sees them in "my tasks" meanwhile.
    task_create(
        lead=lead,
        title=f"Remind {lead.full_name} of the tour",
        kind=TaskKind.TOUR_REMINDER,
        due_at=max(starts_at - REMINDER_BEFORE, timezone.now()),
        assigned_to=agent,
        actor=actor,
        tour=tour,
    )
    return tour


@transaction.atomic
def tour_set_status(*, tour: Tour, status: str, actor: User | None = None) -> Tour:
    if status not in TourStatus.values:
        raise ValidationError({"status": [f"Unknown tour status “{status}”."]})
    if status == tour.status:
        return tour
    tour.status = status
    tour.save(update_fields=["status"])
    if status != TourStatus.SCHEDULED:
        tour.reminders.filter(completed_at__isnull=True).update(completed_at=timezone.now())
    day = tour.starts_at.astimezone(tour.property.tz)
    record(
        lead=tour.lead,
        kind=ActivityKind.TOUR,
        actor=actor,
        summary=f"Tour on {day:%b %-d} marked {TourStatus(status).label.lower()}",
        data={"tour": str(tour.pk), "status": status},
    )
    if status == TourStatus.COMPLETED:
        advance_stage(lead=tour.lead, stage=Stage.TOURED, actor=actor)
    return tour


def available_slots(*, property: Property, agent: User, day: date) -> list[datetime]:
    """Start times on ``day`` (the property's local date) when ``agent`` could give a tour."""
    length = property.tour_length()
    buffer = timedelta(minutes=property.tour_buffer_minutes)
    booked = list(
        Tour.objects.filter(
            agent=agent,
            status=TourStatus.SCHEDULED,
            starts_at__date__gte=day - timedelta(days=1),
            starts_at__date__lte=day + timedelta(days=1),
        ).values_list("starts_at", "busy_until")
    )
    now = timezone.now()
    slots = []
    for opens, closes in property.opening_spans(day):
        start = opens
        while start + length <= closes:
            end = start + length + buffer
            if start > now and not any(b_start < end and b_end > start for b_start, b_end in booked):
                slots.append(start)
            start += SLOT_STEP
    return slots
