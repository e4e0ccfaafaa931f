"""The guest card (Lead), its timeline, tours, follow-up tasks, merges and CSV imports."""

from __future__ import annotations

import builtins
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Func, Q
from django.utils import timezone
from django_scopes import ScopedManager

from crm.properties.models import Property
from crm.teams.models import Team, TeamOwned


class Stage(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    TOUR_SCHEDULED = "tour_scheduled", "Tour scheduled"
    TOURED = "toured", "Toured"
    APPLIED = "applied", "Applied"
    LEASED = "leased", "Leased"
    LOST = "lost", "Lost"


OPEN_STAGES = [Stage.NEW, Stage.CONTACTED, Stage.TOUR_SCHEDULED, Stage.TOURED, Stage.APPLIED]


class Source(models.TextChoices):
    WEBSITE = "website", "Website"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    GOOGLE_ADS = "google_ads", "Google Ads"
    ZILLOW = "zillow", "Zillow"
    APARTMENTS_COM = "apartments_com", "Apartments.com"
    PHONE = "phone", "Phone"
    WALK_IN = "walk_in", "Walk-in"
    REFERRAL = "referral", "Referral"
    OTHER = "other", "Other"


class LostReason(models.TextChoices):
    PRICE = "price", "Price"
    LOCATION = "location", "Location"
    LEASED_ELSEWHERE = "leased_elsewhere", "Leased elsewhere"
    UNRESPONSIVE = "unresponsive", "Stopped responding"
    NOT_QUALIFIED = "not_qualified", "Did not qualify"
    NO_AVAILABILITY = "no_availability", "No availability"
    SPAM = "spam", "Spam or not a prospect"
    OTHER = "other", "Other"


class SearchText(Func):
    """lower(first || ' ' || last || ' ' || email): what the name/email search matches (indexed)."""

    function = "loriaa_lead_search_text"
    output_field = models.TextField()


class LeadQuerySet(models.QuerySet["Lead"]):
    def active(self) -> LeadQuerySet:
        """Leads that are not folded into another by a merge."""
        return self.filter(merged_into__isnull=True)


class Lead(TeamOwned):
    """The guest card: one prospect, from any source, with everything the team knows."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="leads")
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +15125550100.")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.OTHER)
    source_detail = models.CharField(max_length=200, blank=True, help_text="Campaign, listing or referrer.")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.NEW)
    lost_reason = models.CharField(max_length=20, choices=LostReason.choices, blank=True)
    property = models.ForeignKey(Property, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    desired_beds = models.PositiveSmallIntegerField(null=True, blank=True)
    budget_min = models.PositiveIntegerField(null=True, blank=True)
    budget_max = models.PositiveIntegerField(null=True, blank=True)
    move_in_date = models.DateField(null=True, blank=True)
    pets = models.CharField(max_length=120, blank=True)
    notes = models.TextField(blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    score_factors = models.JSONField(default=list, blank=True)
    score_explanation = models.TextField(blank=True)
    next_follow_up_at = models.DateTimeField(null=True, blank=True)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[Any] = ScopedManager(team="team", _manager_class=models.Manager.from_queryset(LeadQuerySet))

    class Meta:
        default_manager_name = "objects"
        indexes = [
            # The board: one column = one stage, newest movement first, keyset-paginated.
            models.Index(
                fields=["team", "stage", "-stage_changed_at", "-id"],
                name="lead_board",
                condition=Q(merged_into__isnull=True),
            ),
            models.Index(fields=["team", "-created_at", "-id"], name="lead_recent"),
            # The API list filtered by stage (keyset on created_at within one stage).
            models.Index(
                fields=["team", "stage", "-created_at", "-id"],
                name="lead_stage_recent",
                condition=Q(merged_into__isnull=True),
            ),
            models.Index(fields=["team", "email"], name="lead_email", condition=~Q(email="")),
            models.Index(fields=["team", "phone"], name="lead_phone", condition=~Q(phone="")),
            models.Index(fields=["team", "assigned_to"], name="lead_assignee"),
            models.Index(fields=["team", "property"], name="lead_property"),
            GinIndex(
                OpClass(SearchText("first_name", "last_name", "email"), name="gin_trgm_ops"),
                name="lead_search_trgm",
            ),
            GinIndex(OpClass("phone", name="gin_trgm_ops"), name="lead_phone_trgm"),
        ]

    def __str__(self) -> str:
        return self.full_name

    # ``property`` is a field of this model, so the decorator is spelt out in full.
    @builtins.property
    def full_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email or self.phone or "Unnamed prospect"

    @builtins.property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class ActivityKind(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    STAGE_CHANGED = "stage_changed", "Stage changed"
    ASSIGNED = "assigned", "Assigned"
    NOTE = "note", "Note"
    DUPLICATE_SUBMITTED = "duplicate", "Submitted again"
    MERGED = "merged", "Merged"
    UNMERGED = "unmerged", "Merge undone"
    TOUR = "tour", "Tour"
    TASK = "task", "Task"
    IMPORTED = "imported", "Imported"
    MESSAGE = "message", "Message"
    SCORE = "score", "Score"


class LeadActivity(TeamOwned):
    """One line of a lead's timeline. Written by services, never edited."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        default_manager_name = "objects"
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "lead activities"
        indexes = [models.Index(fields=["lead", "-created_at"], name="activity_timeline")]

    def __str__(self) -> str:
        return self.summary


class TourStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled", "Cancelled"


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Tour(TeamOwned):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="tours")
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="tours")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The agent's busy window: the tour plus the property's buffer. The database refuses two
    # overlapping busy windows for one agent, so a double booking cannot slip through a race.
    busy_until = models.DateTimeField()
    status = models.CharField(max_length=12, choices=TourStatus.choices, default=TourStatus.SCHEDULED)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        default_manager_name = "objects"
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="tour_ends_after_start"),
            ExclusionConstraint(
                name="tour_no_double_booking",
                expressions=[
                    ("agent", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "busy_until"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status="scheduled"),
            ),
        ]
        indexes = [models.Index(fields=["team", "starts_at"], name="tour_calendar")]

    def __str__(self) -> str:
        return f"Tour for {self.lead} at {self.starts_at:%Y-%m-%d %H:%M}"


