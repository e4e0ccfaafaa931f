"""The Fair Housing rules Loriaa ships, seeded into the database by a migration.

Operators extend them in the Django admin. A shipped rule keeps its ``key``, so a later release
updates it in place with ``seed_shipped_rules`` (run from a migration): the pattern, reason and
suggestion follow the release, while an operator's on/off switch stays as they set it.

Sources: the Fair Housing Act, 42 U.S.C. 3604(c); HUD's advertising guidance (the 1995
"Achtenberg memo", which names "master bedroom", "family room", "bachelor apartment",
"mother-in-law suite", "walk-in closets", "jogging trails", "non-smoking", "sober",
"kosher meals", "Easter brunch", "apartment complex with chapel" and "walk to bus stop" as
lawful, and "no wheelchairs", "adults only", "Christian home", "white family home" as not);
HUD's 2020 notice on assistance animals; and the HOPA exemption (42 U.S.C. 3607(b)).

Policy decisions (documented so reviewers can disagree on the record):

- Most rules are sentence *frames* around a group word ("no kids", "adults only", "ideal for
  young couples", "prefer a female renter"), not bare words: "white cabinets", "French doors",
  "Asian market", "a couple of blocks" and "mature trees" are fine, "white tenants" is not.
- Religion: religious identity words ("Christian", "Muslims") are flagged anywhere except in
  the names of institutions ("Methodist Hospital"); "near churches"/"walking distance to
  church" is flagged with "near places of worship" as the neutral rewrite, while a named
  landmark ("across from St. Mark's Church") is not.
- Familial status: every familial-status rule is exempt in a property that qualifies as
  housing for older persons (HOPA exempts such housing from the familial-status provisions),
  so "55+ community" and "adults only" pass there and are flagged everywhere else.
- Disability: "no pets" is lawful; "no pets, no exceptions" is flagged, because assistance
  animals are not pets and must be allowed as an accommodation.
- "Bachelor apartment" is lawful (HUD); "bachelor pad" states who should live there.
"""

from __future__ import annotations

from typing import Any

from crm.compliance.shipped.accepted import ACCEPTED
from crm.compliance.shipped.federal import FEDERAL
from crm.compliance.shipped.local import LOCAL
from crm.compliance.shipped.vocabulary import REASONS, ShippedAccepted, ShippedRule

__all__ = ["ACCEPTED", "REASONS", "ShippedAccepted", "ShippedRule", "seed_shipped_rules", "shipped_rules"]


def shipped_rules() -> list[ShippedRule]:
    # HOPA exempts qualified housing for older persons from the familial-status provisions.
    return [
        ShippedRule(**{**rule.__dict__, "older_persons_exempt": rule.category == "familial_status"})
        for rule in (*FEDERAL, *LOCAL)
    ]


def seed_shipped_rules(rule_model: Any, accepted_model: Any) -> None:
    """Create or update the shipped rules and accepted phrases; drop shipped ones no longer shipped.

    Takes the model classes so a migration can pass its historical models.
    """
    rules = shipped_rules()
    for rule in rules:
        rule_model.objects.update_or_create(
            key=rule.key,
            defaults={
                "kind": rule.kind,
                "pattern": rule.pattern,
                "category": rule.category,
                "reason": rule.reason or REASONS[rule.category],
                "suggestion": rule.suggestion,
                "older_persons_exempt": rule.older_persons_exempt,
            },
        )
    rule_model.objects.exclude(key="").exclude(key__in=[r.key for r in rules]).delete()
    for phrase in ACCEPTED:
        accepted_model.objects.update_or_create(
            key=phrase.key, defaults={"kind": phrase.kind, "pattern": phrase.pattern, "note": phrase.note}
        )
    accepted_model.objects.exclude(key="").exclude(key__in=[a.key for a in ACCEPTED]).delete()
