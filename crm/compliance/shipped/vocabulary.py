"""Dataclasses, reasons and the building blocks the shipped rules are written with."""

from __future__ import annotations

from dataclasses import dataclass

PHRASE = "phrase"
REGEX = "regex"


@dataclass(frozen=True)
class ShippedRule:
    key: str
    kind: str
    pattern: str
    category: str
    suggestion: str
    reason: str = ""  # empty: the category's reason below
    older_persons_exempt: bool = False


@dataclass(frozen=True)
class ShippedAccepted:
    key: str
    kind: str
    pattern: str
    note: str


REASONS = {
    "race": "Describes residents, applicants or the neighborhood by race, which states a racial preference "
    "or limitation (Fair Housing Act, 42 U.S.C. 3604(c)).",
    "color": "Refers to skin color, which states a preference or limitation based on color (Fair Housing Act).",
    "religion": "Refers to religion in a way that says who is wanted; ads may not state a religious preference "
    "(Fair Housing Act). Describe the property, not the people.",
    "sex": "Says who should live here by sex; ads may not state a preference based on sex (Fair Housing Act).",
    "disability": "Excludes or discourages people with disabilities or their assistance animals (Fair Housing "
    'Act). Describe the property\'s features instead, e.g. "third-floor walk-up".',
    "familial_status": "States a preference for or against households with children (adults, couples, singles, "
    "families); familial status is protected (Fair Housing Act). Age-restricted wording is lawful only in "
    "housing that qualifies as housing for older persons (HOPA: 55+ or 62+).",
    "national_origin": "Refers to ancestry, nationality, citizenship or language in a way that says who is "
    "wanted; national origin is protected (Fair Housing Act).",
    "source_of_income": "Refuses renters by their lawful source of income (vouchers, benefits, assistance), "
    "which your local fair housing law protects.",
    "age": "States a preference about age, which your local fair housing law protects.",
    "marital_status": "States a preference about marital status, which your local fair housing law protects.",
    "sexual_orientation": "States a preference about sexual orientation, which your local fair housing law protects.",
    "gender_identity": "States a preference about gender identity, which your local fair housing law protects.",
    "military_status": "States a preference about military or veteran status, which your local fair housing "
    "law protects.",
}

# --- Building blocks -----------------------------------------------------------------------------

S = r"[\s-]+"  # between words: spaces or hyphens (the engine turns every dash into "-")
APOS = "'"  # and every apostrophe into '


def alt(*options: str) -> str:
    return "(?:" + "|".join(options) + ")"


def words(*phrases: str) -> str:
    """Alternatives written with plain spaces: a space matches any run of spaces or hyphens, and an
    optional space (" ?") none at all as well ("w ?2" finds "W2", "W-2" and "W 2")."""
    return alt(*(p.replace(" ?", r"[\s-]*").replace(" ", S) for p in phrases))


PERSONS = words(
    "people", "persons?", "folks?", "tenants?", "renters?", "residents?", "applicants?", "occupants?",
    "individuals?", "roommates?", "couples?", "m[ae]n", "wom[ae]n", "students?", "professionals?", "adults?",
    "prospects?", "guests?", "lessees?", "neighbou?rs?",
)  # fmt: skip
PEOPLE = alt(
    PERSONS,
    words(r"famil(?:y|ies)", "households?", "neighbou?rhoods?", r"communit(?:y|ies)", "areas?", "buildings?",
          "complex(?:es)?", "homes?", "clientele", "crowd", "groups?", "population", "enclaves?", "kids",
          r"child(?:ren)?", "owners?", "landlords?"),
)  # fmt: skip
PLACES = words(
    "pools?", "buildings?", r"communit(?:y|ies)", "apartments?", "complex(?:es)?", r"propert(?:y|ies)", "units?",
    "floors?", "hours", "gym", "areas?", "housing", "residences?", "homes?", "rentals?", "suites?", "house",
    "lofts?", "studios?", "condos?", "townhomes?", "swim", "clubhouse", "living", "lifestyle", "boarding houses?",
    "rooming houses?", "dorms?",
)  # fmt: skip
ARTICLE = r"(?:(?:a|an|the|any|our|your)\s+)?"
MODIFIERS = (
    r"(?:(?:a|an|the|one|two|nice|quiet|young|single|working|professional|practicing|devout|mature|older|"
    r"retired|small|growing|large|new|responsible|respectable|good|clean|busy|sweet|elderly|old|senior|married"
    r"|newly\s+married)\s+){0,3}"
)
NO = words(
    "no", "not for", r"not (?:really )?(?:suitable|ideal|safe|right|appropriate|good|meant|intended|designed) for",
    rf"(?:is|are|was)(?: not|n{APOS}t) (?:really )?(?:(?:suitable|ideal|safe|right|appropriate|good|meant|intended"
    r"|designed|made|built) )?for",
    "unsuitable for", r"not a (?:good |great )?(?:fit|match) for", "no room for", "no place for",
    rf"(?:we )?(?:do not|don{APOS}?t|does not|doesn{APOS}?t|won{APOS}?t|will not|cannot|can{APOS}?t|never)"
    r" (?:rent|lease|show units?) to",
    rf"(?:we )?(?:do not|don{APOS}?t|does not|doesn{APOS}?t|won{APOS}?t|will not) (?:allow|accept|take|want|do)",
    rf"(?:won{APOS}?t|will not|wouldn{APOS}?t|would not|doesn{APOS}?t|does not) work for", "not open to", "closed to",
    rf"(?:(?:we|i|they|owner|landlord)(?: would|{APOS}d)|would) rather not (?:rent|lease) to",
)  # fmt: skip
NO_TAIL = (
    r"(?:\s+(?:of\s+any\s+kind|under\s+(?:the\s+age\s+of\s+)?\d+(?:\s+years)?(?:\s+old)?|"
    r"(?:are\s+|is\s+)?(?:allowed|permitted|accepted|please|wanted|considered)))?"
)
ONLY_WANTED = words("only", "preferred", "wanted")
NOT_WANTED = words(
    "need not apply", "should look elsewhere", "should apply elsewhere",
    r"(?:are |is )?not (?:allowed|welcome|accepted|permitted|wanted|considered)",
)  # fmt: skip
ONLY = alt(ONLY_WANTED, NOT_WANTED)
IDEAL = words(
    r"(?:ideal|perfect|great|best|better|just right|made|ideally suited|best suited|well suited|suited|suitable"
    r"|designed|intended|meant|reserved|geared|tailored|catering) (?:for|to(?:wards?)?)",
    r"(?:a )?(?:good|great|better|best|perfect|ideal|right) (?:fit|match) for",
    r"(?:ideal|perfect|great|nice|good|wonderful|lovely) (?:place|spot|home|unit|apartment|pad|space|choice|option"
    r"|starter (?:home|apartment|unit)) for",
    r"(?:would )?suits?", r"(?:is|are) (?:only |just |strictly |really )?for",
)  # fmt: skip
# "people with disabilities", "anyone with small children", "tenants on vouchers".
WITH = (
    r"(?:(?:people|persons|anyone|anybody|someone|somebody|those|tenants|renters|applicants|residents|families"
    r"|households|folks|one|individuals|couples?)\s+(?:with(?:out|\s+no)?|who\s+(?:have|has|use|uses|receive|receives"
    r"|get|gets)|on|in)\s+(?:(?:a|an|any|small|young|little|their|your)\s+)?)?"
)
PREFER = r"(?:(?:we|i|owner|landlord|the owner)\s+)?(?:would\s+)?prefer(?:s|red|ring)?(?:\s+to\s+rent\s+to)?"
ONLY_RENT_TO = r"(?:(?:we|owner|landlord|the\s+owner)\s+)?(?:only|exclusively)\s+(?:rents?|leases?)\s+to"
SEEK = (
    r"(seeking|looking\s+for|searching\s+for|in\s+search\s+of|wanted:?|(?:hoping|looking|trying)\s+to\s+find"
    r"|(?:only\s+)?wants?|would\s+like)"
)