class TaskKind(models.TextChoices):
    FOLLOW_UP = "follow_up", "Follow up"
    CALL = "call", "Call"
    EMAIL = "email", "Email"
    TEXT = "text", "Text"
    TOUR_REMINDER = "tour_reminder", "Tour reminder"


class Task(TeamOwned):
    """A follow-up someone owes a lead. Overdue when not done by ``due_at``."""

    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    tour = models.ForeignKey(Tour, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=TaskKind.choices, default=TaskKind.FOLLOW_UP)
    title = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        default_manager_name = "objects"
        ordering = ["due_at"]
        indexes = [
            models.Index(
                fields=["team", "assigned_to", "due_at"],
                name="task_open_by_assignee",
                condition=Q(completed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.completed_at is None and self.due_at < timezone.now()


class LeadMerge(TeamOwned):
    """A duplicate folded into a primary lead; everything needed to undo it."""

    primary = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="merges")
    duplicate = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    primary_before = models.JSONField(encoder=DjangoJSONEncoder, help_text="The primary's fields before the merge.")
    moved = models.JSONField(default=dict, help_text="Ids of rows moved from the duplicate, by model.")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_manager_name = "objects"
        ordering = ["-created_at"]


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class LeadImport(TeamOwned):
    """A CSV import: its mapping, progress and per-row report."""

    filename = models.CharField(max_length=200)
    content = models.TextField(help_text="The uploaded CSV, decoded to text.")
    mapping = models.JSONField(default=dict, help_text="Lead field → CSV column.")
    default_property = models.ForeignKey(Property, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    default_source = models.CharField(max_length=20, choices=Source.choices, default=Source.OTHER)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, errors: {field: [messages]}}]")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_manager_name = "objects"
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
