"""Rules for the classes the federal Fair Housing Act protects."""

from __future__ import annotations

from crm.compliance.shipped.vocabulary import (
    APOS,
    ARTICLE,
    NO,
    NO_TAIL,
    ONLY,
    PEOPLE,
    PERSONS,
    PHRASE,
    PLACES,
    REGEX,
    WITH,
    S,
    ShippedRule,
    alt,
    describes,
    frames,
    words,
)

# --- Race and color ------------------------------------------------------------------------------

RACE_ADJ = words(
    "white", "black", "caucasian", "african american", r"asian(?: american)?", "hispanic", "latin[oa]", "latinx",
    "native american", "american indian", "pacific islander", "negro", "oriental", r"non ?white", "minority",
    "all white", "all black",
)  # fmt: skip
RACE_NOUN = words(
    "whites", "blacks", "caucasians", "african americans", "asians", "asian americans", "hispanics", "latin[oa]s",
    "latinxs?", "native americans", "negro(?:e)?s", "orientals", "minorities", r"non ?whites", "people of colou?r",
)  # fmt: skip
COLOR_ADJ = alt(
    words(r"(?:light|dark|fair|pale|olive|brown|black|white|yellow|red) skin(?:ned)?"),
    words(r"(?:light|dark|fair|pale) complexion(?:ed)?"),
    "colou?red",
)
RACE_COLOR = [
    *frames("race", alt(rf"{RACE_ADJ}{S}{PEOPLE}", RACE_NOUN)),
    describes("race-describes-people", "race", RACE_ADJ),
    ShippedRule("race-people", REGEX, RACE_NOUN, "race", "residents"),
    ShippedRule("race-mostly", REGEX, alt(words(r"(?:mostly|predominantly|primarily|largely|mainly|overwhelmingly"
                r"|heavily|majority)") + rf"{S}{RACE_ADJ}", words(r"(?:very|quite|so|really|too)") + rf"{S}"
                + words("caucasian", "african american", "asian", "hispanic", "latin[oa]", "latinx")), "race", "",
                reason="Describes the neighborhood or building by the race of its residents, which signals who is "
                "wanted (Fair Housing Act, 42 U.S.C. 3604(c))."),
    ShippedRule(
        "race-integrated-area", REGEX,
        words(r"(?:racially )?(?:integrated|segregated|mixed) (neighbou?rhoods?|communit(?:y|ies)|areas?"
              r"|buildings?|blocks?)"),
        "race", r"\1",
    ),
    ShippedRule("race-racially", REGEX,
                words(r"racially (?:mixed|diverse|integrated|segregated|homogeneous|balanced)"), "race", ""),
    ShippedRule(
        "race-restricted-area", REGEX,
        r"(?<![\w-])(?<!age\s)restricted" + S + r"(neighbou?rhoods?|communit(?:y|ies)|areas?)",
        "race", r"\1", reason="\"Restricted\" was the word of racially restrictive covenants; HUD lists it among "
        "words that signal a racial preference.",
    ),
    *frames("color", alt(rf"{COLOR_ADJ}{S}{PEOPLE}", words("coloreds", "coloureds"))),
    describes("color-describes-people", "color", COLOR_ADJ),
    ShippedRule("color-skin", REGEX, words(r"(?:light|dark|fair|pale|olive|brown) skinned"), "color", ""),
    ShippedRule(
        "color-complexion", REGEX,
        words(r"(?:with (?:an? )?)?(?:light|dark|fair|pale|olive) (?:complexion|skin(?: tone)?)"),
        "color", "",
    ),
]  # fmt: skip

# --- Religion ------------------------------------------------------------------------------------