EVERYONE = "everyone is welcome"
WELCOME_ALL = "welcome all qualified applicants"


def listed(group: str) -> str:
    """More of the group after the first: "no Hindus or Sikhs", "no alcoholics, addicts"."""
    return rf"(?:\s*(?:,|/|&|\bor\b|\band\b)\s*{ARTICLE}(?:{group}))*"


def frames(
    category: str, group: str, *, key: str = "", no: str = EVERYONE, no_group: str = "", only_first: bool = True
) -> list[ShippedRule]:
    """The sentence frames that turn a group word into a preference, limitation or exclusion.

    ``no_group`` narrows the frames that exclude where excluding part of the group is not about
    this class ("no seniors" is about age, while "seniors only" signals no children).
    ``only_first`` adds "only <group>" ("only married couples"), which is off where it would
    catch lawful rules ("only adults sign the lease").
    """
    key = key or category.replace("_", "-")
    g = f"(?:{group})"
    excluded = f"(?:{no_group or group})"
    rules = [
        ShippedRule(f"{key}-no", REGEX, rf"{NO}{S}{ARTICLE}{WITH}{excluded}{listed(excluded)}{NO_TAIL}", category, no),
        ShippedRule(f"{key}-only-place", REGEX, rf"{g}(?:'s)?{S}only{S}({PLACES})", category, r"\1"),
        ShippedRule(f"{key}-only", REGEX, rf"{g}{listed(g)}{S}{ONLY_WANTED}", category, EVERYONE),
        ShippedRule(f"{key}-not-wanted", REGEX, rf"{excluded}{listed(excluded)}{S}{NOT_WANTED}", category, EVERYONE),
        ShippedRule(f"{key}-only-rent-to", REGEX, rf"{ONLY_RENT_TO}\s+{ARTICLE}{WITH}{g}", category, EVERYONE),
        ShippedRule(f"{key}-ideal-for", REGEX, rf"({IDEAL})\s+{MODIFIERS}{WITH}{g}", category, r"\1 anyone"),
        ShippedRule(f"{key}-prefer", REGEX, rf"{PREFER}\s+{MODIFIERS}{WITH}{g}", category, WELCOME_ALL),
        ShippedRule(f"{key}-seeking", REGEX, rf"{SEEK}\s+{MODIFIERS}{WITH}{g}", category, r"\1 tenants"),
    ]
    if only_first:
        rules.append(
            ShippedRule(f"{key}-only-first", REGEX, rf"(?<![\w-])only\s+{ARTICLE}{WITH}{g}", category, EVERYONE)
        )
    return rules


def describes(key: str, category: str, adjectives: str, nouns: str = PEOPLE) -> ShippedRule:
    """A group adjective in front of people or a place ("white tenants", "Irish neighborhood"): drop it."""
    return ShippedRule(key, REGEX, rf"(?:{adjectives}){S}(?:(?:{adjectives}){S})*({nouns})", category, r"\1")
