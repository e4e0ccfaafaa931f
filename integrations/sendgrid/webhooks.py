"""SendGrid's two webhooks: Inbound Parse (a prospect's reply) and the signed Event Webhook
(delivered, bounced, spam report...). Each verifies the caller, stores the raw events through
``intake.store_event`` and answers 200 at once; the handlers run after commit.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_scopes import scopes_disabled
from sendgrid.helpers.eventwebhook import EventWebhook

from crm.inbox.models import Channel, Conversation, InboundEvent
from crm.inbox.services.intake import store_event
from crm.teams.models import Team
from integrations.crypto import CredentialsUnreadable
from integrations.models import IntegrationConfig, Provider
from integrations.sendgrid.parsing import InboundEmail, decode_fields, parse_inbound
from loriaa.ids import uuid7

logger = logging.getLogger(__name__)

PROVIDER = "sendgrid"
SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
# A signed batch older (or newer) than this is a replay, not a delivery.
MAX_EVENT_AGE_SECONDS = 600
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 10


# --- Inbound Parse -----------------------------------------------------------------------------


def inbound_key_ok(key: str) -> bool:
    secret = settings.SENDGRID_INBOUND_SECRET
    if not secret:
        return False
    return hmac.compare_digest(key.encode(), secret.encode())


@csrf_exempt
@require_POST
def inbound_parse(request: HttpRequest) -> HttpResponse:
    # Inbound Parse cannot sign its posts; the secret in the URL we gave SendGrid stands in.
    if not inbound_key_ok(request.GET.get("key", "")):
        logger.warning("sendgrid inbound refused: bad or missing key")
        return HttpResponse(status=403)
    # Read the form as Latin-1 (lossless), so each field can be decoded in its own charset.
    request.encoding = "iso-8859-1"
    email = parse_inbound(decode_fields(request.POST), _uploads(request))
    conversation = _conversation(email.reply_token)
    team = conversation.team if conversation is not None else None
    event_id = email.event_id
    redelivery = InboundEvent.objects.filter(provider=PROVIDER, event_id=event_id[:200]).exists()
    stored, skipped = ([], []) if redelivery else _store_attachments(email, team)
    inserted = False
    try:
        inserted = store_event(
            provider=PROVIDER,
            event_id=event_id,
            kind="sendgrid.inbound",
            payload=email.payload(attachments=stored, skipped=skipped),
            team=team,
        )
    finally:
        if not inserted:  # a simultaneous redelivery won the race, or the insert failed
            _delete([item["key"] for item in stored])
    return HttpResponse("ok")


def _uploads(request: HttpRequest) -> dict[str, File[Any]]:
    uploads = {name: request.FILES.get(name) for name in request.FILES}
    return {name: upload for name, upload in uploads.items() if isinstance(upload, File)}


def _conversation(token: str) -> Conversation | None:
    if not token:
        return None
    with scopes_disabled():
        return Conversation.objects.select_related("team").filter(reply_token=token, channel=Channel.EMAIL).first()


def _store_attachments(email: InboundEmail, team: Team | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Files go to storage before the event row (its payload is JSON); the handler links them."""
    stored: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for attachment in email.attachments:
        meta = {"filename": attachment.filename, "content_type": attachment.content_type, "size": attachment.size}
        if team is None:
            reason = "unknown recipient"  # nobody will read it: keep the record, not the file
        elif attachment.size > MAX_ATTACHMENT_BYTES:
            reason = "larger than 5 MB"
        elif len(stored) >= MAX_ATTACHMENTS:
            reason = f"more than {MAX_ATTACHMENTS} attachments"
        else:
            # A generated key: the sender's file name is data, never part of a path.
            key = default_storage.save(f"inbox/{team.pk}/{uuid7().hex}", attachment.content)
            stored.append({**meta, "key": key})
            continue
        skipped.append({**meta, "reason": reason})
    return stored, skipped


