"""Rules for protected classes that some states and cities add: enabled per team."""

from __future__ import annotations

from crm.compliance.shipped.vocabulary import (
    APOS,
    ARTICLE,
    EVERYONE,
    NO,
    NO_TAIL,
    NOT_WANTED,
    ONLY,
    PERSONS,
    REGEX,
    WITH,
    S,
    ShippedRule,
    alt,
    frames,
    listed,
    words,
)

# --- Local protected classes ---------------------------------------------------------------------

INCOME_SOURCE = words(
    "section 8", r"sec\.? ?8", r"(?:housing )?(?:choice )?vouchers?", "hcvs?", r"hud(?: vouchers?)?",
    r"government (?:assistance|programs?|subsid(?:y|ies)|aid|housing|benefits)",
    r"public (?:assistance|aid|housing|benefits)",
    r"(?:rental|housing|rent) (?:assistance|subsid(?:y|ies)|programs?)(?: programs?)?", r"welfare(?: recipients)?",
    r"subsid(?:y|ies)", r"subsidized (?:tenants?|housing|renters?|applicants?)", "ssi", "ssdi",
    r"social security(?: income| benefits)?", r"disability (?:income|benefits|checks?|payments?)",
    r"unemployment(?: benefits| income)?", "food stamps", "tanf", "vash", "third party payments",
    "housing authority", "emergency housing vouchers?", "rapid rehousing",
)  # fmt: skip
REFUSE = alt(
    NO,
    words("not accepting", "not taking", "not participating in", "no longer accepting", rf"(?:we |landlord |owner )?"
          rf"(?:do not|don{APOS}?t|does not|doesn{APOS}?t|cannot|can{APOS}?t|won{APOS}?t|will not|are unable to"
          rf"|unable to|no longer) (?:accept|take|allow|participate in|work with|do)"),
)  # fmt: skip
REFUSED = words(r"(?:are |is )?not (?:accepted|allowed|welcome|permitted|wanted|considered|taken)", "need not apply")
ALL_INCOME = "all lawful sources of income considered"
SOURCE_OF_INCOME = [
    ShippedRule("income-refused", REGEX, rf"{REFUSE}{S}{ARTICLE}{WITH}{INCOME_SOURCE}"
                rf"{listed(INCOME_SOURCE)}{NO_TAIL}", "source_of_income", ALL_INCOME),
    ShippedRule("income-not-accepted", REGEX, rf"{INCOME_SOURCE}(?:{S}(?:tenants?|holders?|recipients?|applicants?"
                rf"|renters?))?{S}{REFUSED}", "source_of_income", ALL_INCOME),
    ShippedRule("income-not-a-program-property", REGEX, words(r"not an?") + rf"{S}{INCOME_SOURCE}{S}"
                + words(r"(?:approved )?(?:property|building|community|complex|landlord)"), "source_of_income",
                "all lawful sources of income are considered here"),
    ShippedRule("income-employment-only", REGEX, words(
        r"(?:employment|job|w ?2|wage|salary|earned|paycheck) income only",
        r"only (?:employment|job|w ?2|wage|salary|earned|paycheck) income",
        r"income (?:must|has to|needs to) (?:come|be) from (?:a )?(?:job|employment|work|wages|salary)",
    ), "source_of_income", "income from any lawful source is considered"),
    ShippedRule("income-must-be-employed", REGEX, words(r"must (?:be (?:gainfully )?(?:employed|working)|have (?:a )?"
                r"(?:full time |steady )?(?:job|employment))"), "source_of_income", "must have verifiable income"),
    ShippedRule("income-employed-only", REGEX, words(r"(?:employed|working|salaried)") + rf"{S}{PERSONS}{S}{ONLY}",
                "source_of_income", ALL_INCOME),
    ShippedRule("income-proof-of-employment", REGEX, words(r"(?:proof|verification) of employment") + r"(?!\s+or\b)",
                "source_of_income", "proof of income"),
    ShippedRule("income-must-not-be-on", REGEX, words(r"must not be (?:on|receiving|collecting|getting|using)")
                + rf"{S}{ARTICLE}(?:{INCOME_SOURCE}|{words('disability', 'benefits', 'assistance', 'welfare')})",
                "source_of_income", "must have verifiable income"),
    ShippedRule("income-no-other-income", REGEX, words(r"no other (?:income|sources? of income|kinds? of income)"),
                "source_of_income", ALL_INCOME),
    ShippedRule("income-with-a-job-only", REGEX, words(r"(?:with|who have) (?:a )?(?:jobs?|employment|paychecks?"
                r"|w ?2s?) only"), "source_of_income", ALL_INCOME),
    ShippedRule("income-only-with-a-job", REGEX, words(r"only") + rf"{S}{PERSONS}{S}"
                + words(r"(?:with|who have) (?:a )?(?:jobs?|employment|paychecks?|w ?2s?)"),
                "source_of_income", ALL_INCOME),
]  # fmt: skip

