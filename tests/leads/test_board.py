"""The Kanban board: columns, cards, filters, column pages and card moves."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from itertools import cycle
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crm.leads.models import ActivityKind, Lead, LeadActivity, Source, Stage
from crm.leads.selectors import COLUMN_PAGE_SIZE
from crm.properties.models import Property
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.factories import LeadFactory, PropertyFactory

HTMX = {"HX-Request": "true"}
BOARD = "leads:index"

# Queries per request, asserted with 5 leads and with 60: they must not grow with the pipeline.
# Board: session, user, membership (middleware) + grouped COUNT + 7 columns + agents and
#        properties for the filter form + the topbar's team switcher.
BOARD_QUERIES = 14
# A column's next page through htmx: session, user, membership + the keyset page.
COLUMN_QUERIES = 4
# A card move through htmx: session, user, membership + the lead + savepoint, UPDATE, timeline
# INSERT, last-activity UPDATE, release + the grouped COUNT for the column totals.
MOVE_QUERIES = 10


def make_lead(world: TeamWorld, **fields: Any) -> Lead:
    with team_scope(world.team):
        return LeadFactory(team=world.team, **fields)


def make_property(world: TeamWorld, **fields: Any) -> Property:
    with team_scope(world.team):
        return PropertyFactory(team=world.team, **fields)


def spread_leads(world: TeamWorld, count: int) -> list[Lead]:
    """``count`` leads over every stage, with and without properties and assignees."""
    prop = make_property(world)
    agents = cycle([world.user(Role.AGENT), None, world.user(Role.MANAGER)])
    properties = cycle([prop, None])
    stages = cycle(Stage)
    with team_scope(world.team):
        return [
            LeadFactory(
                team=world.team,
                stage=next(stages),
                assigned_to=next(agents),
                property=next(properties),
                score=n % 100,
                next_follow_up_at=timezone.now() + timedelta(days=n % 5 - 2),
            )
            for n in range(count)
        ]


def card_ids(html: str) -> list[str]:
    return re.findall(r'<li class="card" id="card-([0-9a-f-]+)"', html)


def column_html(html: str, stage: str) -> str:
    start = html.index(f'data-stage="{stage}" aria-labelledby')
    return html[start : html.index("</ol>", start)]


def load_more_url(html: str) -> str | None:
    match = re.search(r'<li class="board-more">\s*<a class="btn btn-small" href="([^"]+)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


# --- The board ---------------------------------------------------------------------------------


def test_the_board_has_a_column_per_stage_with_its_count(team_a: TeamWorld) -> None:
    spread_leads(team_a, 9)  # two in "new" and "contacted", one in every other stage
    response = login(team_a.user(Role.VIEWER)).get(reverse(BOARD))
    assert response.status_code == 200
    html = response.content.decode()
    titles = re.findall(r'<h2 class="board-column-title" id="column-(\w+)-title">\s*([^<]+?) <span', html)
    assert titles == [(stage.value, stage.label) for stage in Stage]
    counts = dict(re.findall(r'id="count-(\w+)">(\d+)<', html))
    assert counts == {"new": "2", "contacted": "2", **dict.fromkeys(Stage.values[2:], "1")}
    assert len(card_ids(html)) == 9
    assert "9 leads" in html


def test_a_card_shows_name_score_source_age_follow_up_and_assignee(team_a: TeamWorld) -> None:
    agent = team_a.user(Role.AGENT)
    prop = make_property(team_a, name="Riverside Commons")
    lead = make_lead(
        team_a,
        first_name="Maya",
        last_name="Okafor",
        source=Source.ZILLOW,
        score=82,
        assigned_to=agent,
        property=prop,
        next_follow_up_at=timezone.now() - timedelta(days=1),
    )
    with team_scope(team_a.team):
        Lead.objects.filter(pk=lead.pk).update(created_at=timezone.now() - timedelta(days=3))

    html = login(team_a.user(Role.AGENT)).get(reverse(BOARD)).content.decode()
    card = html[html.index(f'id="card-{lead.id}"') : html.index("</li>", html.index(f'id="card-{lead.id}"'))]
    assert "Maya Okafor" in card
    assert f'href="{reverse("leads:detail", args=[lead.id])}"' in card
    assert "score-hot" in card
    assert ">82</span>" in card
    assert "Zillow" in card
    assert ">3d</time> old" in card
    assert "overdue" in card
    assert agent.display_name in card
    assert "Riverside Commons" in card
    assert f'action="{reverse("leads:move", args=[lead.id])}"' in card


def test_a_team_without_leads_sees_how_to_get_some(team_a: TeamWorld) -> None:
    html = login(team_a.user(Role.MANAGER)).get(reverse(BOARD)).content.decode()
    assert "No leads yet" in html
    assert "board-column" not in html
    assert f'href="{reverse("leads:import-upload")}">import a CSV</a>' in html
    assert f'href="{reverse("leads:add")}"' in html  # the "Add lead" button of the page header

    agent = login(team_a.user(Role.AGENT)).get(reverse(BOARD)).content.decode()
    assert "Add a lead with the button above." in agent
    assert reverse("leads:import-upload") not in agent
    viewer = login(team_a.user(Role.VIEWER)).get(reverse(BOARD)).content.decode()
    assert "Ask a manager to add or import" in viewer
    assert reverse("leads:add") not in viewer


def test_filters_that_match_nothing_keep_the_board_and_offer_to_clear(team_a: TeamWorld) -> None:
    make_lead(team_a, first_name="Zed")
    html = login(team_a.user(Role.AGENT)).get(reverse(BOARD), {"q": "nobody-here"}).content.decode()
    assert "No leads yet" not in html
    assert "0 leads match these filters" in html
    assert "Clear filters" in html
    assert html.count('class="board-column"') == len(Stage)


def test_the_board_never_shows_another_teams_leads(team_a: TeamWorld, team_b: TeamWorld) -> None:
    make_lead(team_a, first_name="Alpha", last_name="Prospect")
    make_lead(team_b, first_name="Bravo", last_name="Secret")
    html = login(team_a.user(Role.OWNER)).get(reverse(BOARD)).content.decode()
    assert "Alpha Prospect" in html
    assert "Bravo Secret" not in html


def test_merged_leads_are_not_on_the_board(team_a: TeamWorld) -> None:
    primary = make_lead(team_a, first_name="Primary")
    make_lead(team_a, first_name="Folded", merged_into=primary)
    html = login(team_a.user(Role.AGENT)).get(reverse(BOARD)).content.decode()
    assert card_ids(html) == [str(primary.id)]


def test_viewers_see_cards_but_no_way_to_move_them(team_a: TeamWorld) -> None:
    lead = make_lead(team_a)
    html = login(team_a.user(Role.VIEWER)).get(reverse(BOARD)).content.decode()
    assert str(lead.id) in html
    assert reverse("leads:move", args=[lead.id]) not in html
    assert "data-can-move" not in html


def test_managers_get_tick_boxes_the_bulk_bar_and_an_export_of_the_filtered_leads(team_a: TeamWorld) -> None:
    lead = make_lead(team_a, source=Source.ZILLOW)
    html = login(team_a.user(Role.MANAGER)).get(reverse(BOARD), {"source": "zillow"}).content.decode()
    assert 'id="bulk-form"' in html
    assert f'<input type="checkbox" name="lead" value="{lead.id}" form="bulk-form">' in html
    assert f'href="{reverse("leads:export")}?source=zillow">Export it as CSV</a>' in html

    agent = login(team_a.user(Role.AGENT)).get(reverse(BOARD)).content.decode()
    assert 'id="bulk-form"' not in agent
    assert 'name="lead"' not in agent
    assert reverse("leads:export") not in agent


def test_the_board_redraws_itself_when_leads_are_added_or_bulk_changed(team_a: TeamWorld) -> None:
    make_lead(team_a)
    html = login(team_a.user(Role.AGENT)).get(reverse(BOARD), {"agent": "me"}).content.decode()
    assert f'<div id="board" class="board-area" hx-get="{reverse(BOARD)}?agent=me"' in html
    assert 'hx-trigger="lead-created from:body, leadsChanged from:body"' in html
    assert 'hx-history="false"' in html  # back fetches a fresh board, never a stale snapshot


def test_the_page_loads_its_own_css_and_scripts_and_nothing_inline(team_a: TeamWorld) -> None:
    spread_leads(team_a, 3)
    html = login(team_a.user(Role.AGENT)).get(reverse(BOARD)).content.decode()
    for asset in ("css/board.css", "js/board.js", "vendor/sortablejs/Sortable.min.js"):
        assert f"/static/{asset}" in html
    assert "style=" not in html
    assert "<script>" not in html
    assert "hx-on" not in html
    assert "onclick" not in html


def test_each_column_shows_its_first_page_and_a_load_more_link(team_a: TeamWorld) -> None:
    with team_scope(team_a.team):
        for _ in range(COLUMN_PAGE_SIZE + 1):
            LeadFactory(team=team_a.team, stage=Stage.CONTACTED)
    html = login(team_a.user(Role.AGENT)).get(reverse(BOARD)).content.decode()
    contacted = column_html(html, Stage.CONTACTED)
    assert len(card_ids(contacted)) == COLUMN_PAGE_SIZE
    assert 'hx-trigger="click, intersect once"' in contacted
    url = load_more_url(contacted)
    assert url is not None
    assert url.startswith(reverse("leads:column") + "?stage=contacted&cursor=")
    assert load_more_url(column_html(html, Stage.NEW)) is None


def test_htmx_gets_only_the_board_fragment(team_a: TeamWorld) -> None:
    make_lead(team_a, first_name="Frag")
    query = {"q": "frag", "property": "", "agent": "", "source": "", "score_min": ""}
    response = login(team_a.user(Role.AGENT)).get(reverse(BOARD), query, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="board"')
    assert "<html" not in html
    assert "Frag" in html
    assert "HX-Request" in response["Vary"]
    assert response["HX-Push-Url"] == reverse(BOARD) + "?q=frag"  # the address bar, without empty filters


def test_redrawing_the_board_with_the_same_filters_adds_no_history_entry(team_a: TeamWorld) -> None:
    here = {**HTMX, "HX-Current-URL": "http://testserver" + reverse(BOARD) + "?agent=me"}
    response = login(team_a.user(Role.AGENT)).get(reverse(BOARD), {"agent": "me"}, headers=here)
    assert response.status_code == 200
    assert "HX-Push-Url" not in response


def test_a_history_restore_gets_the_whole_page(team_a: TeamWorld) -> None:
    restore = {**HTMX, "HX-History-Restore-Request": "true"}
    response = login(team_a.user(Role.AGENT)).get(reverse(BOARD), headers=restore)
    assert "<html" in response.content.decode()


# --- Filters -------------------------------------------------------------------------------------


def board_names(client: Client, **query: Any) -> set[str]:
    html = client.get(reverse(BOARD), query).content.decode()
    return set(re.findall(r'class="card-name" id="card-[^"]+" href="[^"]+">([^<]+)</a>', html))


def test_filtering_by_property_keeps_only_its_leads(team_a: TeamWorld) -> None:
    river, maple = make_property(team_a, name="River"), make_property(team_a, name="Maple")
    make_lead(team_a, first_name="Rita", last_name="River", property=river)
    make_lead(team_a, first_name="Mona", last_name="Maple", property=maple)
    client = login(team_a.user(Role.AGENT))
    assert board_names(client, property=str(river.id)) == {"Rita River"}
    assert board_names(client, property="not-a-uuid") == set()


def test_filtering_by_agent_me_none_and_a_member(team_a: TeamWorld) -> None:
    agent, manager = team_a.user(Role.AGENT), team_a.user(Role.MANAGER)
    make_lead(team_a, first_name="Mine", last_name="Lead", assigned_to=agent)
    make_lead(team_a, first_name="Boss", last_name="Lead", assigned_to=manager)
    make_lead(team_a, first_name="Nobody", last_name="Lead")
    client = login(agent)
    assert board_names(client, agent="me") == {"Mine Lead"}
    assert board_names(client, agent="none") == {"Nobody Lead"}
    assert board_names(client, agent=str(manager.id)) == {"Boss Lead"}
    html = client.get(reverse(BOARD), {"agent": "me"}).content.decode()
    assert '<option value="me" selected>Me</option>' in html
    assert f'<option value="{manager.id}">' in html  # members who work leads are offered
    assert f'<option value="{team_a.user(Role.VIEWER).id}">' not in html  # viewers are not


def test_filtering_by_source(team_a: TeamWorld) -> None:
    make_lead(team_a, first_name="Zillow", last_name="Lead", source=Source.ZILLOW)
    make_lead(team_a, first_name="Web", last_name="Lead", source=Source.WEBSITE)
    client = login(team_a.user(Role.AGENT))
    assert board_names(client, source="zillow") == {"Zillow Lead"}
    assert board_names(client, source="made-up") == {"Zillow Lead", "Web Lead"}  # unknown source: ignored


@pytest.mark.parametrize(
    ("text", "expected"),
    [("okafor", {"Maya Okafor"}), ("MAYA.O@", {"Maya Okafor"}), ("(512) 555-0142", {"Maya Okafor"}), ("zzz", set())],
    ids=["last name", "email", "phone digits", "no match"],
)
def test_searching_by_name_email_or_phone_digits(team_a: TeamWorld, text: str, expected: set[str]) -> None:
    make_lead(team_a, first_name="Maya", last_name="Okafor", email="maya.o@example.com", phone="+15125550142")
    make_lead(team_a, first_name="Liam", last_name="Smith", email="liam@example.com", phone="+13035550199")
    assert board_names(login(team_a.user(Role.AGENT)), q=text) == expected


def test_filtering_by_minimum_score(team_a: TeamWorld) -> None:
    make_lead(team_a, first_name="Hot", last_name="Lead", score=85)
    make_lead(team_a, first_name="Cold", last_name="Lead", score=20)
    make_lead(team_a, first_name="Unscored", last_name="Lead", score=None)
    assert board_names(login(team_a.user(Role.AGENT)), score_min="50") == {"Hot Lead"}


def test_filters_survive_in_the_form_the_move_forms_and_the_load_more_links(team_a: TeamWorld) -> None:
    prop = make_property(team_a)
    with team_scope(team_a.team):
        for _ in range(COLUMN_PAGE_SIZE + 1):
            LeadFactory(team=team_a.team, property=prop, source=Source.ZILLOW, score=90)
    query = {"property": str(prop.id), "source": "zillow", "score_min": "50", "q": "example", "agent": ""}
    html = login(team_a.user(Role.AGENT)).get(reverse(BOARD), query).content.decode()
    assert 'name="q" value="example"' in html
    assert f'<option value="{prop.id}" selected>' in html
    assert '<option value="zillow" selected>' in html
    assert 'name="score_min" min="0" max="100" inputmode="numeric" value="50"' in html
    expected = {"q": ["example"], "property": [str(prop.id)], "source": ["zillow"], "score_min": ["50"]}
    move_action = re.search(r'class="card-move" method="post" action="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    assert parse_qs(urlsplit(move_action.replace("&amp;", "&")).query) == expected
    more = parse_qs(urlsplit(load_more_url(html) or "").query)
    assert more.pop("stage") == ["new"]
    assert more.pop("cursor")
    assert more == expected


# --- Column pages ------------------------------------------------------------------------------


def test_load_more_walks_a_long_column_without_duplicates_or_gaps(team_a: TeamWorld) -> None:
    moment = timezone.now()
    with team_scope(team_a.team):
        # Half share one timestamp: the keyset must break ties by id, not skip or repeat them.
        leads = [
            LeadFactory(team=team_a.team, stage=Stage.TOURED, stage_changed_at=moment - timedelta(minutes=n // 2))
            for n in range(60)
        ]
        LeadFactory(team=team_a.team, stage=Stage.NEW)  # another column: never in this one
    client = login(team_a.user(Role.AGENT))

    html = client.get(reverse(BOARD)).content.decode()
    seen = card_ids(column_html(html, Stage.TOURED))
    url = load_more_url(column_html(html, Stage.TOURED))
    pages = 1
    while url:
        response = client.get(url, headers=HTMX)
        assert response.status_code == 200
        fragment = response.content.decode()
        assert "<html" not in fragment
        seen += card_ids(fragment)
        url = load_more_url(fragment)
        assert (url is None) == (response["X-Next-Cursor"] == "")
        pages += 1

    assert pages == 3
    assert len(seen) == len(set(seen)) == 60
    assert set(seen) == {str(lead.id) for lead in leads}
    expected_order = sorted(leads, key=lambda lead: (lead.stage_changed_at, str(lead.id)), reverse=True)
    assert seen == [str(lead.id) for lead in expected_order]


def test_a_column_page_applies_the_filters(team_a: TeamWorld) -> None:
    with team_scope(team_a.team):
        for n in range(COLUMN_PAGE_SIZE + 5):
            LeadFactory(team=team_a.team, stage=Stage.NEW, source=Source.ZILLOW if n % 2 else Source.WEBSITE)
        zillow = set(map(str, Lead.objects.filter(source=Source.ZILLOW).values_list("id", flat=True)))
    client = login(team_a.user(Role.AGENT))
    response = client.get(reverse("leads:column"), {"stage": "new", "source": "zillow"}, headers=HTMX)
    assert set(card_ids(response.content.decode())) == zillow
    assert response["X-Next-Cursor"] == ""


def test_without_javascript_load_more_opens_a_page_of_that_column(team_a: TeamWorld) -> None:
    with team_scope(team_a.team):
        for _ in range(COLUMN_PAGE_SIZE + 3):
            LeadFactory(team=team_a.team, stage=Stage.APPLIED)
    client = login(team_a.user(Role.AGENT))
    url = load_more_url(client.get(reverse(BOARD)).content.decode())
    assert url is not None
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Back to the whole board" in html
    assert html.count('class="board-column"') == 1
    assert len(card_ids(html)) == 3
    assert f'id="count-applied">{COLUMN_PAGE_SIZE + 3}<' in html


def test_a_column_page_for_an_unknown_stage_is_a_bad_request(team_a: TeamWorld) -> None:
    client = login(team_a.user(Role.AGENT))
    assert client.get(reverse("leads:column"), {"stage": "archived"}, headers=HTMX).status_code == 400
    assert client.get(reverse("leads:column")).status_code == 400


def test_a_garbled_cursor_starts_the_column_from_the_top(team_a: TeamWorld) -> None:
    lead = make_lead(team_a, stage=Stage.NEW)
    response = login(team_a.user(Role.AGENT)).get(
        reverse("leads:column"), {"stage": "new", "cursor": "%%%not-base64"}, headers=HTMX
    )
    assert response.status_code == 200
    assert card_ids(response.content.decode()) == [str(lead.id)]


# --- Moving cards ------------------------------------------------------------------------------


def test_moving_a_card_with_htmx_returns_the_card_and_fresh_counts(team_a: TeamWorld) -> None:
    lead = make_lead(team_a, first_name="Noah", last_name="Kim", stage=Stage.NEW)
    make_lead(team_a, stage=Stage.NEW)
    agent = team_a.user(Role.AGENT)
    response = login(agent).post(reverse("leads:move", args=[lead.id]), {"stage": "toured"}, headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert card_ids(html) == [str(lead.id)]
    assert f'<li class="card" id="card-{lead.id}" data-stage="toured"' in html
    assert '<option value="toured" selected>' in html
    oob = dict(re.findall(r'<span class="board-count" id="count-(\w+)" hx-swap-oob="true">(\d+)</span>', html))
    assert oob == {**dict.fromkeys(Stage.values, "0"), "new": "1", "toured": "1"}
    assert '"message": "Noah Kim moved to Toured."' in response["HX-Trigger"]
    with team_scope(team_a.team):
        lead.refresh_from_db()
        assert lead.stage == Stage.TOURED
        activity = LeadActivity.objects.get(lead=lead, kind=ActivityKind.STAGE_CHANGED)
        assert activity.actor == agent
        assert activity.summary == "Moved from New to Toured"


def test_moving_to_lost_keeps_the_reason_given(team_a: TeamWorld) -> None:
    lead = make_lead(team_a, stage=Stage.CONTACTED)
    login(team_a.user(Role.AGENT)).post(
        reverse("leads:move", args=[lead.id]), {"stage": "lost", "lost_reason": "price"}, headers=HTMX
    )
    with team_scope(team_a.team):
        lead.refresh_from_db()
    assert (lead.stage, lead.lost_reason) == (Stage.LOST, "price")


def test_without_javascript_the_stage_select_moves_the_card_and_returns_to_the_filtered_board(
    team_a: TeamWorld,
) -> None:
    lead = make_lead(team_a, first_name="Sofia", source=Source.ZILLOW, stage=Stage.NEW)
    client = login(team_a.user(Role.AGENT))
    url = f"{reverse('leads:move', args=[lead.id])}?source=zillow&q=sofia"
    response = client.post(url, {"stage": "applied"})

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse(BOARD)
    assert parse_qs(location.query) == {"q": ["sofia"], "source": ["zillow"]}
    assert location.fragment == f"card-{lead.id}"
    with team_scope(team_a.team):
        lead.refresh_from_db()
    assert lead.stage == Stage.APPLIED

    page = client.get(response["Location"]).content.decode()
    assert str(lead.id) in card_ids(column_html(page, Stage.APPLIED))
    assert "moved to Applied." in page  # the message is shown on the page it lands on


def test_an_unknown_stage_is_refused_and_nothing_changes(team_a: TeamWorld) -> None:
    lead = make_lead(team_a, stage=Stage.CONTACTED)
    client = login(team_a.user(Role.AGENT))

    response = client.post(reverse("leads:move", args=[lead.id]), {"stage": "archived"}, headers=HTMX)
    assert response.status_code == 422
    assert f'data-stage="{Stage.CONTACTED}"' in response.content.decode()  # the card as it was
    assert "Unknown stage" in response["HX-Trigger"]

    response = client.post(reverse("leads:move", args=[lead.id]), {"stage": ""})
    assert response.status_code == 422
    assert "Unknown stage" in response.content.decode()
    with team_scope(team_a.team):
        lead.refresh_from_db()
        assert lead.stage == Stage.CONTACTED
        assert not LeadActivity.objects.filter(kind=ActivityKind.STAGE_CHANGED).exists()


def test_a_viewer_cannot_move_a_card(team_a: TeamWorld) -> None:
    lead = make_lead(team_a, stage=Stage.NEW)
    url = reverse("leads:move", args=[lead.id])
    response = login(team_a.user(Role.VIEWER)).post(url, {"stage": "lost"}, headers=HTMX)
    assert response.status_code == 403
    with team_scope(team_a.team):
        lead.refresh_from_db()
    assert lead.stage == Stage.NEW


def test_an_outsider_gets_404_for_another_teams_card(team_a: TeamWorld, team_b: TeamWorld) -> None:
    theirs = make_lead(team_b, stage=Stage.NEW)
    response = login(team_a.user(Role.OWNER)).post(reverse("leads:move", args=[theirs.id]), {"stage": "lost"})
    assert response.status_code == 404
    with team_scope(team_b.team):
        theirs.refresh_from_db()
    assert theirs.stage == Stage.NEW


def test_a_merged_lead_cannot_be_moved(team_a: TeamWorld) -> None:
    primary = make_lead(team_a)
    folded = make_lead(team_a, merged_into=primary)
    response = login(team_a.user(Role.AGENT)).post(reverse("leads:move", args=[folded.id]), {"stage": "lost"})
    assert response.status_code == 404


def test_moving_needs_a_post(team_a: TeamWorld) -> None:
    lead = make_lead(team_a)
    assert login(team_a.user(Role.AGENT)).get(reverse("leads:move", args=[lead.id])).status_code == 405


def test_anonymous_visitors_are_sent_to_log_in(team_a: TeamWorld) -> None:
    lead = make_lead(team_a)
    for response in (
        Client().get(reverse(BOARD)),
        Client().get(reverse("leads:column"), {"stage": "new"}),
        Client().post(reverse("leads:move", args=[lead.id]), {"stage": "lost"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# --- Query counts: the same with 5 leads as with 60 --------------------------------------------


def settled_client(world: TeamWorld) -> Client:
    """A logged-in agent whose session already names the team (the first request stores it)."""
    client = login(world.user(Role.AGENT))
    client.get(reverse("dashboard:home"))
    return client


@pytest.mark.parametrize("leads", [5, 60])
def test_the_board_uses_a_fixed_number_of_queries(
    team_a: TeamWorld, leads: int, django_assert_num_queries: Callable[..., Any]
) -> None:
    spread_leads(team_a, leads)
    client = settled_client(team_a)
    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(reverse(BOARD), {"score_min": "0"})
    assert len(card_ids(response.content.decode())) == min(leads, len(Stage) * COLUMN_PAGE_SIZE)


@pytest.mark.parametrize("leads", [5, 60])
def test_a_column_page_uses_a_fixed_number_of_queries(
    team_a: TeamWorld, leads: int, django_assert_num_queries: Callable[..., Any]
) -> None:
    spread_leads(team_a, leads)
    client = settled_client(team_a)
    with django_assert_num_queries(COLUMN_QUERIES):
        response = client.get(reverse("leads:column"), {"stage": "new", "agent": "none"}, headers=HTMX)
    assert response.status_code == 200


@pytest.mark.parametrize("leads", [5, 60])
def test_a_card_move_uses_a_fixed_number_of_queries(
    team_a: TeamWorld, leads: int, django_assert_num_queries: Callable[..., Any]
) -> None:
    lead = spread_leads(team_a, leads)[0]
    client = settled_client(team_a)
    with django_assert_num_queries(MOVE_QUERIES):
        response = client.post(reverse("leads:move", args=[lead.id]), {"stage": "lost"}, headers=HTMX)
    assert response.status_code == 200
