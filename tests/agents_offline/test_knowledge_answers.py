"""Answers quoted from the knowledge base: the right property's document, never another team's, or nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django_scopes import scopes_disabled

from agents.offline import KBAnswer, answer_from_knowledge
from agents.offline import knowledge as offline_knowledge
from crm.properties.models import Property
from crm.teams.models import Team
from crm.teams.scoping import team_scope
from knowledge.embedders import MINILM_NAME, EmbeddingError
from knowledge.ingestion import document_ingest
from knowledge.models import Chunk, Document, DocumentKind
from knowledge.services import document_create_text
from tests.conftest import TeamWorld

MAPLE_PETS = "Dogs up to 50 lb are welcome; the pet deposit is $300."
RIVERSIDE_PETS = "The pet deposit is $250 per cat, and pet rent is $25 a month."
PARKING = "Covered parking is $40 a month at every community."

MAPLE_FAQ = f"""# Pets

{MAPLE_PETS} Pet rent is $35 a month per pet. Cats are welcome too, up to two per apartment.

# Move-in

Move-ins are Monday to Saturday, 9 am to 4 pm. Bring proof of renter's insurance on the day.

# Amenities

A saltwater pool, a 24-hour fitness center and package lockers in the lobby.
"""
RIVERSIDE_FAQ = f"""# Pets

Riverside Commons is a cats-only community, and dogs are not allowed as pets. {RIVERSIDE_PETS}

# Lease terms

Leases run 12 months. Early termination needs 60 days' notice and a fee of one month's rent.
"""
PARKING_NOTE = f"""# Parking

{PARKING} Guests park in the spaces marked Visitor for up to 48 hours.
"""
BRAVO_FAQ = """# Pets

Dogs of any size are welcome at Maple Court; the pet deposit for a dog is $999.

# Parking

Covered parking is $5 a month at every community.
"""


def add_text(team: Team, title: str, text: str, prop: Property | None = None) -> Document:
    """A typed document, ingested now (in tests the enqueued task waits for a commit that never comes)."""
    with team_scope(team):
        document = document_create_text(team=team, title=title, text=text, property=prop, kind=DocumentKind.FAQ)
        document_ingest(document_id=str(document.pk))
        document.refresh_from_db()
    assert document.status == "ready"
    return document


@dataclass
class Knowledge:
    maple: Property
    riverside: Property
    maple_faq: Document
    riverside_faq: Document
    parking: Document
    bravo_faq: Document


@pytest.fixture
def kb(team_a: TeamWorld, team_b: TeamWorld) -> Knowledge:
    with scopes_disabled():
        maple = Property.objects.create(team=team_a.team, name="Maple Court")
        riverside = Property.objects.create(team=team_a.team, name="Riverside Commons")
        bravo_maple = Property.objects.create(team=team_b.team, name="Maple Court")
    return Knowledge(
        maple=maple,
        riverside=riverside,
        maple_faq=add_text(team_a.team, "Maple Court FAQ", MAPLE_FAQ, maple),
        riverside_faq=add_text(team_a.team, "Riverside Commons FAQ", RIVERSIDE_FAQ, riverside),
        parking=add_text(team_a.team, "Parking at our communities", PARKING_NOTE),
        # Team B's passages say nearly the same things, with other numbers.
        bravo_faq=add_text(team_b.team, "Maple Court FAQ", BRAVO_FAQ, bravo_maple),
    )


def cited(answer: KBAnswer | None) -> list[str]:
    assert answer is not None
    return [source.document_id for source in answer.sources]


def test_a_pet_deposit_question_at_maple_court_quotes_maple_courts_faq(team_a: TeamWorld, kb: Knowledge) -> None:
    answer = answer_from_knowledge(
        team=team_a.team, question="How much is the pet deposit for a dog?", property=kb.maple
    )

    assert answer is not None
    assert cited(answer)[0] == str(kb.maple_faq.pk)
    assert str(kb.riverside_faq.pk) not in cited(answer)
    assert answer.text.startswith(f'From "Maple Court FAQ" (Maple Court): "{MAPLE_PETS}')
    first = answer.sources[0]
    assert first.title == "Maple Court FAQ"
    assert MAPLE_PETS in first.excerpt
    with team_scope(team_a.team):
        chunk = Chunk.objects.get(pk=first.chunk_id)
    assert chunk.document_id == kb.maple_faq.pk
    assert first.excerpt in " ".join(chunk.text.split())  # quoted verbatim from that chunk
    assert 0 < answer.confidence <= 1


def test_the_same_question_at_riverside_quotes_riversides_own_policy(team_a: TeamWorld, kb: Knowledge) -> None:
    answer = answer_from_knowledge(
        team=team_a.team, question="How much is the pet deposit for a dog?", property=kb.riverside
    )

    assert answer is not None
    assert cited(answer)[0] == str(kb.riverside_faq.pk)
    assert str(kb.maple_faq.pk) not in cited(answer)
    assert RIVERSIDE_PETS in answer.text
    assert "$300" not in answer.text


def test_a_team_wide_note_answers_at_every_property(team_a: TeamWorld, kb: Knowledge) -> None:
    for prop in (kb.maple, kb.riverside):
        answer = answer_from_knowledge(team=team_a.team, question="how much is covered parking?", property=prop)

        assert cited(answer)[0] == str(kb.parking.pk)
        assert answer is not None
        assert f'From "Parking at our communities": "{PARKING}' in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "How much is the pet deposit for a dog?",
        "Do you allow dogs at Maple Court?",
        "how much is covered parking",
        "pet deposit",
    ],
)
def test_team_bs_documents_are_never_cited(team_a: TeamWorld, kb: Knowledge, question: str) -> None:
    for prop in (kb.maple, None):
        answer = answer_from_knowledge(team=team_a.team, question=question, property=prop)

        assert answer is not None
        assert str(kb.bravo_faq.pk) not in cited(answer)
        assert "$999" not in answer.text
        assert "$5 a month" not in answer.text


def test_team_b_gets_its_own_answer_and_none_of_team_as(team_b: TeamWorld, kb: Knowledge) -> None:
    answer = answer_from_knowledge(team=team_b.team, question="How much is the pet deposit for a dog?")

    assert cited(answer) == [str(kb.bravo_faq.pk)]
    assert answer is not None
    assert "$999" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "what's the capital of France",
        "tell me a joke",
        "who won the game last night?",
        "how tall is the Eiffel Tower",
        "",
        "what is it?",
    ],
)
def test_an_unrelated_question_gets_no_answer(team_a: TeamWorld, kb: Knowledge, question: str) -> None:
    assert answer_from_knowledge(team=team_a.team, question=question, property=kb.maple) is None
    assert answer_from_knowledge(team=team_a.team, question=question) is None


def test_a_team_without_documents_gets_no_answer(team_b: TeamWorld) -> None:
    assert answer_from_knowledge(team=team_b.team, question="How much is the pet deposit for a dog?") is None


def test_without_the_embedder_the_words_still_find_the_passage(
    team_a: TeamWorld, kb: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Unavailable:
        name = MINILM_NAME

        def embed(self, texts: list[str]) -> list[list[float]]:
            raise EmbeddingError("the embedding service is down")

    monkeypatch.setattr(offline_knowledge, "embedder_for_team", lambda team: Unavailable())

    answer = answer_from_knowledge(team=team_a.team, question="dog pet deposit", property=kb.maple)

    assert cited(answer) == [str(kb.maple_faq.pk)]
    assert answer is not None
    assert MAPLE_PETS in answer.text
    assert answer_from_knowledge(team=team_a.team, question="capital of France", property=kb.maple) is None