OLDER = words(
    "seniors", "senior citizens", r"elderly(?: (?:people|persons|tenants|residents|applicants|renters))?",
    r"(?:old|older) (?:people|persons|tenants|residents|applicants|renters|folks)", "retirees",
    "(?:baby )?boomers", "pensioners",
)  # fmt: skip
YOUNGER = words(
    r"(?:someone|somebody|people|persons|tenants|applicants|renters|residents|folks) younger",
    r"younger (?:people|persons|tenants|applicants|renters|residents|folks|crowd)",
    "millennials", r"gen ?z(?:ers)?", "young people", "twenty somethings",
    r"(?:people|tenants|applicants|renters|residents) under (?:the age of )?\d+",
)  # fmt: skip
AGE = [
    ShippedRule("age-no", REGEX, rf"{NO}{S}{ARTICLE}(?:{OLDER}|{YOUNGER}){NO_TAIL}", "age", EVERYONE),
    ShippedRule("age-no-one-over", REGEX, words(r"(?:no one|noone|nobody|no body) (?:over|older than|above|under"
                r"|younger than|past) (?:the age of )?\d+"), "age", EVERYONE),
    ShippedRule("age-not-wanted", REGEX, rf"{OLDER}{listed(OLDER)}{S}{NOT_WANTED}", "age", EVERYONE),
    *frames("age", YOUNGER, key="age-young")[1:],
    ShippedRule("age-must-be", REGEX, words(r"must be (?:under|younger than|over|older than|no older than"
                r"|no more than) (?:the age of )?") + r"(?!(?:18|19|21|55|62)\b)\d+", "age",
                "must meet the same screening criteria"),
]  # fmt: skip

MARITAL = words(
    r"married (?:couples?|people|persons|tenants|applicants)", r"unmarried (?:couples?|partners|people|persons"
    r"|tenants|applicants)", r"husband and wife(?: teams?)?", "husbands and wives",
    r"(?:cohabiting|cohabitating|co habitating|living together) couples?", "divorcees?",
    r"divorced (?:people|persons|tenants|applicants|wom[ae]n|m[ae]n|moms|dads)", r"unwed (?:mothers|couples|parents)",
)  # fmt: skip
MARITAL_STATUS = [
    *frames("marital_status", MARITAL, key="marital"),
    ShippedRule(
        "marital-must-be-married",
        REGEX,
        words(r"must be (?:legally )?married"),
        "marital_status",
        "must meet the same screening criteria",
    ),
]
ORIENTATION = alt(
    words("gays", "lesbians", "homosexuals", "bisexuals", "queers",
          r"lgbt(?:q(?:ia)?)?\+?(?: (?:people|persons|tenants|couples|folks|community))?"),
    words("(?:gay|lesbian|homosexual|heterosexual|straight|same sex|bisexual|queer|hetero)") + S + PERSONS,
)  # fmt: skip
GENDER_IDENTITY = words(
    r"transgender(?: (?:people|persons|tenants|applicants|individuals|wom[ae]n|m[ae]n|folks))?", "transgenders",
    r"trans (?:people|persons|wom[ae]n|m[ae]n|folks|tenants|applicants)", "transsexuals?", r"cross ?dressers?",
    r"non ?binary (?:people|persons|tenants|applicants|folks)", r"gender non ?conforming (?:people|persons|tenants)",
    r"biological (?:wom[ae]n|m[ae]n|males?|females?|girls?|boys?)",
)  # fmt: skip
MILITARY = words(
    r"military(?: (?:personnel|members?|families|tenants?|renters?|people|folks))?", "soldiers", "sailors",
    "marines", "airmen", "veterans", r"active duty(?: (?:service ?members|military|personnel|soldiers|troops))?",
    r"service ?members", "troops", "reservists", r"national guard(?: members)?",
)  # fmt: skip
LOCAL = [
    *SOURCE_OF_INCOME,
    *AGE,
    *MARITAL_STATUS,
    *frames("sexual_orientation", ORIENTATION, key="orientation"),
    *frames("gender_identity", GENDER_IDENTITY, key="gender-identity"),
    ShippedRule("gender-identity-biological", REGEX, words(r"(?:biological(?:ly)?|born) (?:wom[ae]n|m[ae]n|males?"
                r"|females?)"), "gender_identity", ""),
    *frames("military_status", MILITARY, key="military"),
]  # fmt: skip
