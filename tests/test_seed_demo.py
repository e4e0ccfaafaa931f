from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import Client
from django_scopes import scopes_disabled

from crm.accounts.models import User
from crm.teams.management.commands.seed_demo import DEFAULT_PASSWORD
from crm.teams.models import Membership, Team


def seed(**options: str) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_seed_demo_prints_a_login_that_works_and_lands_on_the_dashboard(db: None) -> None:
    output = seed()
    assert "owner@demo.example" in output
    assert DEFAULT_PASSWORD in output
    client = Client()
    response = client.post("/accounts/login/", {"login": "owner@demo.example", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Demo Properties" in page.content.decode()


def test_seed_demo_is_idempotent(db: None) -> None:
    seed()
    seed()
    assert Team.objects.filter(slug="demo").count() == 1
    with scopes_disabled():
        assert Membership.objects.count() == 5
    assert User.objects.count() == 5


def test_seed_demo_takes_a_team_slug_and_resets_the_password_only_when_asked(db: None) -> None:
    seed(team="acme", password="a-new-password-1")
    user = User.objects.get(email="owner@acme.example")
    assert user.check_password("a-new-password-1")
    seed(team="acme")
    user.refresh_from_db()
    assert user.check_password("a-new-password-1")


def test_seed_demo_adds_three_properties_with_units_and_leads_once(db: None) -> None:
    from crm.leads.models import Lead
    from crm.properties.models import Property, Unit

    seed()
    seed()
    with scopes_disabled():
        assert Property.objects.count() == 3
        assert Unit.objects.count() == 96
        assert Lead.objects.count() == 300
        assert set(Lead.objects.values_list("stage", flat=True)) >= {"new", "contacted", "leased", "lost"}
        assert Property.objects.get(name="Maple Court").sms_number == "+13035550100"


def test_seed_demo_fills_the_inbox_through_the_real_paths(django_db_setup: None, transactional_db: None) -> None:
    from crm.inbox.models import CannedReply, Conversation, Message
    from crm.inbox.services.consent import consent_state

    seed()
    with scopes_disabled():
        assert CannedReply.objects.count() == 3
        inbound = Message.objects.filter(direction="inbound")
        assert inbound.count() == 4
        stopped = inbound.get(body="STOP").lead
        assert consent_state(stopped, "sms") == "opted_out"
        assert Message.objects.filter(direction="outbound", transport="outbox", sent_by__isnull=False).count() == 2
        handed_off = Conversation.objects.get(lead__phone="+12065550192")
        assert handed_off.ai_enabled is False  # "talk to a real person"
