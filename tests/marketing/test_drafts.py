"""Saving a variation as a draft on its property; the drafts list and page; who may delete."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from crm.marketing.models import AdCopyDraft
from crm.marketing.services import ad_copy_draft_save
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.factories import PropertyFactory

SAVE = reverse("marketing:draft-save")
DRAFTS = reverse("marketing:drafts")
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
META = {
    "primary_text": "Riverside Commons is now leasing in Austin. Schedule a tour today.",
    "headline": "Now Leasing in Austin",
    "description": "From $1,525/month",
    "call_to_action": "CONTACT_US",
}


def save_data(prop: Property, content: Any = None, **extra: str) -> dict[str, str]:
    return {
        "property": str(prop.pk),
        "platform": "facebook",
        "objective": "tours",
        "tone": "friendly",
        "engine": "offline",
        "content": json.dumps(META if content is None else content),
        "number": "1",
        **extra,
    }


def make_draft(world: TeamWorld, prop: Property, role: str = Role.AGENT, **content: str) -> AdCopyDraft:
    with team_scope(world.team):
        return ad_copy_draft_save(
            team=world.team,
            property=prop,
            platform="facebook",
            objective="tours",
            tone="friendly",
            engine="offline",
            content={**META, **content},
            actor=world.user(role),
        )


def detail(draft: AdCopyDraft) -> str:
    return reverse("marketing:draft-detail", kwargs={"draft_id": draft.pk})


def delete(draft: AdCopyDraft) -> str:
    return reverse("marketing:draft-delete", kwargs={"draft_id": draft.pk})


def test_saving_a_variation_keeps_it_on_its_property_and_opens_the_draft(team_a: TeamWorld, place: Property) -> None:
    agent = team_a.user(Role.AGENT)
    response = login(agent).post(SAVE, save_data(place))

    with team_scope(team_a.team):
        draft = AdCopyDraft.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(draft)
    assert (draft.property, draft.platform, draft.objective, draft.created_by) == (place, "facebook", "tours", agent)
    assert draft.content == META
    assert draft.title() == "Now Leasing in Austin"


def test_saving_with_htmx_swaps_the_button_for_a_link_and_a_toast(team_a: TeamWorld, place: Property) -> None:
    response = login(team_a.user(Role.AGENT)).post(SAVE, save_data(place), **HTMX)
    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    assert "View the draft" in response.content.decode()
    assert json.loads(response["HX-Trigger"])["toasts"][0]["message"] == "Saved as a draft for Riverside Commons."


def test_saved_copy_is_held_to_the_platform_limits_again(team_a: TeamWorld, place: Property) -> None:
    client = login(team_a.user(Role.AGENT))
    too_long = {**META, "headline": "Riverside Commons Is Now Leasing Brand New Apartments"}
    assert client.post(SAVE, save_data(place, too_long)).status_code == 302
    with team_scope(team_a.team):
        assert AdCopyDraft.objects.get().content["headline"] == "Riverside Commons Is Now Leasing Brand"

    response = client.post(SAVE, save_data(place, {"headline": "Only a headline"}), **HTMX)
    assert response.status_code == 422
    assert "does not fit Facebook&#x27;s limits: needs a primary text" in response.content.decode()
    assert 'name="content"' in response.content.decode(), "the form is back, to try again"


def test_copy_that_fails_the_checker_is_not_saved(
    team_a: TeamWorld, place: Property, strict_checker: Callable[..., Any]
) -> None:
    bad = {**META, "primary_text": "A family-friendly community in Austin."}
    response = login(team_a.user(Role.AGENT)).post(SAVE, save_data(place, bad))
    assert response.status_code == 302
    assert response["Location"] == reverse("marketing:ad-copy")
    with team_scope(team_a.team):
        assert not AdCopyDraft.objects.exists()


def test_a_draft_cannot_be_saved_on_another_teams_property(team_a: TeamWorld, team_b: TeamWorld) -> None:
    with team_scope(team_b.team):
        theirs = PropertyFactory(team=team_b.team)
    response = login(team_a.user(Role.AGENT)).post(SAVE, save_data(theirs), **HTMX)
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    with team_scope(team_b.team):
        assert not AdCopyDraft.objects.exists()


def test_a_viewer_reads_drafts_but_cannot_save_or_delete(team_a: TeamWorld, place: Property) -> None:
    draft = make_draft(team_a, place)
    viewer = login(team_a.user(Role.VIEWER))
    assert viewer.get(DRAFTS).status_code == 200
    assert viewer.get(detail(draft)).status_code == 200
    assert viewer.post(SAVE, save_data(place)).status_code == 403
    assert viewer.post(delete(draft)).status_code == 403


def test_the_drafts_list_shows_the_teams_drafts_by_property(
    team_a: TeamWorld, team_b: TeamWorld, place: Property
) -> None:
    with team_scope(team_a.team):
        other_place = PropertyFactory(team=team_a.team, name="Maple Court")
    make_draft(team_a, place, headline="Riverside headline")
    make_draft(team_a, other_place, headline="Maple headline")
    with team_scope(team_b.team):
        make_draft(team_b, PropertyFactory(team=team_b.team, name="Bravo Towers"), headline="Bravo headline")
    client = login(team_a.user(Role.VIEWER))

    everything = client.get(DRAFTS).content.decode()
    assert "Riverside headline" in everything
    assert "Maple headline" in everything
    assert "Bravo" not in everything

    only_maple = client.get(DRAFTS, {"property": str(other_place.pk)}).content.decode()
    assert "Maple headline" in only_maple
    assert "Riverside headline" not in only_maple
    assert client.get(DRAFTS, {"property": "not-a-uuid"}).status_code == 200


def test_the_draft_page_shows_the_copy_with_counts_and_a_copy_button(team_a: TeamWorld, place: Property) -> None:
    draft = make_draft(team_a, place)
    body = login(team_a.user(Role.AGENT)).get(detail(draft)).content.decode()
    assert "Facebook ad for Riverside Commons" in body
    assert 'data-copy="#draft-text"' in body
    assert ">21/40<" in body
    assert "Delete draft" in body


def test_an_agent_deletes_their_own_draft_but_not_a_colleagues(team_a: TeamWorld, place: Property) -> None:
    mine = make_draft(team_a, place, role=Role.AGENT)
    theirs = make_draft(team_a, place, role=Role.MANAGER)
    agent = login(team_a.user(Role.AGENT))

    assert "Delete draft" not in agent.get(detail(theirs)).content.decode()
    assert agent.post(delete(theirs)).status_code == 403
    response = agent.post(delete(mine), **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == DRAFTS
    with team_scope(team_a.team):
        assert list(AdCopyDraft.objects.all()) == [theirs]


def test_a_manager_deletes_anyones_draft(team_a: TeamWorld, place: Property) -> None:
    draft = make_draft(team_a, place, role=Role.AGENT)
    response = login(team_a.user(Role.MANAGER)).post(delete(draft))
    assert response.status_code == 302
    assert response["Location"] == DRAFTS
    with team_scope(team_a.team):
        assert not AdCopyDraft.objects.exists()


def test_an_outsider_gets_404_for_another_teams_draft(team_a: TeamWorld, team_b: TeamWorld) -> None:
    with team_scope(team_b.team):
        draft = make_draft(team_b, PropertyFactory(team=team_b.team), role=Role.OWNER)
    outsider = login(team_a.user(Role.OWNER))
    assert outsider.get(detail(draft)).status_code == 404
    assert outsider.post(delete(draft)).status_code == 404
    with team_scope(team_b.team):
        assert AdCopyDraft.objects.filter(pk=draft.pk).exists()


def test_operators_see_drafts_read_only_in_the_admin(team_a: TeamWorld, place: Property) -> None:
    from tests.factories import UserFactory

    draft = make_draft(team_a, place)
    operator = Client()
    operator.force_login(UserFactory(email="ops@loriaa.test", is_staff=True, is_superuser=True))
    assert operator.get(reverse("admin:marketing_adcopydraft_changelist")).status_code == 200
    assert operator.get(reverse("admin:marketing_adcopydraft_change", args=[draft.pk])).status_code == 200
    assert operator.get(reverse("admin:marketing_adcopydraft_add")).status_code == 403