def _delete(keys: list[str]) -> None:
    for key in keys:
        try:
            default_storage.delete(key)
        except Exception:  # noqa: BLE001 - an orphaned file is harmless; losing the request is not
            logger.warning("could not delete an unused inbound attachment", extra={"key": key})


# --- Event Webhook -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    """Which key signed the batch: the environment's (any team) or one team's own account."""

    team: Team | None


def verify_events(raw: bytes, signature: str, timestamp: str, *, now: float | None = None) -> Verified | None:
    if not signature or not timestamp.isdigit():
        return None
    if abs((now if now is not None else time.time()) - int(timestamp)) > MAX_EVENT_AGE_SECONDS:
        return None
    try:
        body = raw.decode("utf-8")  # the SDK re-encodes as UTF-8: byte for byte for valid UTF-8
    except UnicodeDecodeError:
        return None
    for key, team in _public_keys():
        try:
            verifier = EventWebhook(_key_body(key))
            if verifier.verify_signature(body, signature, timestamp):
                return Verified(team=team)
        except (ValueError, TypeError, binascii.Error):
            continue  # a malformed key or signature verifies nothing
    return None


def _public_keys() -> list[tuple[str, Team | None]]:
    """The environment's key first, then each team's own (a hosted install has one per account)."""
    keys: list[tuple[str, Team | None]] = []
    if settings.SENDGRID_EVENT_PUBLIC_KEY:
        keys.append((settings.SENDGRID_EVENT_PUBLIC_KEY, None))
    with scopes_disabled():
        configs = IntegrationConfig.objects.filter(provider=Provider.SENDGRID, enabled=True).select_related("team")
        for config in configs:
            try:
                key = config.secrets.get("event_public_key", "")
            except CredentialsUnreadable:  # a rotated-away key: that team's events cannot verify
                logger.warning("sendgrid config secrets unreadable", extra={"team_id": str(config.team_id)})
                continue
            if key:
                keys.append((key, config.team))
    return keys


def _key_body(key: str) -> str:
    """The base64 body of the key, whether it was pasted with or without the PEM armour."""
    lines = [line.strip() for line in key.strip().splitlines() if line.strip() and "-----" not in line]
    return "".join(lines)


@csrf_exempt
@require_POST
def event_webhook(request: HttpRequest) -> HttpResponse:
    raw = request.body
    verified = verify_events(raw, request.headers.get(SIGNATURE_HEADER, ""), request.headers.get(TIMESTAMP_HEADER, ""))
    if verified is None:
        logger.warning("sendgrid event webhook refused: signature, key or timestamp")
        return HttpResponse(status=403)
    try:
        events = json.loads(raw)
    except ValueError:
        return HttpResponse("Body is not JSON.", status=400)
    if not isinstance(events, list) or not all(isinstance(item, dict) for item in events):
        return HttpResponse("Body is not a JSON array of events.", status=400)
    teams: dict[str, Team | None] = {}
    with transaction.atomic():
        for item in events:
            store_event(
                provider=PROVIDER,
                event_id=_event_id(item),
                kind="sendgrid.event",
                payload=item,
                team=_event_team(item, verified, teams),
            )
    return HttpResponse("ok")


def _event_id(item: dict[str, Any]) -> str:
    event_id = item.get("sg_event_id")
    if isinstance(event_id, str) and event_id:
        return event_id
    return "sha256:" + hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()


def _event_team(item: dict[str, Any], verified: Verified, cache: dict[str, Team | None]) -> Team | None:
    """The team our custom argument names, if it exists and the key that signed may speak for it."""
    raw = item.get("loriaa_team_id")
    try:
        team_id = str(uuid.UUID(str(raw)))
    except (TypeError, ValueError):
        return None
    if team_id not in cache:
        cache[team_id] = Team.objects.filter(pk=team_id).first()
    team = cache[team_id]
    if team is not None and verified.team is not None and verified.team.pk != team.pk:
        return None  # one team's SendGrid account cannot report on another team's messages
    return team
