"""Every route, walked automatically: a member of team A never sees or changes team B's data.

The walk reads the URL configuration itself, so a new route is covered the day it is added:

- a route with object parameters is called with team B's objects (filled in from
  ``OBJECT_KWARGS``, or from a DRF view's model via ``MODEL_OBJECTS``) and must answer 403, 404,
  405 or 410, never a page, a redirect or an error;
- a route without parameters (a list, a form) must not show team B's data and must not fail;
- every non-public route refuses anonymous callers;
- afterwards, team B's rows are exactly as they were.

A route the walk cannot fill in fails ``test_every_route_is_covered`` until it gets an entry in
``OBJECT_KWARGS``/``MODEL_OBJECTS`` or is listed in ``PUBLIC_*`` with the reason it is safe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from agents.models import PendingAction
from api.models import ApiToken, token_create
from crm.inbox.models import CannedReply, Conversation, Message, MessageAttachment
from crm.inbox.services.inbound import store_inbound
from crm.leads.models import Lead, LeadImport, LeadMerge, Task, Tour
from crm.leads.services.followups import task_create
from crm.leads.services.leads import lead_create
from crm.leads.services.merges import lead_merge
from crm.leads.services.tours import tour_schedule
from crm.marketing.models import AdCopyDraft
from crm.properties.models import Property, Unit
from crm.teams.models import Invitation, Membership, Team
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from knowledge.models import Document
from tests.conftest import TeamWorld, api_client_for, login
from tests.factories import PropertyFactory, UnitFactory, invitation_with_token

# --- What may be reached without a team, and why ------------------------------------------

PUBLIC_ROUTES: dict[str, str] = {
    "healthz": "Liveness probe: reports only whether the database answers.",
    "api:schema": "The OpenAPI description of the API: structure only, no tenant data.",
    "api:docs": "Swagger UI shell that loads the schema: no tenant data.",
}
PUBLIC_NAMESPACES: dict[str, str] = {
    "admin": "Django admin is the operators' console (is_staff only, across teams by design); "
    "test_admin_refuses_team_members_who_are_not_staff covers it.",
}
PUBLIC_MODULES: dict[str, str] = {
    "allauth.": "Account pages (login, signup, email, password, MFA) act only on the signed-in "
    "user's own credentials and hold no team data.",
}
# Routes an anonymous caller may open, and why.
ANONYMOUS_ALLOWED: dict[str, str] = {
    "teams:invitation": "A capability link: the emailed token is the credential. Accepting still "
    "needs a login with the invited, verified address.",
    "inbox:unsubscribe": "A capability link in every email (and the RFC 8058 one-click POST from mail "
    "providers): the signed token names one lead and channel and is the whole credential; a "
    "tampered or foreign token is a 404.",
}


# --- How to name team B's objects in a URL ----------------------------------------------------


@dataclass
class OtherTeam:
    world: TeamWorld
    invitation: Invitation
    invitation_token: str
    api_token: ApiToken
    property: Property
    unit: Unit
    lead: Lead
    tour: Tour
    task: Task
    merge: LeadMerge
    lead_import: LeadImport
    document: Document
    draft: AdCopyDraft
    pending_action: PendingAction
    conversation: Conversation
    attachment: MessageAttachment
    canned: CannedReply

    @property
    def team(self) -> Team:
        return self.world.team


OBJECT_KWARGS: dict[str, Callable[[OtherTeam], Any]] = {
    "membership_id": lambda b: b.world.membership(Role.AGENT).id,
    "invitation_id": lambda b: b.invitation.id,
    "token_id": lambda b: b.api_token.id,
    "token": lambda b: b.invitation_token,
    "format": lambda b: "json",
    "lead_id": lambda b: b.lead.id,
    "property_id": lambda b: b.property.id,
    "unit_id": lambda b: b.unit.id,
    "tour_id": lambda b: b.tour.id,
    "task_id": lambda b: b.task.id,
    "merge_id": lambda b: b.merge.id,
    "import_id": lambda b: b.lead_import.id,
    "document_id": lambda b: b.document.id,
    "draft_id": lambda b: b.draft.id,
    "action_id": lambda b: b.pending_action.id,
    "conversation_id": lambda b: b.conversation.id,
    "attachment_id": lambda b: b.attachment.id,
    "canned_id": lambda b: b.canned.id,
}
# DRF views whose lookup is a bare ``pk``: the model's team-B instance.
MODEL_OBJECTS: dict[type[Model], Callable[[OtherTeam], Any]] = {
    Membership: lambda b: b.world.membership(Role.AGENT).id,
    Invitation: lambda b: b.invitation.id,
    ApiToken: lambda b: b.api_token.id,
    Lead: lambda b: b.lead.id,
    Property: lambda b: b.property.id,
    Unit: lambda b: b.unit.id,
    Tour: lambda b: b.tour.id,
    Task: lambda b: b.task.id,
    LeadImport: lambda b: b.lead_import.id,
    Document: lambda b: b.document.id,
    AdCopyDraft: lambda b: b.draft.id,
    Conversation: lambda b: b.conversation.id,
}


# --- Walking the URL configuration -------------------------------------------------------------


@dataclass
class Route:
    route: str
    name: str | None
    kwargs: list[str]
    callback: Callable[..., Any]
    namespace: str

    @property
    def module(self) -> str:
        view = getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None) or self.callback
        return view.__module__

    def __str__(self) -> str:
        return f"{self.name or '<unnamed>'} ({self.route})"


def _pattern_kwargs(pattern: Any) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return list(converters)
    return list(pattern.regex.groupindex)


def walk(patterns: list[Any], prefix: str = "", namespace: str = "", kwargs: tuple[str, ...] = ()) -> Iterator[Route]:
    for entry in patterns:
        own = tuple(_pattern_kwargs(entry.pattern))
        if isinstance(entry, URLResolver):
            ns = ":".join(filter(None, [namespace, entry.namespace or ""]))
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns, kwargs + own)
        elif isinstance(entry, URLPattern):
            name = ":".join(filter(None, [namespace, entry.name or ""])) if entry.name else None
            yield Route(prefix + str(entry.pattern), name, list(kwargs + own), entry.callback, namespace)


def all_routes() -> list[Route]:
    return list(walk(get_resolver().url_patterns))


def public_reason(route: Route) -> str | None:
    if route.name in PUBLIC_ROUTES:
        return PUBLIC_ROUTES[route.name]
    for namespace, reason in PUBLIC_NAMESPACES.items():
        if route.namespace == namespace or route.namespace.startswith(namespace + ":"):
            return reason
    for module, reason in PUBLIC_MODULES.items():
        if route.module.startswith(module):
            return reason
    return None


def _drf_model(route: Route) -> type[Model] | None:
    view = getattr(route.callback, "cls", None)
    queryset = getattr(view, "queryset", None)
    return queryset.model if queryset is not None else None


def fill_kwargs(route: Route, other: OtherTeam) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    for kwarg in route.kwargs:
        if kwarg in OBJECT_KWARGS:
            values[kwarg] = OBJECT_KWARGS[kwarg](other)
        elif kwarg == "pk" and _drf_model(route) in MODEL_OBJECTS:
            values[kwarg] = MODEL_OBJECTS[_drf_model(route)](other)  # type: ignore[index]
        else:
            return None
    return values


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def other(team_b: TeamWorld) -> OtherTeam:
    """Team B with one of every object a URL can name, each carrying a recognisable string."""
    team = team_b.team
    invitation, raw = invitation_with_token(team=team, email="only-for-bravo@example.com", role=Role.ADMIN)
    agent = team_b.user(Role.AGENT)
    with team_scope(team):
        api_token, _ = token_create(team=team, user=team_b.user(Role.OWNER), name="bravo-script")
        prop = PropertyFactory(team=team, name="Bravo Towers Canary", sms_number="+15125550999")
        unit = UnitFactory(property=prop, number="B-CANARY-1")
        lead, _ = lead_create(
            team=team,
            data={
                "first_name": "Brenda",
                "last_name": "Canaryfield",
                "email": "brenda.canary@example.org",
                "property": prop,
            },
        )
        twin, _ = lead_create(team=team, data={"first_name": "Brenda", "last_name": "Canarytwin"})
        merge = lead_merge(primary=lead, duplicate=twin)
        start = next_open_slot(prop)
        tour = tour_schedule(lead=lead, property=prop, agent=agent, starts_at=start)
        task = task_create(lead=lead, title="Call Brenda Canaryfield", due_at=start, assigned_to=agent)
        lead_import = LeadImport.objects.create(team=team, filename="bravo-canary.csv", content="first_name\nBrenda\n")
        document = Document.objects.create(
            team=team,
            property=prop,
            title="Bravo Canary pet policy",
            source="text",
            status="ready",
            text="Canary rule: cats only, no dogs.",
        )
        draft = AdCopyDraft.objects.create(
            team=team,
            property=prop,
            platform="facebook",
            objective="leads",
            tone="friendly",
            content={
                "primary_text": "Bravo Towers Canary is now leasing.",
                "headline": "Canary Court headline",
                "description": "Canary",
                "call_to_action": "LEARN_MORE",
            },
            created_by=agent,
        )
        pending_action = PendingAction.objects.create(
            team=team,
            agent="leasing",
            tool="update_lead_stage",
            arguments={"lead_id": str(lead.id), "stage": "lost", "lost_reason": "other"},
            summary="Move Brenda Canaryfield from New to Lost",
            lead=lead,
            turn_id=lead.id,
        )
        lead.phone = "+15125550998"
        lead.save(update_fields=["phone"])
        conversation, message = store_inbound(
            lead=lead, channel="sms", body="Canary text from Brenda", provider_id="SM" + "9" * 32,
            transport="twilio", from_address=lead.phone, to_address=prop.sms_number or "", property=prop,
        )  # fmt: skip
        # The file itself is never read: every request for it is refused first.
        attachment = MessageAttachment.objects.create(
            team=team, message=message, file="inbox/canary.jpg", filename="canary.jpg", content_type="image/jpeg"
        )
        canned = CannedReply.objects.create(team=team, title="Canary canned", body="Canary canned reply")
    return OtherTeam(
        world=team_b,
        invitation=invitation,
        invitation_token=raw,
        api_token=api_token,
        property=prop,
        unit=unit,
        lead=lead,
        tour=tour,
        task=task,
        merge=merge,
        lead_import=lead_import,
        document=document,
        draft=draft,
        pending_action=pending_action,
        conversation=conversation,
        attachment=attachment,
        canned=canned,
    )


def next_open_slot(prop: Property) -> datetime:
    """Tomorrow or later, the first opening hour in the property's own time zone."""
    day = timezone.now().astimezone(prop.tz).date() + timedelta(days=1)
    while not prop.opening_spans(day):
        day += timedelta(days=1)
    return prop.opening_spans(day)[0][0] + timedelta(hours=1)


