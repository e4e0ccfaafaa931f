"""Twilio's webhooks: inbound texts and delivery status callbacks.

Public URLs (Twilio cannot log in, and the team middleware finds no session, so no team scope is
entered here). Each view works out which team the request concerns, verifies the signature with
*that team's* Twilio credentials, and only then stores the raw event: an unsigned, mis-signed or
unverifiable request answers 403 and leaves nothing behind. Processing happens after commit, in a task.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_scopes import scopes_disabled
from twilio.twiml.messaging_response import MessagingResponse

from crm.inbox.models import Message, Transport
from crm.inbox.services.intake import store_event
from crm.leads.phones import normalize_phone
from crm.properties.models import Property
from crm.teams.models import Team
from integrations.credentials import twilio_credentials, twilio_webhook_token
from integrations.twilio.signature import verify_request

logger = logging.getLogger(__name__)

PROVIDER = "twilio"


@csrf_exempt
@require_POST
def inbound_sms(request: HttpRequest) -> HttpResponse:
    """A prospect's text (or MMS) to a property's number. Replies go out through the REST API,
    where they are stored and consent-checked, so the TwiML answer is always empty."""
    team = _team_of_number(request.POST.get("To", ""))
    refused = _refuse_unless_signed(request, team)
    if refused:
        return refused
    message_sid = request.POST.get("MessageSid") or request.POST.get("SmsSid") or ""
    if not message_sid:
        return HttpResponse("MessageSid is required.", status=400, content_type="text/plain")
    store_event(
        provider=PROVIDER, event_id=message_sid, kind="twilio.sms", payload=form_payload(request.POST), team=team
    )
    return HttpResponse(str(MessagingResponse()), content_type="text/xml")


@csrf_exempt
@require_POST
def status_callback(request: HttpRequest) -> HttpResponse:
    """Twilio's report on an outbound text; each status transition is its own event."""
    message_sid = request.POST.get("MessageSid") or request.POST.get("SmsSid") or ""
    team = _team_of_message(message_sid) or _team_of_number(request.POST.get("From", ""))
    refused = _refuse_unless_signed(request, team)
    if refused:
        return refused
    status = request.POST.get("MessageStatus") or request.POST.get("SmsStatus") or ""
    if not message_sid or not status:
        return HttpResponse("MessageSid and MessageStatus are required.", status=400, content_type="text/plain")
    store_event(
        provider=PROVIDER, event_id=f"{message_sid}:{status}", kind="twilio.status",
        payload=form_payload(request.POST), team=team,
    )  # fmt: skip
    return HttpResponse(status=204)


def form_payload(form: QueryDict) -> dict[str, Any]:
    """The signed form as JSON: one string per field, a (sorted) list only for a repeated field.

    Sorted because the signature covers each field's values but not their order.
    """
    return {name: values[0] if len(values) == 1 else sorted(values) for name, values in form.lists()}


def _refuse_unless_signed(request: HttpRequest, team: Team | None) -> HttpResponse | None:
    credentials = twilio_credentials(team)
    token = credentials.auth_token if credentials else twilio_webhook_token(team)
    if token is None:
        logger.warning("twilio webhook refused: no Twilio account to verify it with", extra={"path": request.path})
        return HttpResponse("Twilio is not configured.", status=403, content_type="text/plain")
    if not verify_request(request, token):
        logger.warning("twilio webhook refused: bad signature", extra={"path": request.path})
        return HttpResponse("Invalid signature.", status=403, content_type="text/plain")
    account = request.POST.get("AccountSid", "")
    if credentials and account and account != credentials.account_sid:
        # Signed with this team's token yet naming another account: not a request we sent for.
        logger.warning("twilio webhook refused: account mismatch", extra={"path": request.path})
        return HttpResponse("Wrong account.", status=403, content_type="text/plain")
    return None


def _team_of_number(raw: str) -> Team | None:
    number = normalize_phone(raw)
    if not number:
        return None
    with scopes_disabled():
        property = Property.objects.filter(sms_number=number).select_related("team").first()
    return property.team if property else None


def _team_of_message(message_sid: str) -> Team | None:
    if not message_sid:
        return None
    with scopes_disabled():
        message = (
            Message.objects.filter(transport=Transport.TWILIO, provider_id=message_sid).select_related("team").first()
        )
    return message.team if message else None
