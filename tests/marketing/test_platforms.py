"""Platform limits: trimming never cuts a word and never exceeds a limit; shapes are enforced."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crm.marketing.platforms import (
    GOOGLE_HEADLINE_MAX,
    META_PRIMARY_TEXT_MAX,
    fit,
    limit_problems,
    normalize_variation,
    plain_text,
)

words = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=14)
sentences = st.lists(words, min_size=1, max_size=30).map(" ".join)


@given(text=sentences, limit=st.integers(min_value=1, max_value=130))
def test_fit_never_exceeds_the_limit_and_never_cuts_a_word(text: str, limit: int) -> None:
    trimmed = fit(text, limit)
    assert len(trimmed) <= limit
    assert set(trimmed.split()) <= set(text.split()), "every word kept is a whole word of the original"
    assert text.startswith(trimmed), "the copy is cut from the end, not rearranged"


def test_fit_keeps_whole_sentences_when_they_fit() -> None:
    text = "Now leasing in Austin. Studio to 3-bedroom apartments from $1,295/month, available now."
    assert fit(text, 40) == "Now leasing in Austin."


def test_fit_drops_a_dangling_connector_and_punctuation() -> None:
    assert fit("Apartments in Austin with a rooftop pool", 27) == "Apartments in Austin"
    assert fit("Rooftop pool, gym, parking", 19) == "Rooftop pool, gym"


def test_fit_gives_up_rather_than_cut_a_word() -> None:
    assert fit("Supercalifragilisticexpialidocious Apartments", 20) == ""


def test_google_headlines_are_trimmed_deduplicated_and_lose_exclamation_marks() -> None:
    variation, problems = normalize_variation(
        "google",
        "leads",
        {
            "headlines": ["Tour Today!", "tour today", "Brand New Apartments in Downtown Austin Texas", "Apply Now"],
            "descriptions": ["Studio to 3-bedroom apartments!!", "Book a tour."],
        },
    )
    assert problems == []
    assert variation["headlines"] == ["Tour Today", "Brand New Apartments", "Apply Now"]
    assert all(len(h) <= GOOGLE_HEADLINE_MAX for h in variation["headlines"])
    assert variation["descriptions"][0] == "Studio to 3-bedroom apartments!"


def test_a_google_variation_needs_three_headlines_and_two_descriptions() -> None:
    _, problems = normalize_variation("google", "leads", {"headlines": ["One", "Two"], "descriptions": ["Only one"]})
    assert len(problems) == 2
    assert "at least 3 different headlines" in problems[0]
    assert "at least 2 different descriptions" in problems[1]


def test_google_lists_are_capped_at_fifteen_headlines_and_four_descriptions() -> None:
    variation, problems = normalize_variation(
        "google", "leads", {"headlines": [f"Headline {n}" for n in range(20)], "descriptions": list("abcdef")}
    )
    assert problems == []
    assert (len(variation["headlines"]), len(variation["descriptions"])) == (15, 4)


def test_a_meta_call_to_action_off_the_list_becomes_the_objectives_default() -> None:
    raw = {
        "primary_text": "Now leasing.",
        "headline": "Riverside",
        "description": "Austin",
        "call_to_action": "BOOK_TRAVEL",
    }
    assert normalize_variation("facebook", "tours", raw)[0]["call_to_action"] == "CONTACT_US"
    assert normalize_variation("instagram", "leads", raw)[0]["call_to_action"] == "SIGN_UP"
    raw["call_to_action"] = "apply now"
    assert normalize_variation("facebook", "leads", raw)[0]["call_to_action"] == "APPLY_NOW"


def test_meta_fields_are_trimmed_to_their_limits_and_must_not_be_empty() -> None:
    variation, problems = normalize_variation(
        "facebook", "leads", {"primary_text": "Word " * 60, "headline": "", "description": None}
    )
    assert len(variation["primary_text"]) <= META_PRIMARY_TEXT_MAX
    assert problems == ["needs a headline of up to 40 characters", "needs a description of up to 30 characters"]


def test_limit_problems_catches_copy_that_was_not_normalised() -> None:
    too_long = {"primary_text": "x", "headline": "A" * 41, "description": "d", "call_to_action": "LEARN_MORE"}
    assert limit_problems("facebook", too_long)
    assert limit_problems("facebook", {**too_long, "headline": "Fine", "extra": "field"})
    assert limit_problems("facebook", {**too_long, "headline": "Fine"}) == []


def test_plain_text_lists_every_field_for_pasting() -> None:
    text = plain_text("google", {"headlines": ["One", "Two", "Three"], "descriptions": ["First.", "Second."]})
    assert text == "Headlines:\n- One\n- Two\n- Three\nDescriptions:\n- First.\n- Second."
    meta = {"primary_text": "P", "headline": "H", "description": "D", "call_to_action": "APPLY_NOW"}
    assert plain_text("facebook", meta).endswith("Call to action: Apply now (APPLY_NOW)")