FAITH = (
    "christian", "catholic", "jewish", "muslim", "moslem", "islamic", "protestant", "mormon", "hindu", "buddhist",
    "sikh", "evangelical", "pentecostal", "born again", "atheist", "agnostic", "church going", "churchgoing",
    "god fearing", "bible believing", "amish", "mennonite",
)  # fmt: skip
DENOMINATION = (
    "baptist",
    "lutheran",
    "methodist",
    "presbyterian",
    "episcopalian",
    "adventist",
    "orthodox",
    "religious",
    "lds",
)
RELIGION_ADJ = words(*FAITH, *DENOMINATION)
RELIGION_NOUN = words(
    "christians", "catholics", "jews", "muslims", "moslems", "protestants", "mormons", "hindus", "buddhists", "sikhs",
    "baptists", "lutherans", "methodists", "presbyterians", "episcopalians", "evangelicals", "pentecostals",
    "atheists", "agnostics", "believers", "non believers", "churchgoers?", rf"jehovah{APOS}?s witness(?:es)?",
    "adventists", "mennonites",
)  # fmt: skip
FAITH_STACK = words(r"(?:(?:born again|devout|practicing|practising|orthodox|conservative|good) )*")
RELIGION = [
    *frames("religion", alt(rf"(?:{RELIGION_ADJ}{S})+{PEOPLE}", RELIGION_NOUN, words(*FAITH))),
    describes("religion-describes-people", "religion", RELIGION_ADJ),
    ShippedRule("religion-believers", REGEX, FAITH_STACK + RELIGION_NOUN, "religion", "everyone"),
    ShippedRule("religion-faith-word", REGEX, FAITH_STACK + words(*FAITH, "jew"), "religion", ""),
    ShippedRule(
        "religion-must-be", REGEX, words(r"must be (?:an? )?") + FAITH_STACK + alt(RELIGION_ADJ, RELIGION_NOUN),
        "religion", "must meet the same screening criteria",
    ),
    ShippedRule(
        "religion-near-house-of-worship", REGEX,
        words(r"(?:near|close to|walk(?:ing distance)? to|steps (?:from|to)|minutes (?:from|to)|next to|across from"
              r"|blocks from|around the corner from) (?:(?:the|a|your|our) )?(?:churche?s?|synagogues?|mosques?"
              r"|temples?|cathedrals?|parish(?:es)?)")
        + rf"(?!{S}(?:street|st|avenue|ave|road|rd|drive|dr|lane|ln|university|hills?|terrace|park|square)\b)",
        "religion", "near places of worship",
        reason="Naming one faith's house of worship as a selling point can read as a religious preference; "
        "\"near places of worship\" (or a named landmark) says the same without it.",
    ),
]  # fmt: skip

# --- Sex -----------------------------------------------------------------------------------------

SEX_NOUN = words(
    r"m[ae]n(?! caves?)", "wom[ae]n", "males?", "females?", "lad(?:y|ies)", "gentlem[ae]n", "girls?", "boys?",
    "guys?", "gals?", "bachelors?", "bachelorettes?", "businessm[ae]n", "businesswom[ae]n", "husbands?", "wives",
)  # fmt: skip
SEX_ADJ = words("male", "female", "lady", "gentleman", "man", "woman", "girl", "boy", "guy", "gal")
SEX = [
    *frames("sex", alt(rf"{SEX_ADJ}{S}{PERSONS}", SEX_NOUN)),
    describes("sex-describes-people", "sex", words("male", "female", "ladies", "men's", "women's"), PERSONS),
    ShippedRule("sex-bachelor-pad", PHRASE, "bachelor pad", "sex", "apartment"),
    ShippedRule("sex-bachelorette-pad", PHRASE, "bachelorette pad", "sex", "apartment"),
    ShippedRule("sex-must-be", REGEX, words(r"must be (?:an? )?") + alt(SEX_NOUN, SEX_ADJ), "sex",
                "must meet the same screening criteria"),
]  # fmt: skip

# --- Disability ----------------------------------------------------------------------------------