def canaries(other: OtherTeam) -> list[str]:
    """Strings that exist only in team B: finding one in team A's responses is a leak."""
    with scopes_disabled():
        emails = [m.user.email for m in other.world.members.values()]
    return [
        other.team.name,
        other.team.slug,
        other.invitation.email,
        other.api_token.key_hint,
        *emails,
        "Canary",
        "canary",
        "+15125550999",
    ]


def snapshot(team: Team) -> dict[str, Any]:
    with scopes_disabled():
        return {
            "team": Team.objects.filter(pk=team.pk).values("name", "slug", "postal_address").get(),
            "memberships": sorted(Membership.objects.filter(team=team).values_list("user__email", "role")),
            "invitations": sorted(
                Invitation.objects.filter(team=team).values_list("email", "role", "revoked_at", "accepted_at")
            ),
            "tokens": sorted(ApiToken.objects.filter(team=team).values_list("name", "revoked_at")),
            "leads": sorted(
                Lead.objects.filter(team=team).values_list(
                    "id", "first_name", "last_name", "email", "phone", "stage", "assigned_to", "merged_into", "property"
                )
            ),
            "tours": sorted(Tour.objects.filter(team=team).values_list("id", "status", "starts_at")),
            "tasks": sorted(Task.objects.filter(team=team).values_list("id", "title", "completed_at")),
            "merges": sorted(LeadMerge.objects.filter(team=team).values_list("id", "undone_at")),
            "properties": sorted(Property.objects.filter(team=team).values_list("id", "name", "sms_number")),
            "units": sorted(Unit.objects.filter(team=team).values_list("id", "number", "status", "rent")),
            "imports": sorted(LeadImport.objects.filter(team=team).values_list("id", "status")),
            "documents": sorted(Document.objects.filter(team=team).values_list("id", "title", "status")),
            "drafts": sorted(AdCopyDraft.objects.filter(team=team).values_list("id", "platform")),
            "conversations": sorted(
                Conversation.objects.filter(team=team).values_list("id", "status", "assignee", "ai_enabled", "unread")
            ),
            "messages": sorted(Message.objects.filter(team=team).values_list("id", "status", "body")),
            "canned": sorted(CannedReply.objects.filter(team=team).values_list("id", "title", "body")),
            "pending_actions": sorted(PendingAction.objects.filter(team=team).values_list("id", "status")),
        }


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


