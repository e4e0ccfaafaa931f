"""The public unsubscribe page behind every email's footer link and List-Unsubscribe header."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from crm.inbox import unsubscribe as links
from crm.teams.scoping import team_scope


# CSRF-exempt on purpose. RFC 8058 one-click unsubscribe is a POST the mailbox provider (Gmail,
# Yahoo...) sends from its own servers with the body "List-Unsubscribe=One-Click": it has no
# session and no CSRF token, and it must work. CSRF protects a logged-in user's ambient
# authority; this page has none. The signed token in the URL is the whole credential, and a
# forged cross-site POST would need that token, which only the email's reader has.
# GET never changes anything: link scanners and mail previews fetch every URL in a message.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    target = links.read_token(token)
    if target is None:
        return render(request, "inbox/unsubscribe.html", {"state": "invalid"}, status=404)
    context = {
        "team_name": target.team.name,
        "masked_email": links.mask_email(target.lead.email),
        "channel_label": "email" if target.channel == "email" else "text messages",
    }
    with team_scope(target.team):
        if request.method == "POST":
            if "resubscribe" in request.POST:
                links.resubscribe(target, evidence="Resubscribed on the unsubscribe page.")
                return render(request, "inbox/unsubscribe.html", {**context, "state": "resubscribed"})
            one_click = request.POST.get("List-Unsubscribe") == "One-Click"
            evidence = (
                "One-click unsubscribe from the recipient's mail app (RFC 8058)."
                if one_click
                else "Confirmed on the unsubscribe page linked from our email."
            )
            links.unsubscribe(target, evidence=evidence)
            return render(request, "inbox/unsubscribe.html", {**context, "state": "done"})
        state = "already" if links.is_unsubscribed(target) else "confirm"
    return render(request, "inbox/unsubscribe.html", {**context, "state": state})


# Public, no login: the signed token is the credential.
urlpatterns = [path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe")]