ANIMALS = words(
    r"(?:service|assistance|emotional support|support|companion|therapy|comfort) (?:animals?|dogs?|pets?)",
    "esas?", "seeing eye dogs?", "guide dogs?",
)  # fmt: skip
DISABILITY_ADJ = words(
    "handicapped", "disabled", "crippled", r"mentally (?:ill|handicapped|disabled|challenged|retarded|unstable)",
    "retarded", "deaf", "blind", "wheelchair (?:bound|users?)", "hiv positive", "psychiatric",
    r"physically (?:handicapped|disabled|challenged)", "special needs",
)  # fmt: skip
DISABILITY_NOUN = words(
    "wheelchairs?", "wheelchair users?", "walkers", "crutches", "mobility scooters?", "oxygen(?: tanks?)?",
    "handicapped", "disabled", "the (?:disabled|handicapped|blind|deaf|mentally ill|infirm)", "cripples",
    "invalids", r"(?:recovering )?(?:addicts|alcoholics)", "people in recovery", "(?:one|anyone) in recovery",
    r"mental illness(?:es)?", r"mental health (?:issues|problems|conditions)", "disabilities", "hiv", "aids",
    "group homes?", r"mentally (?:ill|handicapped|disabled|challenged|retarded)", "crippled", "retarded",
    "wheelchair bound",
)  # fmt: skip
FITNESS = words("able bodied", "physically (?:fit|able)", "healthy", "sane", r"mentally (?:stable|sound|healthy)")
DISABILITY = [
    *frames("disability", alt(rf"{DISABILITY_ADJ}{S}{PEOPLE}", rf"{FITNESS}{S}{PERSONS}", DISABILITY_NOUN),
            no="reasonable accommodations available"),
    describes("disability-describes-people", "disability", alt(DISABILITY_ADJ, FITNESS), PERSONS),
    ShippedRule("disability-no-assistance-animals", REGEX, rf"{NO}{S}{ARTICLE}{ANIMALS}{NO_TAIL}", "disability",
                "assistance animals welcome",
                reason="Assistance animals (service and support animals) are not pets: refusing them denies a "
                "reasonable accommodation (Fair Housing Act; HUD FHEO-2020-01)."),
    ShippedRule("disability-refuse-animals", REGEX, words(rf"(?:can{APOS}?t|cannot|can not|won{APOS}?t|will not"
                rf"|don{APOS}?t|do not|doesn{APOS}?t|does not|unable to|not able to) (?:accommodate|accept|allow"
                r"|permit|take)") + rf"\s+{ARTICLE}{WITH}{ANIMALS}", "disability", "assistance animals are welcome"),
    ShippedRule("disability-animals-not-allowed", REGEX, rf"{ANIMALS}\s+{ONLY}", "disability",
                "assistance animals welcome"),
    ShippedRule("disability-no-pets-no-exceptions", REGEX, words(r"no pets?") + r"[\s,.;:!\-]+(?:and\s+)?"
                + words("no exceptions?"), "disability", "no pets (assistance animals welcome)",
                reason="\"No exceptions\" refuses the accommodation the law requires for assistance animals, "
                "which are not pets (Fair Housing Act; HUD FHEO-2020-01)."),
    ShippedRule("disability-able-bodied", PHRASE, "able-bodied", "disability", ""),
    ShippedRule("disability-wheelchair-bound", PHRASE, "wheelchair-bound", "disability", ""),
    ShippedRule("disability-crippled", PHRASE, "crippled", "disability", ""),
    ShippedRule("disability-retarded", PHRASE, "retarded", "disability", ""),
    ShippedRule("disability-mentally-ill", PHRASE, "mentally ill", "disability", ""),
    ShippedRule(
        "disability-must-climb-stairs", REGEX,
        words(r"(?:must|(?:will )?(?:need|needs|have|has) to) be able to (?:climb|walk up|go up|use|manage|navigate)"
              r" (?:the )?(?:\w+ (?:flights? of )?)?"
              r"(?:stairs|steps|stairways?|flights?(?: of stairs)?)"),
        "disability", "the unit is reached by stairs",
    ),
    ShippedRule(
        "disability-must-be-able", REGEX,
        words(r"must (?:be )?(?:able to (?:walk|hear|see|live independently|care for (?:yourself|themselves))"
              r"|able bodied|in good (?:physical |mental )?health|physically (?:fit|able)|healthy"
              r"|mentally (?:stable|sound|healthy)|(?:able|capable) of (?:independent living|living independently))"),
        "disability", "must meet the same screening criteria",
    ),
]  # fmt: skip

# --- Familial status (all exempt in qualified housing for older persons) ---------------------------

