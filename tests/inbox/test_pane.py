"""The open conversation: the pane (partial or whole page), marking read, the poll, attachments,
the consent banner, the outbox page."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.inbox.models import (
    Channel,
    ConsentSource,
    ConsentState,
    Conversation,
    Message,
    MessageAttachment,
    MessageStatus,
)
from crm.inbox.services.consent import record_consent
from crm.leads.models import Lead
from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from tests.conftest import TeamWorld, login
from tests.inbox.conftest import HTMX, pane_htmx, receive, reply


def url(name: str, conversation: Conversation) -> str:
    return reverse(f"inbox:{name}", kwargs={"conversation_id": conversation.pk})


def poll_url(body: str) -> str:
    """The pane's poll URL as the page renders it (``hx-get`` of #pane-poller)."""
    found = re.search(r'id="pane-poller"[^>]*hx-get="([^"]+)"', body)
    assert found, "no poller in the pane"
    return found.group(1).replace("&amp;", "&")


def get(client: Client, link: str, **extra: Any) -> Any:
    parts = urlsplit(link)
    return client.get(parts.path, dict(parse_qsl(parts.query)), **extra)


def unread(world: TeamWorld, conversation: Conversation) -> bool:
    with team_scope(world.team):
        return Conversation.objects.get(pk=conversation.pk).unread


def test_opening_a_thread_shows_its_messages_oldest_first_and_marks_it_read(
    team_a: TeamWorld, thread: Conversation, ada: Lead, committed: Any
) -> None:
    with committed():
        reply(team_a, ada, "Yes it is! Want to tour?")
    receive(team_a, ada, "Saturday?")
    client = login(team_a.user(Role.AGENT))
    response = client.get(url("conversation", thread), **pane_htmx())
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    texts = [body.index(t) for t in ("Is the 2-bed still available?", "Yes it is! Want to tour?", "Saturday?")]
    assert texts == sorted(texts)
    assert 'aria-live="polite"' in body
    assert "message-inbound" in body
    assert "message-outbound" in body
    assert "Outbox" in body
    assert "Sent to the local outbox" in body
    assert not unread(team_a, thread)
    assert "inbox-threads-changed" in response["HX-Trigger"]


def test_without_javascript_the_thread_url_is_the_whole_inbox_with_the_thread_open(
    team_a: TeamWorld, thread: Conversation
) -> None:
    body = login(team_a.user(Role.AGENT)).get(url("conversation", thread)).content.decode()
    assert "<html" in body
    assert 'id="thread-list"' in body
    assert "Is the 2-bed still available?" in body
    assert f'data-thread="{thread.pk}" aria-current="true"' in body


def test_a_viewer_reads_without_marking_read_and_without_controls(team_a: TeamWorld, thread: Conversation) -> None:
    body = login(team_a.user(Role.VIEWER)).get(url("conversation", thread), **pane_htmx()).content.decode()
    assert "Is the 2-bed still available?" in body
    assert "read-only access" in body
    assert 'name="body"' not in body
    assert "Assign to" not in body
    assert unread(team_a, thread)


def test_the_author_line_names_the_lead_a_teammate_the_ai_and_automation(
    team_a: TeamWorld, thread: Conversation, ada: Lead
) -> None:
    reply(team_a, ada, "From a person.")
    with team_scope(team_a.team):
        from crm.inbox.services.sending import send_message

        send_message(lead=ada, body="From the AI.", agent="leasing")
        send_message(lead=ada, body="A reminder.", automated=True)
    body = login(team_a.user(Role.AGENT)).get(url("conversation", thread), **pane_htmx()).content.decode()
    authors = re.findall(r'<span class="message-author">([^<]+)</span>', body)
    assert authors == ["Ada Lovelace", team_a.user(Role.AGENT).display_name, "AI (leasing)", "Automated"]


