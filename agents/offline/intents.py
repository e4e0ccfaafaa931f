"""The routing table: weighted phrases for each intent, and which agent answers it.

A feature adds its weight to one target when any of its phrases occurs in the message, once
however many of them do. Targets are intents, the three topics that depend on who is asking
(``TOPICS``), or the speaker cues ``@prospect`` / ``@staff``.

Phrases are written in plain words and go through the same normalisation and stemming as the
message, so "schedule * tour" also matches "scheduling a tour" and "shedule a tuor". ``*`` stands
for up to three words, ``#`` for a number. ``raw`` features are regular expressions over the
normalised (unstemmed) text, for the words the stemmer would fold together ("leased" and "lease");
``cased`` ones look at the message as typed (a capitalised property name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.offline.text import normalise, stems

PROSPECT, STAFF = "@prospect", "@staff"


@dataclass(frozen=True)
class Feature:
    target: str
    weight: float
    pattern: re.Pattern[str]
    space: str  # "stems", "normalised" or "original": the text the pattern is matched against


_GAP = r"(?:\S+ ){0,3}"
_NUMBER = r"\d+(?:\.\d+)?"
_PLACEHOLDERS = {"*": _GAP, "#": _NUMBER + " "}


def _phrase(phrase: str) -> str:
    regex = ""
    for word in phrase.split():
        regex += _PLACEHOLDERS.get(word) or re.escape(stems(normalise(word))) + " "
    return regex.rstrip(" ")


def words(target: str, weight: float, *phrases: str) -> Feature:
    alternatives = "|".join(_phrase(p) for p in phrases)
    return Feature(target, weight, re.compile(rf"(?<!\S)(?:{alternatives})(?!\S)"), "stems")


def raw(target: str, weight: float, regex: str) -> Feature:
    return Feature(target, weight, re.compile(regex), "normalised")


def cased(target: str, weight: float, regex: str) -> Feature:
    return Feature(target, weight, re.compile(regex), "original")


# Who answers each intent. The topics are resolved by the speaker cues: a prospect's question
# goes to the leasing agent, the same question from staff to the property agent.
INTENT_AGENTS: dict[str, str] = {
    "find_leads": "leasing",
    "show_lead": "leasing",
    "move_stage": "leasing",
    "schedule_tour": "leasing",
    "tour_slots": "leasing",
    "follow_up": "leasing",
    "send_message": "leasing",
    "draft_message": "leasing",
    "availability": "leasing",
    "pricing": "leasing",
    "kb_question": "leasing",
    "greeting": "leasing",
    "unknown": "leasing",
    "lead_sources": "marketing",
    "funnel": "marketing",
    "campaigns": "marketing",
    "ad_copy": "marketing",
    "budget": "marketing",
    "listing_performance": "marketing",
    "integrations": "marketing",
    "units": "property",
    "property_facts": "property",
    "maintenance": "property",
}

# topic → ((agent, intent) for a prospect, (agent, intent) for staff, who asks when the cues tie)
TOPICS: dict[str, tuple[tuple[str, str], tuple[str, str], str]] = {
    "inventory": (("leasing", "availability"), ("property", "units"), STAFF),
    "price": (("leasing", "pricing"), ("property", "units"), PROSPECT),
    "facts": (("leasing", "kb_question"), ("property", "kb_question"), PROSPECT),
}

_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_WHEN = (
    rf"\b(?:today|tonight|tomorrow|{_WEEKDAY}|this weekend|next week|in \d+ days?|{_MONTH} \d{{1,2}}"
    r"|\d{1,2}(?::\d\d)? ?(?:am|pm)|at \d{1,2}(?::\d\d)?|noon|the \d{1,2}(?:st|nd|rd|th))\b"
)
STAGE_WORDS = r"\b(?:new|contacted|touring|toured|tour scheduled|applied|applicant|leased|signed|lost|dead)\b"

FEATURES: tuple[Feature, ...] = (
    # --- leasing: lead work -------------------------------------------------------------------
    words("find_leads", 3.0, "find * lead", "search * lead", "look up * lead", "lookup * lead", "list * lead"),
    words("find_leads", 2.5, "show * lead", "pull up * lead", "who are * lead", "get * lead", "lead name"),
    words("find_leads", 2.0, "new lead", "lost lead", "hot lead", "open lead", "any lead", "all lead", "lead call"),
    words("find_leads", 1.5, "find", "search", "look up", "lookup", "pull up"),
    words("find_leads", 2.0, "guest card", "profile"),
    words("find_leads", 1.0, "lead", "prospect"),
    raw("find_leads", 1.0, r"\b(?:leads|prospects)\b"),
    words("show_lead", 4.0, "show lead", "open lead", "this lead", "this prospect", "lead detail", "lead info"),
    words("show_lead", 3.0, "who is this", "about this", "about her", "about him", "her detail", "his detail"),
    words("move_stage", 3.0, "move * to", "bump * to", "mark * as", "change * stage", "set * stage", "close * out"),
    words("move_stage", 2.0, "mark", "stage", "ghost", "went with", "competitor", "sign the lease"),
    raw("move_stage", 1.5, STAGE_WORDS),
    words("schedule_tour", 3.0, "schedule * tour", "book * tour", "set up * tour", "set up * showing"),
    words("schedule_tour", 3.0, "down for * tour", "arrange * tour", "book * showing", "schedule * showing"),
    words("schedule_tour", 2.5, "come see", "come by", "see the apartment", "see the unit", "see the place", "visit"),
    words("schedule_tour", 2.5, "want to see", "see it"),
    words("schedule_tour", 1.0, "tour * on"),
    words("schedule_tour", 1.5, "tour", "showing", "viewing", "appointment"),
    raw("schedule_tour", 0.5, _WHEN),
    words("tour_slots", 3.0, "tour time", "tour hour", "tour slot", "slot", "when can * tour", "time * for * tour"),
    words("tour_slots", 3.0, "open for * tour", "free for * tour", "tour availability", "available * tour"),
    raw("tour_slots", 0.5, _WHEN),
    words("follow_up", 3.0, "remind me", "reminder", "follow up", "ping me", "check in with", "task"),
    words("follow_up", 1.5, "call her", "call him", "call them", "call back"),
    raw("follow_up", 0.5, _WHEN),
    words("send_message", 3.0, "text her", "text him", "text them", "email her", "email him", "email them"),
    words("send_message", 3.0, "sms her", "sms him", "message her", "message him", "send * email", "send * text"),
    words("send_message", 2.0, "send * message", "send * sms", "let her know", "let him know", "tell her", "tell him"),
    raw("send_message", 2.0, r"^(?:text|sms|email|message)\b[^:]*:"),
    raw("send_message", 3.0, r"^(?:(?:can|could|would) you |please )?(?:text|sms|email|message)\b"),
    words("draft_message", 3.5, "draft * reply", "draft * message", "draft * text", "draft * email"),
    words("draft_message", 1.5, "draft", "reply to", "respond to", "write back"),
    # --- prospects and property facts ----------------------------------------------------------
    words("inventory", 3.0, "do you have * bedroom", "do you have * apartment", "do you have * unit"),
    words("inventory", 3.0, "how many * unit", "how many * apartment", "how many * bedroom", "list * unit"),
    words("inventory", 3.0, "vacant", "vacancy", "occupancy", "occupied", "come available", "unit available"),
    words("inventory", 2.0, "looking for", "floor plan", "floorplan", "under #", "below #", "less than #"),
    words("inventory", 2.0, "unit", "availability", "anything available", "anything open"),
    words("inventory", 1.5, "available", "opening", "still open"),
    words("inventory", 1.5, "studio", "bedroom", "bathroom"),
    words("inventory", 1.0, "move in"),
    words("inventory", 0.5, "apartment", "open"),
    words("price", 3.0, "how much * rent", "what * rent", "rent price", "cost per month", "how much * bedroom"),
    words("price", 3.0, "price", "cheap", "cheapest", "lowest rent"),
    words("price", 3.0, "how much * apartment", "how much * studio", "special", "afford", "expensive"),
    words("price", 1.5, "rent", "cost", "how much"),
    raw("price", 1.5, r"\$\d"),
    words("facts", 3.0, "pet", "dog", "cat", "animal", "breed", "parking", "park", "garage"),
    words("facts", 3.0, "lease term", "lease length"),
    words("facts", 2.5, "apply", "application", "qualify", "credit", "income", "guarantor", "pet deposit"),
    words("facts", 2.0, "pool", "gym", "fitness", "amenities", "washer", "dryer", "laundry", "dishwasher", "storage"),
    words("facts", 2.0, "deposit", "fee", "policy", "utility", "utilities", "smoke", "smoking", "package"),
    words("facts", 2.0, "internet", "lb", "pound", "weight limit"),
    words("facts", 2.5, "section 8", "voucher", "housing assistance", "accept", "requirement"),
    raw("facts", 3.0, r"\b\d+ ?(?:lb|lbs|pounds?)\b"),
    words("facts", 3.5, "include in", "what * include", "come with"),
    words("facts", 1.5, "allow", "welcome", "permit", "include", "offer", "rule", "insurance", "lease"),
    words("property_facts", 4.0, "office hour", "address", "phone number", "located", "location", "directions"),
    words("property_facts", 3.0, "leasing office", "office", "hour", "contact", "email address", "where is"),
    words("property_facts", 2.0, "close on", "open on", "open until", "closed on", "what time do you", "close"),
    words("maintenance", 4.0, "maintenance", "work order", "service request", "repair", "not working"),
    words("maintenance", 4.0, "broken", "broke", "leak", "fix", "clog", "no hot water", "no heat", "pest", "mold"),
    words("maintenance", 3.0, "keep run", "stop work", "doesnt work", "wont turn", "drip", "no power"),
    words("maintenance", 1.0, "air conditioning", "heater", "toilet", "sink", "request"),
    # --- marketing ----------------------------------------------------------------------------
    words("lead_sources", 3.0, "source", "coming from", "by channel", "channel", "lead count", "listing site"),
    words("lead_sources", 3.0, "how many lead"),
    words("lead_sources", 2.0, "bring * lead", "send * lead", "where * lead", "referral"),
    words("lead_sources", 1.0, "zillow", "apartment com", "walk in", "website"),
    words("funnel", 4.0, "funnel", "conversion", "convert", "close rate", "closing rate", "tour to lease"),
    words("funnel", 3.0, "how many tour", "how many lease", "how many application", "how many applied"),
    words("funnel", 3.0, "lead to tour", "lead to lease", "tour to application", "application to lease", "to * rate"),
    words("funnel", 2.5, "turn into", "percent of", "% of", "ratio", "drop off", "pipeline"),
    words("campaigns", 4.0, "campaign", "cost per lead", "click", "impression", "click through rate", "roas"),
    words("campaigns", 2.0, "ad", "advert", "advertising", "ad perform"),
    words("campaigns", 1.0, "facebook", "google", "instagram", "meta", "perform"),
    words("ad_copy", 4.0, "ad copy", "headline", "write * ad", "create * ad", "generate * ad", "ad text"),
    words("ad_copy", 4.0, "instagram post", "facebook post", "social post", "draft * post", "write * post"),
    words("ad_copy", 2.0, "give me * ad", "copy", "tagline", "slogan", "caption", "post"),
    words("budget", 4.0, "budget", "spend", "spent", "spending", "cost per lease"),
    raw("listing_performance", 2.5, r"\blistings?\b"),
    words("listing_performance", 3.0, "listing perform", "listing view", "listing doing", "zillow listing"),
    words("integrations", 4.0, "connected", "connect", "integration", "twilio", "sendgrid", "resman", "configured"),
    # --- small talk ---------------------------------------------------------------------------
    raw("greeting", 1.5, r"^(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening)|greetings|yo)\b"),
    raw("greeting", 1.5, r"^(?:thanks|thank you)\b"),
    # --- who is asking -------------------------------------------------------------------------
    raw(PROSPECT, 2.0, r"\b(?:you|your|yall)\b"),
    raw(PROSPECT, 1.5, r"\b(?:i|im|id|ive|ill|my|mine|can we|could we|are we allowed)\b"),
    words(PROSPECT, 1.5, "looking for", "move in", "i want", "interested in"),
    raw(STAFF, 2.0, r"\b(?:our|do we have|have we|we got|how many|list|show me|units|vacancy|occupancy)\b"),
    words(STAFF, 1.0, "policy", "what does * charge", "does * have", "does * allow", "unit #"),
    cased(
        STAFF,
        1.5,
        r"\b(?:at|for|of|in|does)\s+(?!(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun))"
        r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*",
    ),
)
