"""Conversations with prospects, their messages, the consent ledger and raw webhook events.

One conversation per lead and channel: a prospect who texts twice a year keeps one thread, which
is closed between exchanges and reopened by the next message. Messages are never deleted by the
app; a failed send stays visible with its error.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from crm.leads.models import Lead
from crm.properties.models import Property
from crm.teams.models import Team, TeamOwned
from loriaa.ids import uuid7


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"


class ConversationStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


def new_reply_token() -> str:
    # Part of the per-conversation reply address (reply+<token>@...): unguessable, so a stranger
    # cannot inject mail into someone else's thread by guessing the address.
    return secrets.token_hex(12)


class Conversation(TeamOwned):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="conversations")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="conversations")
    property = models.ForeignKey(Property, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=ConversationStatus.choices, default=ConversationStatus.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ai_enabled = models.BooleanField(
        default=True, help_text="Off when a person has taken over: the AI stops replying in this thread."
    )
    unread = models.BooleanField(default=False)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    last_preview = models.CharField(max_length=160, blank=True)
    reply_token = models.CharField(max_length=32, unique=True, default=new_reply_token, editable=False)
    subject = models.CharField(max_length=200, blank=True, help_text="Email thread subject.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_message_at"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "channel"], name="conversation_one_per_lead_channel"),
        ]
        indexes = [
            models.Index(fields=["team", "-last_message_at"], name="conversation_team_recent"),
            models.Index(fields=["team", "status", "-last_message_at"], name="conversation_team_status"),
        ]

    def __str__(self) -> str:
        return f"{self.lead} ({self.get_channel_display()})"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    HELD = "held", "Held for quiet hours"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    RECEIVED = "received", "Received"


class Transport(models.TextChoices):
    TWILIO = "twilio", "Twilio"
    SENDGRID = "sendgrid", "SendGrid"
    OUTBOX = "outbox", "Local outbox"


class Message(TeamOwned):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    body = models.TextField(blank=True)
    subject = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    transport = models.CharField(max_length=10, choices=Transport.choices, blank=True)
    provider_id = models.CharField(max_length=100, blank=True, help_text="Twilio MessageSid or SendGrid message id.")
    from_address = models.CharField(max_length=254, blank=True)
    to_address = models.CharField(max_length=254, blank=True)
    error = models.TextField(blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by_agent = models.CharField(max_length=20, blank=True, help_text="The AI agent that wrote it, if any.")
    automated = models.BooleanField(default=False, help_text="Reminders, follow-ups and AI replies: quiet hours apply.")
    system = models.BooleanField(
        default=False, help_text="A STOP/START/HELP confirmation: the one reply that goes out whatever the consent."
    )
    send_after = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    source_task = models.ForeignKey(
        "leads.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The reminder or follow-up task that sent it.",
    )  # fmt: skip

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # A provider id names one message: a redelivered webhook cannot store it twice.
            models.UniqueConstraint(
                fields=["transport", "provider_id"],
                condition=~models.Q(provider_id=""),
                name="message_unique_provider_id",
            ),
            # One reminder message per task, however often the sweep runs.
            models.UniqueConstraint(
                fields=["source_task"], condition=models.Q(source_task__isnull=False), name="message_one_per_task"
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="message_conversation_time"),
            models.Index(fields=["status", "send_after"], name="message_status_send_after"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.get_channel_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def author_label(self) -> str:
        if self.direction == Direction.INBOUND:
            return self.lead.full_name
        if self.sent_by_agent:
            return f"AI ({self.sent_by_agent})"
        if self.sent_by_id:
            return self.sent_by.display_name if self.sent_by else ""
        return "Automated"


def attachment_path(instance: MessageAttachment, filename: str) -> str:
    # Generated keys: the sender's file name is kept as data only, never as a path.
    return f"inbox/{instance.team_id}/{uuid7().hex}"


class MessageAttachment(TeamOwned):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.filename or self.file.name


class ConsentState(models.TextChoices):
    OPTED_IN = "opted_in", "Opted in"
    OPTED_OUT = "opted_out", "Opted out"


class ConsentSource(models.TextChoices):
    KEYWORD = "keyword", "Keyword reply (STOP/START)"
    UNSUBSCRIBE_LINK = "unsubscribe", "Unsubscribe link"
    PROVIDER = "provider", "Provider report (bounce, spam report, carrier block)"
    STAFF = "staff", "Staff"
    API = "api", "API"
    INBOUND = "inbound", "Prospect wrote to us"


class ConsentRecord(TeamOwned):
    """The consent ledger: append-only, the newest row per lead and channel is the current state."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="consent_records")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    state = models.CharField(max_length=10, choices=ConsentState.choices)
    source = models.CharField(max_length=12, choices=ConsentSource.choices)
    evidence = models.TextField(blank=True, help_text="The message, link or note that changed consent.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["lead", "channel", "-created_at"], name="consent_lead_channel_latest")]

    def __str__(self) -> str:
        return f"{self.lead} {self.channel}: {self.get_state_display()}"


class EventStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSING = "processing", "Processing"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Failed"
    IGNORED = "ignored", "Ignored"


class InboundEvent(models.Model):
    """A verified webhook, stored raw before any processing so nothing is lost.

    Not team-scoped: the team is only known once the event is read (the number or address it was
    sent to), and unknown numbers are kept for the admin to see. Never shown outside the admin.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    provider = models.CharField(max_length=16)
    event_id = models.CharField(max_length=200)
    kind = models.CharField(max_length=32)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    payload = models.JSONField()
    status = models.CharField(max_length=12, choices=EventStatus.choices, default=EventStatus.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    deliveries = models.PositiveIntegerField(default=1, help_text="How many times the provider sent it.")
    received_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(
        default=timezone.now, help_text="When a processing task was last sent (the sweep waits before resending)."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[InboundEvent]] = models.Manager()

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="inbound_event_unique")]
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_event_status")]

    def __str__(self) -> str:
        return f"{self.provider} {self.kind} {self.event_id}"


class CannedReply(TeamOwned):
    """A saved reply; ``{first_name}`` and ``{property}`` are filled in from the conversation."""

    title = models.CharField(max_length=80)
    body = models.TextField()

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["team", "title"], name="canned_reply_unique_title")]

    def __str__(self) -> str:
        return self.title