# --- The tests ---------------------------------------------------------------------------------


def test_every_route_is_covered(other: OtherTeam) -> None:
    uncovered = []
    for route in all_routes():
        if public_reason(route):
            continue
        if route.name is None:
            uncovered.append(f"{route}: give it a name so the walk can reverse it")
        elif fill_kwargs(route, other) is None:
            missing = [k for k in route.kwargs if k not in OBJECT_KWARGS]
            uncovered.append(f"{route}: no team-B object for {missing}; add it to OBJECT_KWARGS/MODEL_OBJECTS")
    assert not uncovered, "Routes the isolation walk cannot cover:\n" + "\n".join(uncovered)


def test_the_walk_sees_the_routes_it_should(other: OtherTeam) -> None:
    # Guards the walker itself: if it silently found nothing, every other check would pass.
    names = {route.name for route in all_routes()}
    assert {"teams:member-remove", "teams:invitation", "teams:token-revoke", "api:me", "dashboard:home"} <= names


@pytest.mark.parametrize("as_api", [False, True], ids=["session", "token"])
def test_team_a_gets_404_for_every_team_b_object(team_a: TeamWorld, other: OtherTeam, as_api: bool) -> None:
    actor = team_a.membership(Role.OWNER)  # the most powerful member of A: the one most able to leak
    client: Client | APIClient = api_client_for(actor) if as_api else login(actor.user)
    before = snapshot(other.team)
    marks = canaries(other)
    post_data = {
        "team": str(other.team.id),
        "role": Role.VIEWER,
        "membership": str(other.world.membership(Role.AGENT).id),
    }
    failures = []
    checked = 0
    for route in all_routes():
        if public_reason(route) or route.name is None or (as_api and not route.route.startswith("api/")):
            continue
        kwargs = fill_kwargs(route, other)
        assert kwargs is not None, f"{route} is not covered (see test_every_route_is_covered)"
        url = reverse(route.name, kwargs=kwargs)
        statuses = {}
        for method in ("get", "post"):
            response = getattr(client, method)(url, post_data) if method == "post" else client.get(url)
            statuses[method] = response.status_code
            leaked = [mark for mark in marks if mark in _body(response)]
            if leaked:
                failures.append(f"{method.upper()} {url} shows team B's {leaked}")
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {url} failed with {response.status_code}")
        if kwargs:
            checked += 1
            allowed = {403, 404, 405, 410}
            if not set(statuses.values()) <= allowed or not set(statuses.values()) & {403, 404, 410}:
                failures.append(f"{url} answered {statuses} for team B's object; expected 404 (or 403)")
    assert as_api or checked >= 5, "the walk found too few object routes to mean anything"
    assert not failures, "\n".join(failures)
    assert snapshot(other.team) == before, "team B's data changed during team A's requests"


