"""Text normalisation shared by the router and the command planner.

Messages arrive as people type them on a phone: "Do u have 2bd apts avail??". ``normalise`` lowers
the case, expands the abbreviations and fixes the typos a leasing office sees every day, and
``stems`` reduces each word to a crude stem so "scheduling", "schedules" and "scheduled" meet.
The stemmer only has to agree with itself: patterns are stemmed by the same function.
"""

from __future__ import annotations

import re
import unicodedata

# Whole-word replacements applied after lower-casing. Kept to words that mean one thing in a
# leasing office ("wed" is Wednesday here, not a wedding).
ABBREVIATIONS: dict[str, str] = {
    "apt": "apartment",
    "apts": "apartments",
    "appt": "appointment",
    "appts": "appointments",
    "br": "bedroom",
    "bd": "bedroom",
    "bdr": "bedroom",
    "bdrm": "bedroom",
    "bdrms": "bedrooms",
    "bed": "bedroom",
    "beds": "bedrooms",
    "ba": "bathroom",
    "u": "you",
    "ur": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thanks",
    "avail": "available",
    "msg": "message",
    "txt": "text",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tomm": "tomorrow",
    "w/d": "washer dryer",
    "wd": "washer dryer",
    "ac": "air conditioning",
    "a/c": "air conditioning",
    "hvac": "air conditioning",
    "fb": "facebook",
    "ig": "instagram",
    "insta": "instagram",
    "cpl": "cost per lead",
    "ctr": "click through rate",
    "ytd": "this year",
    "info": "information",
    "mgmt": "management",
    "amenity": "amenities",
}

TYPOS: dict[str, str] = {
    "appartment": "apartment",
    "appartments": "apartments",
    "apartmant": "apartment",
    "aparment": "apartment",
    "shedule": "schedule",
    "schedual": "schedule",
    "scedule": "schedule",
    "schdule": "schedule",
    "tuor": "tour",
    "toor": "tour",
    "avaliable": "available",
    "availible": "available",
    "avalable": "available",
    "availabe": "available",
    "availble": "available",
    "folow": "follow",
    "followup": "follow up",
    "fallow": "follow",
    "remeber": "remember",
    "remnd": "remind",
    "mantenance": "maintenance",
    "maintainance": "maintenance",
    "maintenence": "maintenance",
    "maintanance": "maintenance",
    "leed": "lead",
    "campain": "campaign",
    "campaing": "campaign",
    "campains": "campaigns",
    "bedrom": "bedroom",
    "bedrooom": "bedroom",
    "parkng": "parking",
    "depost": "deposit",
    "deposite": "deposit",
    "aplication": "application",
    "appliction": "application",
    "aply": "apply",
    "vacent": "vacant",
    "vacency": "vacancy",
    "ammenities": "amenities",
    "amenitys": "amenities",
    "adress": "address",
    "addres": "address",
    "buget": "budget",
    "convertion": "conversion",
    "funel": "funnel",
    "recieve": "receive",
    "tommorow": "tomorrow",
    "tomorow": "tomorrow",
    "wensday": "wednesday",
    "wednsday": "wednesday",
    "thrusday": "thursday",
    "thursady": "thursday",
    "saturady": "saturday",
    "teusday": "tuesday",
}

NUMBER_WORDS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}

# "2bd", "2-br", "two bed", "2bdrm" → "2 bedroom" (before the word replacements split them apart).
_BEDROOMS = re.compile(
    r"\b(\d|zero|one|two|three|four|five)\s*-?\s*(?:br|bd|bdr|bdrm|bdrms|bed|beds|bedroom|bedrooms)\b", re.I
)
_APOSTROPHE = re.compile(r"(\w)['\u2019](\w)")
_THOUSANDS = re.compile(r"(\d),(\d{3})\b")
# ":", "/" and "." survive only between digits (10:30, 12/3, 1.5); other punctuation becomes a space.
_SEPARATORS = re.compile(r"(?<!\d)[:/.]|[:/.](?!\d)")
_PUNCTUATION = re.compile(r"[^\w\s$%:/.]")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\S+")

# Words the suffix rules would fold into another word that means something else here: a
# "listing" is not "list", and the stage names must stay apart from their verbs.
STEM_EXCEPTIONS: dict[str, str] = {
    "listing": "listing",
    "listings": "listing",
    "leasing": "leasing",
    "leased": "leased",
    "applied": "applied",
    "touring": "touring",
    "toured": "toured",
    "contacted": "contacted",
    "showing": "showing",
    "showings": "showing",
    "parking": "parking",
    "opening": "opening",
    "openings": "opening",
    "morning": "morning",
    "evening": "evening",
    "news": "news",
    "does": "does",
    "is": "is",
    "has": "has",
    "was": "was",
    "this": "this",
    "yes": "yes",
    "us": "us",
    "gas": "gas",
    "bus": "bus",
    "ads": "ad",
    "sms": "sms",
    "whats": "what",
}
_DOUBLE_DROP = set("bgmnpt")


def normalise(message: str) -> str:
    """Lower case, accents folded, punctuation dropped, abbreviations and common typos fixed."""
    text = unicodedata.normalize("NFKD", message).encode("ascii", "ignore").decode()
    text = text.lower()
    text = _APOSTROPHE.sub(r"\1\2", text)  # what's → whats, lead's → leads
    text = _BEDROOMS.sub(lambda m: f"{m.group(1)} bedroom", text)
    text = text.replace("a/c", "ac").replace("w/d", "wd")
    text = _THOUSANDS.sub(r"\1\2", text)
    text = _PUNCTUATION.sub(" ", _SEPARATORS.sub(" ", text))
    words = [TYPOS.get(word, word) for word in text.split()]
    words = [ABBREVIATIONS.get(word, word) for word in words]
    return _SPACES.sub(" ", " ".join(words)).strip()


def stem(word: str) -> str:
    """A crude suffix stripper; only consistency matters (patterns are stemmed the same way)."""
    if word in STEM_EXCEPTIONS:
        return STEM_EXCEPTIONS[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = _undouble(word[:-3])
    elif word.endswith("ed") and len(word) > 4:
        word = _undouble(word[:-2])
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def _undouble(word: str) -> str:
    if len(word) > 2 and word[-1] == word[-2] and word[-1] in _DOUBLE_DROP:
        return word[:-1]
    return word


def stems(normalised: str) -> str:
    """The normalised text with every word stemmed, one space apart."""
    return " ".join(stem(word) for word in _WORD.findall(normalised))
