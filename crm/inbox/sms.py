"""How many SMS segments a text costs: GSM-7 fits 160 characters in one (153 each when split),
anything outside it (most emoji, curly quotes from some phones) drops to UCS-2 at 70 (67).
static/js/inbox.js counts the same way as the prospect types."""

from __future__ import annotations

from dataclasses import dataclass

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsLength:
    characters: int
    segments: int
    unicode: bool


def sms_length(text: str) -> SmsLength:
    if all(ch in GSM7 or ch in GSM7_EXTENDED for ch in text):
        units = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        single, multi, unicode = 160, 153, False
    else:
        # UCS-2 counts UTF-16 code units: an emoji outside the BMP takes two.
        units = len(text.encode("utf-16-le")) // 2
        single, multi, unicode = 70, 67, True
    if units == 0:
        segments = 0
    elif units <= single:
        segments = 1
    else:
        segments = -(-units // multi)
    return SmsLength(len(text), segments, unicode)
