"""Development only (``INBOX_SIMULATOR``, on by default with DEBUG): "Simulate an inbound text".

The form builds the request Twilio would send, signs it the way Twilio does and hands it to the
real webhook view, so a simulated text goes through the same signature check, event store,
intake and STOP/START handling as a real one. 404 whenever the simulator is off.
"""

from __future__ import annotations

import mimetypes
import secrets
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.test import RequestFactory
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from django_htmx.http import push_url, reswap, retarget, trigger_client_event
from twilio.request_validator import RequestValidator

from crm.inbox.forms import SimulateForm
from crm.inbox.models import Message, Transport
from crm.inbox.selectors import ThreadFilters
from crm.inbox.services.threads import conversation_mark_read
from crm.inbox.views.pane import THREADS_CHANGED, pane_context, render_pane
from crm.inbox.views.threads import inbox_context
from crm.leads.permissions import CAN_WORK
from crm.properties.models import Property
from crm.teams.access import team_required
from crm.teams.models import Team
from crm.teams.types import TeamRequest
from integrations.credentials import twilio_credentials, twilio_webhook_token


class SimulatorUnavailable(Exception):
    pass


def twilio_sms_params(*, team: Team, property: Property, from_: str, body: str, media_url: str = "") -> dict[str, str]:
    """The form fields of Twilio's inbound-message webhook for a text to ``property``."""
    sid = "SM" + secrets.token_hex(16)
    credentials = twilio_credentials(team)
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": credentials.account_sid if credentials else "AC" + team.pk.hex,
        "From": from_,
        "To": property.sms_number or "",
        "Body": body,
        "NumMedia": "1" if media_url else "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    if media_url:
        params["MediaUrl0"] = media_url
        params["MediaContentType0"] = mimetypes.guess_type(urlsplit(media_url).path)[0] or "image/jpeg"
    return params


def post_to_webhook(*, team: Team, params: dict[str, str]) -> HttpResponse:
    """Call the Twilio webhook view with a request signed like Twilio's."""
    from integrations.twilio.webhooks import inbound_sms

    token = twilio_webhook_token(team)
    if token is None:
        raise SimulatorUnavailable("The simulator is off, so the webhook would refuse the request.")
    webhook_path = reverse("webhooks:twilio-sms")
    public_url = settings.SITE_URL + webhook_path
    signature = RequestValidator(token).compute_signature(public_url, params)
    site = urlsplit(settings.SITE_URL)
    request = RequestFactory().post(
        webhook_path,
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
        secure=site.scheme == "https",
        SERVER_NAME=site.hostname or "localhost",
        SERVER_PORT=str(site.port or (443 if site.scheme == "https" else 80)),
    )
    return inbound_sms(request)


@require_POST
@team_required(role=CAN_WORK)
def simulate(request: TeamRequest) -> HttpResponse:
    if not settings.INBOX_SIMULATOR:
        raise Http404("The inbound simulator is off.")
    form = SimulateForm(request.POST)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        params = twilio_sms_params(
            team=request.team, property=data["property"], from_=data["from_phone"], body=data["body"],
            media_url=data["media_url"],
        )  # fmt: skip
        try:
            answer = post_to_webhook(team=request.team, params=params)
        except SimulatorUnavailable as exc:
            error = str(exc)
        else:
            if answer.status_code == 200:
                return _delivered(request, params["MessageSid"])
            error = f"The webhook answered {answer.status_code}: {answer.content.decode(errors='replace')[:200]}"
    if error:
        form.add_error(None, error)
    if request.htmx:
        response = render(request, "inbox/index.html#simulate", {"simulate_form": form, "simulator": True}, status=422)
        return reswap(retarget(response, "#simulate-form"), "outerHTML")
    context = inbox_context(request, ThreadFilters()) | {"simulate_form": form}
    return render(request, "inbox/index.html", context, status=422)


def _delivered(request: TeamRequest, message_sid: str) -> HttpResponse:
    """Open the thread the simulated text landed in (at once with eager tasks; later with a worker)."""
    message = (
        Message.objects.select_related(
            "conversation__lead__property", "conversation__property", "conversation__assignee"
        )
        .filter(transport=Transport.TWILIO, provider_id=message_sid)
        .first()
    )
    if message is None:
        messages.info(request, "Simulated text handed to the webhook: it appears once the worker has processed it.")
        if request.htmx:
            return trigger_client_event(HttpResponse(status=204), THREADS_CHANGED)
        return redirect("inbox:index")
    conversation = message.conversation
    url = reverse("inbox:conversation", kwargs={"conversation_id": conversation.pk})
    if not request.htmx:
        messages.success(request, "Simulated text received.")
        return redirect(url)
    # The pane opens on it, as if the agent had clicked the thread: it is read.
    conversation_mark_read(conversation=conversation)
    response = render_pane(request, conversation, "inbox/_pane.html", pane_context(request, conversation))
    response = reswap(retarget(response, "#pane"), "innerHTML")
    trigger_client_event(response, THREADS_CHANGED)
    return push_url(response, url)


urlpatterns = [
    path("simulate/", simulate, name="simulate"),
]
