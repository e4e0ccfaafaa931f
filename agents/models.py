"""What the AI agents did, what waits for a person's approval, each team's autonomy policy, and
the chat pane's history.

Every row belongs to a team (``TeamOwned``): the audit log, the approvals queue and the chat are
as tenant-scoped as the leads they are about.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_scopes import ScopedManager

from crm.leads.models import Lead
from crm.properties.models import Property
from crm.teams.models import TeamOwned

PENDING_ACTION_TTL = timedelta(hours=48)
DEFAULT_MAX_STEPS = 6


class AgentName(models.TextChoices):
    COO = "coo", "COO (routes to the right agent)"
    LEASING = "leasing", "Leasing agent"
    MARKETING = "marketing", "Marketing agent"
    PROPERTY = "property", "Property agent"


class Engine(models.TextChoices):
    LLM = "llm", "Language model"
    OFFLINE = "offline", "Offline engine"


class ActivityKind(models.TextChoices):
    TURN = "turn", "Turn"
    TOOL_CALL = "tool_call", "Tool call"
    APPROVAL = "approval", "Approval"


class ActivityStatus(models.TextChoices):
    EXECUTED = "executed", "Executed"
    PENDING_APPROVAL = "pending_approval", "Waiting for approval"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Failed"
    ANSWERED = "answered", "Answered"


class ToolCallStatus(models.TextChoices):
    """What became of one tool call (a subset of ``ActivityStatus``)."""

    EXECUTED = "executed", "Executed"
    PENDING_APPROVAL = "pending_approval", "Waiting for approval"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Failed"


class AgentActivity(TeamOwned):
    """One line of the agents' audit log: a turn, one tool call in it, or a decision on an approval.

    Written by the runtime and the approvals service, never edited. ``result`` is capped in size
    (see ``agents.tools.base.cap``): the log shows what happened, not every row a tool read.
    """

    agent = models.CharField(max_length=12, choices=AgentName.choices)
    kind = models.CharField(max_length=10, choices=ActivityKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    conversation_id = models.UUIDField(null=True, blank=True)
    tool = models.CharField(max_length=40, blank=True)
    arguments = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    result = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(max_length=16, choices=ActivityStatus.choices)
    error = models.TextField(blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    engine = models.CharField(max_length=8, choices=Engine.choices, default=Engine.OFFLINE)
    turn_id = models.UUIDField(db_index=True)

    objects: ClassVar[Any] = ScopedManager(team="team")

    class Meta:
        default_manager_name = "objects"
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "agent activities"
        indexes = [
            models.Index(fields=["team", "-created_at", "-id"], name="agentactivity_team_recent"),
            models.Index(fields=["lead", "-created_at"], name="agentactivity_lead_recent"),
        ]

    def __str__(self) -> str:
        what = self.tool or self.get_kind_display()
        return f"{self.agent}: {what} ({self.status})"


class PendingStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved and done"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"
    FAILED = "failed", "Approved, but it could not be done"


def pending_action_expiry() -> Any:
    return timezone.now() + PENDING_ACTION_TTL


class PendingAction(TeamOwned):
    """A side effect an agent proposed (a stage change, a tour, a message) that a person must approve.

    ``arguments`` are the tool's arguments as the server resolved them (ids inside the team), so
    approving runs exactly what ``summary`` describes, after every check is made again.
    """

    agent = models.CharField(max_length=12, choices=AgentName.choices)
    tool = models.CharField(max_length=40)
    arguments = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    summary = models.CharField(max_length=500, help_text="What approving will do, in words.")
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conversation_id = models.UUIDField(null=True, blank=True)
    turn_id = models.UUIDField()
    status = models.CharField(max_length=10, choices=PendingStatus.choices, default=PendingStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField(blank=True)
    expires_at = models.DateTimeField(default=pending_action_expiry)

    objects: ClassVar[Any] = ScopedManager(team="team")

    class Meta:
        default_manager_name = "objects"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["team", "-created_at", "-id"],
                name="pendingaction_open",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["lead", "-created_at"], name="pendingaction_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.summary} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class AutoReply(models.TextChoices):
    OFF = "off", "Off: people answer every message"
    DRAFT = "draft", "Draft: the agent drafts, a person sends"
    AUTONOMOUS = "autonomous", "Autonomous: the agent answers prospects itself"


class AgentPolicy(TeamOwned):
    """How far the agents may go on their own: the team's default, or one property's override."""

    property = models.ForeignKey(Property, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    auto_reply = models.CharField(max_length=10, choices=AutoReply.choices, default=AutoReply.DRAFT)
    autonomous_tools = models.JSONField(
        default=list,
        blank=True,
        help_text='Tools with side effects the agents may run without approval, e.g. ["schedule_tour"].',
    )
    max_steps = models.PositiveSmallIntegerField(default=DEFAULT_MAX_STEPS, help_text="Model calls per turn, at most.")
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[Any] = ScopedManager(team="team")

    class Meta:
        default_manager_name = "objects"
        verbose_name_plural = "agent policies"
        constraints = [
            models.UniqueConstraint(
                fields=["team", "property"], condition=Q(property__isnull=False), name="agentpolicy_one_per_property"
            ),
            models.UniqueConstraint(
                fields=["team"], condition=Q(property__isnull=True), name="agentpolicy_one_per_team"
            ),
        ]

    def __str__(self) -> str:
        return f"Agent policy ({'property ' + str(self.property_id) if self.property_id else 'team'})"


class ChatThread(TeamOwned):
    """One user's conversation with one agent in the chat pane."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agent = models.CharField(max_length=12, choices=AgentName.choices)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[Any] = ScopedManager(team="team")

    class Meta:
        default_manager_name = "objects"
        constraints = [models.UniqueConstraint(fields=["team", "user", "agent"], name="chatthread_one_per_agent")]

    def __str__(self) -> str:
        return f"{self.user_id} with {self.agent}"


class ChatRole(models.TextChoices):
    USER = "user", "User"
    ASSISTANT = "assistant", "Assistant"


class ChatMessage(TeamOwned):
    thread = models.ForeignKey(ChatThread, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=ChatRole.choices)
    content = models.TextField()
    sources = models.JSONField(default=list, blank=True)
    tool_calls = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    engine = models.CharField(max_length=8, choices=Engine.choices, blank=True)
    agent = models.CharField(max_length=12, choices=AgentName.choices, blank=True, help_text="Who answered.")
    turn_id = models.UUIDField(null=True, blank=True)

    objects: ClassVar[Any] = ScopedManager(team="team")

    class Meta:
        default_manager_name = "objects"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["thread", "-created_at"], name="chatmessage_thread_recent")]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:40]}"