# "Family" as a household: not "family room", "family gatherings" or "family-owned".
FAMILY = (
    r"famil(?:y|ies)" + rf"(?!{S}(?:rooms?|gatherings?|dinners?|meals?|events?|time|games?|movies?|nights?|holidays?"
    r"|reunions?|style|members?|visits?|sized?|friendly|and\s+friends|photos?|vacations?|fun|part(?:y|ies)|activities"
    r"|owned|run|business)\b)"
)
CHILDREN = words(
    "kids?", r"child(?:ren)?", "teens?", "teenagers?", "toddlers?", "infants?", r"bab(?:y|ies)", "minors?",
    "little ones", r"famil(?:y|ies) with (?:kids|children)", r"pregnant (?:wom[ae]n|tenants?|mothers?|moms?)",
    r"pregnanc(?:y|ies)", "expecting mothers?", r"single (?:moms?|mothers?|parents?|dads?|fathers?)",
    r"(?:more than )?(?:one|two|three|1|2|3) (?:child(?:ren)?|kids?)", "young children", "small children",
)  # fmt: skip
GROWN_UPS = words(
    "adults?", r"couples?(?! of\b)", "singles", "empty nesters?", "newlyweds?", "retirees?", "seniors?",
    "senior citizens?", r"(?:young|mature|older|retired|professional|childless|working) (?:couples?|persons?|people"
    r"|adults?|professionals?|individuals?|tenants?|residents?|renters?|singles|gentlem[ae]n|lad(?:y|ies)|m[ae]n"
    r"|wom[ae]n)",
    r"single (?:persons?|people|professionals?|adults?|individuals?|occupants?|tenants?|renters?|residents?)",
)  # fmt: skip
AGE_55 = r"(?:55|62)\s*(?:\+|plus\b|(?:years?\s+(?:of\s+age\s+|old\s+)?)?(?:and|&|or)\s+(?:older|over|up|above))"
FAMILIAL = [
    *frames("familial_status", alt(FAMILY, CHILDREN, GROWN_UPS), key="familial", no_group=alt(FAMILY, CHILDREN),
            only_first=False),
    ShippedRule("familial-young", REGEX, words(r"young (professionals?|couples?|singles|adults?|people|crowd"
                r"|tenants?|residents?|renters?|grads|graduates)"), "familial_status", r"\1"),
    ShippedRule("familial-mature", REGEX, words(r"(?:mature|older|childless) (couples?|persons?|people|adults?"
                r"|individuals?|tenants?|residents?|renters?)"), "familial_status", r"\1"),
    ShippedRule("familial-empty-nesters", PHRASE, "empty nesters", "familial_status", ""),
    ShippedRule("familial-number-of-children", REGEX, words(r"(?:max(?:imum)?|no more than|only|limit(?: of)?"
                r"|up to|at most) (?:one|two|three|1|2|3) (?:kids?|child(?:ren)?)") + NO_TAIL, "familial_status",
                "occupancy follows the local code",
                reason="Limits the number of children rather than the number of occupants; occupancy limits must "
                "apply to all occupants alike (Fair Housing Act, familial status)."),
    ShippedRule("familial-newlyweds", PHRASE, "newlyweds", "familial_status", ""),
    ShippedRule("familial-child-free", REGEX, r"(?:child(?:ren)?|kids?)[\s-]*free" + rf"(?:{S}({PLACES}))?",
                "familial_status", r"\1"),
    ShippedRule("familial-adult-place", REGEX, words(r"(?:active )?adults?")
                + rf"{S}({PLACES}|neighbou?rhoods?)(?!\s+(?:in|at|on|with|together|here|there|under)\b)",
                "familial_status", r"\1"),
    ShippedRule("familial-active-adult", PHRASE, "active adult", "familial_status", ""),
    ShippedRule("familial-55-plus-place", REGEX, rf"(?:(?:ages?|aged)\s+)?{AGE_55}{S}({PLACES})", "familial_status",
                r"\1"),
    ShippedRule("familial-55-plus", REGEX, rf"(?:(?:ages?|aged)\s+)?{AGE_55}", "familial_status", ""),
    ShippedRule("familial-must-be-55", REGEX, rf"must\s+be\s+(?:at\s+least\s+)?{AGE_55}", "familial_status",
                "open to all ages"),
    ShippedRule("familial-over-55", REGEX, r"(?:over|older\s+than|above|at\s+least)\s+(?:the\s+age\s+of\s+)?(?:55|62)"
                r"(?:\s+years(?:\s+of\s+age|\s+old)?)?", "familial_status", ""),
    ShippedRule("familial-senior-place", REGEX, words(r"seniors?(?: citizens?)?") + rf"{S}({PLACES}|village)",
                "familial_status", r"\1"),
    ShippedRule("familial-retirement-place", REGEX, words(r"retirement (communit(?:y|ies)|village|living|homes?"
                r"|residences?)"), "familial_status", r"\1"),
    ShippedRule("familial-age-restricted", PHRASE, "age-restricted", "familial_status", ""),
]  # fmt: skip

