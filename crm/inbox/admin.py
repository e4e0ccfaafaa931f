"""Operators' view of the inbox, across teams (TeamMiddleware disables scopes in the admin).

Messages, conversations and the consent ledger are records of what happened: they are shown,
not edited (sending, assigning and consent go through the app's services, which write the
timeline). Consent can be *added* here with evidence; webhook events can be replayed.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from crm.inbox.models import CannedReply, ConsentRecord, Conversation, InboundEvent, Message, MessageAttachment
from crm.inbox.services import intake
from crm.inbox.services.canned import validate_canned_body
from crm.inbox.services.consent import record_consent


class ViewOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttachmentInline(admin.TabularInline):
    model = MessageAttachment
    extra = 0
    can_delete = False
    fields = readonly_fields = ("filename", "content_type", "size", "file")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(ViewOnlyAdmin):
    list_display = [
        "lead",
        "channel",
        "status",
        "ai_enabled",
        "unread",
        "assignee",
        "property",
        "team",
        "last_message_at",
    ]
    list_filter = ["channel", "status", "ai_enabled", "unread", "team"]
    search_fields = ["lead__first_name", "lead__last_name", "lead__email", "lead__phone"]
    list_select_related = ["lead", "assignee", "property", "team"]
    date_hierarchy = "last_message_at"


@admin.register(Message)
class MessageAdmin(ViewOnlyAdmin):
    list_display = ["created_at", "lead", "direction", "channel", "status", "transport", "short_body", "team"]
    list_filter = ["direction", "status", "transport", "channel", "automated", "team"]
    search_fields = ["body", "provider_id", "to_address", "from_address", "lead__first_name", "lead__last_name"]
    list_select_related = ["lead", "team"]
    date_hierarchy = "created_at"
    inlines = [AttachmentInline]

    @admin.display(description="message")
    def short_body(self, message: Message) -> str:
        return message.body[:80]


class ConsentRecordForm(forms.ModelForm):
    # No Meta: the admin builds the form per request, inside its scopes_disabled().

    def clean_evidence(self) -> str:
        evidence = (self.cleaned_data.get("evidence") or "").strip()
        if not evidence:
            raise forms.ValidationError(
                "Say what changed the consent (the message, call note or form), for the record."
            )
        return evidence


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    """Append-only: a change of consent is a new row (the newest one counts), never an edit."""

    form = ConsentRecordForm
    list_display = ["created_at", "lead", "channel", "state", "source", "recorded_by", "team"]
    list_filter = ["channel", "state", "source", "team"]
    search_fields = ["lead__first_name", "lead__last_name", "lead__email", "lead__phone", "evidence"]
    list_select_related = ["lead", "recorded_by", "team"]
    raw_id_fields = ["lead"]
    fields = ("lead", "channel", "state", "source", "evidence")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: ConsentRecord | None = None) -> list[str]:
        return ["lead", "channel", "state", "source", "evidence", "recorded_by", "created_at", "team"] if obj else []

    def save_model(self, request: HttpRequest, obj: ConsentRecord, form: Any, change: bool) -> None:
        # Through the service, so the lead's timeline says who changed consent and why.
        entry = record_consent(
            obj.lead,
            obj.channel,
            obj.state,
            source=obj.source,
            evidence=obj.evidence,
            user=request.user,  # type: ignore[arg-type]
        )
        obj.pk, obj.team_id, obj.created_at, obj.recorded_by = (
            entry.pk,
            entry.team_id,
            entry.created_at,
            entry.recorded_by,
        )
        obj._state.adding = False


@admin.register(InboundEvent)
class InboundEventAdmin(ViewOnlyAdmin):
    list_display = ["received_at", "provider", "kind", "status", "attempts", "deliveries", "team", "event_id"]
    list_filter = ["provider", "kind", "status"]
    search_fields = ["event_id", "error"]
    list_select_related = ["team"]
    date_hierarchy = "received_at"
    fields = readonly_fields = (
        "provider", "kind", "event_id", "team", "status", "attempts", "deliveries", "error",
        "received_at", "started_at", "processed_at", "pretty_payload",
    )  # fmt: skip
    actions = ["replay_events"]

    @admin.display(description="payload")
    def pretty_payload(self, event: InboundEvent) -> str:
        return format_html("<pre class='payload'>{}</pre>", json.dumps(event.payload, indent=2, sort_keys=True))

    @admin.action(description="Replay selected events")
    def replay_events(self, request: HttpRequest, queryset: QuerySet[InboundEvent]) -> None:
        count = 0
        for event in queryset:
            intake.replay(event)
            count += 1
        self.message_user(request, f"Replaying {count} event{'s' if count != 1 else ''}.", messages.SUCCESS)


class CannedReplyAdminForm(forms.ModelForm):
    def clean_body(self) -> str:
        body = self.cleaned_data.get("body") or ""
        validate_canned_body(body)
        return body


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    form = CannedReplyAdminForm
    list_display = ["title", "team", "created_at"]
    list_filter = ["team"]
    search_fields = ["title", "body"]
    list_select_related = ["team"]
    autocomplete_fields = ["team"]
    fields = ["team", "title", "body"]
