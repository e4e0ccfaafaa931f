"""Accepted phrases: findings inside one of these are dropped."""

from __future__ import annotations

from crm.compliance.shipped.vocabulary import PHRASE, REGEX, ShippedAccepted, words

# --- Accepted phrases ----------------------------------------------------------------------------

HUD_1995 = "Named as lawful in HUD's 1995 advertising guidance."
ACCEPTED = [
    ShippedAccepted("master-bedroom", REGEX, words(r"master (?:bed ?rooms?|suites?|baths?|bathrooms?|closets?"
                    r"|retreats?|wing)"), HUD_1995),
    ShippedAccepted("family-room", REGEX, words(r"family (?:rooms?|sized?|style|kitchens?)"), HUD_1995),
    ShippedAccepted("single-family", REGEX, words(r"single family(?: homes?| houses?| residences?| dwellings?)?"),
                    "A building type, not a household."),
    ShippedAccepted("in-law-suite", REGEX, words(r"(?:mother )?in law (?:suites?|apartments?|units?|quarters)"),
                    HUD_1995),
    ShippedAccepted("bachelor-apartment", REGEX, words(r"bachelor (?:apartments?|units?|suites?|flats?)"), HUD_1995),
    ShippedAccepted("walk-in", REGEX, words(r"walk in (?:closets?|pantr(?:y|ies)|showers?)"), HUD_1995),
    ShippedAccepted("walking-distance", REGEX, words(r"walking distance", "walk to", "walk up"),
                    "Describes the location or the building (HUD 1995: \"walk to bus stop\")."),
    ShippedAccepted("accessible-features", REGEX, words(r"(?:wheelchair|handicap(?:ped)?|ada) (?:accessible"
                    r"|access|ramps?|parking|spaces?|bathrooms?|entrances?|lifts?|compliant)"),
                    "Describes accessibility features, which HUD names as lawful."),
    ShippedAccepted("places-of-worship", REGEX, words(r"(?:places?|houses?) of worship"),
                    "Neutral: no one faith is named."),
    ShippedAccepted("religious-institution", REGEX, words(
        r"(?:christian|catholic|jewish|baptist|methodist|presbyterian|lutheran|episcopal(?:ian)?|adventist"
        r"|mormon|lds|islamic|muslim|hindu|buddhist|sikh) (?:hospitals?|medical (?:center|centre|group|plaza)"
        r"|health(?:care)?|university|college|academy|charities|community (?:center|centre)|school|high school"
        r"|church|cathedral|temple|synagogue|mosque|cemetery)"),
        "The name of an institution used as a landmark, not a description of who may live here."),
    ShippedAccepted("ethnic-neighborhood-names", REGEX, words(r"little (?:italy|saigon|havana|haiti|tokyo|india"
                    r"|ethiopia)", "chinatown", "koreatown", "japantown", "greektown", "germantown"),
                    "Place names."),
    ShippedAccepted("architecture-and-goods", REGEX, words(r"french doors?", "dutch doors?", r"spanish (?:tile|style)",
                    r"english (?:garden|tudor)s?"), "Styles and materials, not people."),
    ShippedAccepted("equal-housing-opportunity", PHRASE, "equal housing opportunity", "The HUD slogan."),
]  # fmt: skip