def test_a_held_message_says_until_when_in_the_property_time_zone(
    team_a: TeamWorld, thread: Conversation, ada: Lead
) -> None:
    message = reply(team_a, ada, "Good morning!")
    release = timezone.now().replace(microsecond=0) + timezone.timedelta(hours=5)
    with team_scope(team_a.team):
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.HELD, send_after=release)
    body = login(team_a.user(Role.AGENT)).get(url("conversation", thread), **pane_htmx()).content.decode()
    local = timezone.localtime(release, ada.property.tz)
    assert "Held until" in body
    assert local.strftime("%-I:%M %p") in body
    assert "(quiet hours)" in body


def test_a_failed_message_shows_its_error(team_a: TeamWorld, thread: Conversation, ada: Lead) -> None:
    message = reply(team_a, ada, "Hello?")
    with team_scope(team_a.team):
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, error="Carrier blocked the number.")
    body = login(team_a.user(Role.AGENT)).get(url("conversation", thread), **pane_htmx()).content.decode()
    assert "Failed" in body
    assert "Carrier blocked the number." in body


def test_an_opted_out_lead_gets_a_banner_and_a_disabled_composer(
    team_a: TeamWorld, thread: Conversation, ada: Lead
) -> None:
    with team_scope(team_a.team):
        record_consent(ada, Channel.SMS, ConsentState.OPTED_OUT, source=ConsentSource.KEYWORD, evidence="STOP")
    body = login(team_a.user(Role.AGENT)).get(url("conversation", thread), **pane_htmx()).content.decode()
    today = timezone.localtime(timezone.now(), ada.property.tz)
    text = re.sub(r"<[^>]+>", "", body)
    assert f"Opted out of texts (STOP on {today:%b} {today.day}, {today.year}) — sending is disabled." in text
    assert re.search(r'<textarea id="composer-body"[^>]*disabled', body)


def test_the_poll_answers_204_until_something_changes_then_the_new_rows(
    team_a: TeamWorld, thread: Conversation, ada: Lead
) -> None:
    client = login(team_a.user(Role.AGENT))
    link = poll_url(client.get(url("conversation", thread), **pane_htmx()).content.decode())
    assert get(client, link, **HTMX).status_code == 204

    receive(team_a, ada, "Are pets allowed?")
    changed = get(client, link, **HTMX)
    body = changed.content.decode()
    assert changed.status_code == 200
    assert "Are pets allowed?" in body
    assert "Is the 2-bed still available?" not in body  # only what the pane does not show yet
    assert f'hx-swap-oob="beforeend:#messages-{thread.pk}"' in body
    assert not unread(team_a, thread)  # the pane is open: the new text is read

    # The poller came back with the new position: nothing more to fetch.
    assert get(client, poll_url(body), **HTMX).status_code == 204


def test_the_poll_sends_a_row_again_when_its_status_changes(team_a: TeamWorld, thread: Conversation, ada: Lead) -> None:
    sent = reply(team_a, ada, "Here is the floor plan.")  # queued: no commit, no delivery yet
    client = login(team_a.user(Role.AGENT))
    body = client.get(url("conversation", thread), **pane_htmx()).content.decode()
    assert "Queued" in body
    link = poll_url(body)
    assert f"{sent.pk}.queued" in link
    assert get(client, link, **HTMX).status_code == 204

    with team_scope(team_a.team):
        Message.objects.filter(pk=sent.pk).update(status=MessageStatus.SENT, transport="outbox")
    changed = get(client, link, **HTMX).content.decode()
    assert f'id="msg-{sent.pk}"' in changed
    assert "Sent to the local outbox" in changed
    assert get(client, poll_url(changed), **HTMX).status_code == 204


def test_a_poll_with_nothing_new_costs_four_queries(team_a: TeamWorld, thread: Conversation) -> None:
    client = login(team_a.user(Role.AGENT))
    link = poll_url(client.get(url("conversation", thread), **pane_htmx()).content.decode())
    get(client, link, **HTMX)
    with CaptureQueriesContext(connection) as queries:
        assert get(client, link, **HTMX).status_code == 204
    # session, user, membership with its team: then the one EXISTS query on the thread.
    assert len(queries) == 4, [q["sql"] for q in queries]