def test_anonymous_callers_are_refused_everywhere_but_public_routes(other: OtherTeam) -> None:
    anonymous = Client()
    failures = []
    for route in all_routes():
        if public_reason(route) or route.name is None or route.name in ANONYMOUS_ALLOWED:
            continue
        url = reverse(route.name, kwargs=fill_kwargs(route, other))
        for method in ("get", "post"):
            response = getattr(anonymous, method)(url)
            redirected_to_login = response.status_code == 302 and "/accounts/login/" in response["Location"]
            if not (redirected_to_login or response.status_code in {401, 403, 404, 405}):
                failures.append(f"anonymous {method.upper()} {url} answered {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_removed_member_loses_access_on_the_next_request(team_a: TeamWorld) -> None:
    agent = team_a.membership(Role.AGENT)
    client = login(agent.user)
    api = api_client_for(agent)
    assert client.get(reverse("teams:members")).status_code == 200
    assert api.get(reverse("api:me")).status_code == 200

    with team_scope(team_a.team):
        agent.delete()

    assert client.get(reverse("teams:members")).status_code == 302  # no team left: sent to create one
    assert api.get(reverse("api:me")).status_code == 401


def test_admin_refuses_team_members_who_are_not_staff(team_a: TeamWorld) -> None:
    response = login(team_a.user(Role.OWNER)).get("/admin/")
    assert response.status_code == 302
    assert "login" in response["Location"]