# --- National origin -----------------------------------------------------------------------------

NATIONALITY = words(
    "american", "mexican", "chinese", "irish", "indian", "italian", "korean", "japanese", "vietnamese", "filipino",
    "russian", "polish", "german", "arab", "arabic", "african", "somali", "haitian", "cuban", "puerto rican",
    "dominican",
    "salvadoran", "guatemalan", "honduran", "middle eastern", "pakistani", "iranian", "persian", "afghan", "syrian",
    "iraqi", "nigerian", "ethiopian", "jamaican", "greek", "ukrainian", "french", "european", "brazilian",
    "colombian", "venezuelan", "hmong", "native born", "american born", r"foreign(?: born)?", "immigrant",
    "ethnic", "undocumented", "illegal", "non citizen",
) + rf"(?:{S}american)?"  # fmt: skip
LANGUAGES = (
    "english|spanish|french|chinese|mandarin|cantonese|arabic|hindi|urdu|tagalog|vietnamese|korean|russian|"
    "portuguese|creole|polish|somali"
)
SPEAKING = words(rf"(?:non )?(?:{LANGUAGES}) speaking")
NATIONALITY_NOUN = words(
    r"(?:someone|somebody|people|persons|tenants|applicants|those|anyone) (?:who (?:was|were|are|is) )?born"
    r" (?:here|in (?:this country|the us"
    r"|the u\.s\.|the usa|america|the united states))",
    "mexicans", "chinese", "irish", "indians", "italians", "koreans", "japanese", "vietnamese", "filipinos",
    "russians", "poles", "germans", "arabs", "africans", "somalis", "haitians", "cubans", "puerto ricans",
    "dominicans", "pakistanis", "iranians", "afghans", "syrians", "iraqis", "nigerians", "jamaicans", "immigrants",
    "foreigners", "refugees", "migrants", "aliens", "illegal aliens", "illegals", "non citizens", "noncitizens",
    "asylum seekers", "foreign nationals", "americans", r"(?:us|u\.s\.|american) citizens", "citizens",
    "green card holders", rf"(?:people|persons|someone|tenants|those|anyone) who speaks? (?:{LANGUAGES})",
    "people with accents", "accents", rf"(?:non )?(?:{LANGUAGES}) speakers",
)  # fmt: skip
NATIONAL_ORIGIN = [
    *frames("national_origin", alt(rf"{NATIONALITY}{S}{PEOPLE}", rf"{SPEAKING}{S}{PEOPLE}", NATIONALITY_NOUN),
            key="national-origin"),
    describes("national-origin-describes-people", "national_origin", alt(NATIONALITY, SPEAKING)),
    ShippedRule("national-origin-illegals", REGEX, words("illegals", "illegal aliens"), "national_origin", ""),
    ShippedRule("national-origin-natural-born", REGEX, words(r"(?:natural|native) born (?:citizens?|americans?)"),
                "national_origin", ""),
    ShippedRule("national-origin-english-only", PHRASE, "English only", "national_origin", "interpreters available"),
    ShippedRule(
        "national-origin-must", REGEX,
        words(r"must (?:be (?:an? )?(?:(?:us|u\.s\.|american|legal|documented) (?:citizens?|residents?)|citizens?)"
              r"|speak (?:fluent |good |perfect |proper )?english|be fluent in english|read and write english"
              r"|be (?:an? )?native english speakers?|be (?:born in the (?:us|u\.s\.|usa|united states)"
              r"|native born)|have (?:an? )?(?:green card|social security (?:number|card)|ssn|us passport))"),
        "national_origin", "must meet the same screening criteria",
    ),
]  # fmt: skip

FEDERAL = [*RACE_COLOR, *RELIGION, *SEX, *DISABILITY, *FAMILIAL, *NATIONAL_ORIGIN]