def test_the_poll_of_another_teams_thread_is_a_404(team_a: TeamWorld, team_b: TeamWorld) -> None:
    from tests.leads.lead_pages import make_lead

    bravo = make_lead(team_b, first_name="Brenda", phone="+15125550999")
    message = receive(team_b, bravo, "Hi")
    with team_scope(team_b.team):
        theirs = Conversation.objects.get(pk=message.conversation_id)
    client = login(team_a.user(Role.OWNER))
    assert client.get(url("poll", theirs), **HTMX).status_code == 404
    assert client.get(url("conversation", theirs)).status_code == 404
    assert client.get(url("conversation", theirs), **pane_htmx()).status_code == 404


def test_photos_show_as_thumbnails_served_only_to_the_team(
    team_a: TeamWorld, team_b: TeamWorld, thread: Conversation, ada: Lead, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    message = receive(team_a, ada, "Here is my dog", sid="SM" + "b" * 32)
    with team_scope(team_a.team):
        photo = MessageAttachment(
            team=team_a.team, message=message, filename="dog.png", content_type="image/png", size=4
        )
        photo.file.save("dog.png", ContentFile(b"\x89PNG"), save=True)
        page = MessageAttachment(
            team=team_a.team, message=message, filename="x.svg", content_type="image/svg+xml", size=5
        )
        page.file.save("x.svg", ContentFile(b"<svg/>"), save=True)
    client = login(team_a.user(Role.VIEWER))
    body = client.get(url("conversation", thread), **pane_htmx()).content.decode()
    link = reverse("inbox:attachment", kwargs={"attachment_id": photo.pk})
    assert f'<img src="{link}"' in body
    shown = client.get(link)
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert "attachment" not in shown.get("Content-Disposition", "")
    assert b"".join(shown.streaming_content) == b"\x89PNG"
    # An SVG is never rendered inline (it can carry script): it downloads.
    download = client.get(reverse("inbox:attachment", kwargs={"attachment_id": page.pk}))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/octet-stream"
    assert b"".join(download.streaming_content) == b"<svg/>"
    assert login(team_b.user(Role.OWNER)).get(link).status_code == 404


def test_the_outbox_lists_outbox_messages_newest_first(
    team_a: TeamWorld, team_b: TeamWorld, thread: Conversation, ada: Lead, committed: Any
) -> None:
    with committed():
        reply(team_a, ada, "First outbox text")
        reply(team_a, ada, "Second outbox text")
    from tests.leads.lead_pages import make_lead

    bravo = make_lead(team_b, first_name="Brenda", phone="+15125550999")
    with committed():
        reply(team_b, bravo, "Bravo's outbox text")
    body = login(team_a.user(Role.VIEWER)).get(reverse("inbox:outbox")).content.decode()
    assert body.index("Second outbox text") < body.index("First outbox text")
    assert "Bravo" not in body
    assert "Outbox" in body
    assert url("conversation", thread) in body


def test_the_outbox_pages_with_a_cursor(team_a: TeamWorld, thread: Conversation, ada: Lead, committed: Any) -> None:
    from crm.inbox import selectors

    with committed():
        for n in range(3):
            reply(team_a, ada, f"Outbox number {n}")
    client = login(team_a.user(Role.AGENT))
    with team_scope(team_a.team):
        rows, before = selectors.outbox_messages(size=2)
    assert [m.body for m in rows] == ["Outbox number 2", "Outbox number 1"]
    page = client.get(reverse("inbox:outbox"), {"before": before}).content.decode()
    assert "Outbox number 0" in page
    assert "Outbox number 1" not in page


def test_anonymous_callers_are_sent_to_log_in(thread: Conversation) -> None:
    for name in ("conversation", "poll"):
        response = Client().get(url(name, thread))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
