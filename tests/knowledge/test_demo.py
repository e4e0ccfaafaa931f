"""``seed_demo``'s knowledge base: seven ready FAQ entries per demo property, differing where properties do."""

from __future__ import annotations

import time
from io import StringIO

from django.core.management import call_command
from django_scopes import scopes_disabled

from knowledge.demo import ASSISTANCE
from knowledge.models import Chunk, Document

TOPICS = {"pets", "park", "fees", "amenities", "lease", "qualify", "move-in"}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_each_demo_property_gets_seven_ready_faq_entries_in_seconds(db: None) -> None:
    started = time.monotonic()
    output = seed()
    assert time.monotonic() - started < 20  # the whole seed, leads included
    assert "Added 22 knowledge base entries." in output
    with scopes_disabled():
        for name in ("Riverside Commons", "Maple Court", "Harbor View Lofts"):
            entries = Document.objects.filter(property__name=name, source="qa")
            assert entries.count() == 7
            assert set(entries.values_list("status", flat=True)) == {"ready"}
            questions = " ".join(entries.values_list("question", flat=True)).lower()
            assert all(topic in questions for topic in TOPICS), questions
        team_wide = Document.objects.get(property=None)
        assert team_wide.status == "ready"
        assert Chunk.objects.count() == 22 + team_wide.chunk_count - 1


def test_pet_policies_differ_but_assistance_animals_are_never_pets(db: None) -> None:
    seed()
    with scopes_disabled():
        pets = dict(Document.objects.filter(question="Do you allow pets?").values_list("property__name", "text"))
    assert "dogs up to 50 lb" in pets["Riverside Commons"]
    assert "$300" in pets["Riverside Commons"]
    assert "$35 a month" in pets["Riverside Commons"]
    assert "cats-only" in pets["Maple Court"]
    assert "does not allow pets" in pets["Harbor View Lofts"]
    assert all(ASSISTANCE in text for text in pets.values())
    assert "no pet deposit, pet fee or pet rent" in ASSISTANCE


def test_seeding_twice_adds_nothing(db: None) -> None:
    seed()
    assert "Demo knowledge base already present." in seed()
    with scopes_disabled():
        assert Document.objects.count() == 22
