"""Twilio error codes in words a leasing agent understands (shown on a failed message)."""

from __future__ import annotations

# The recipient replied STOP to this sender at the carrier level: Twilio refuses every send until
# they reply START. Our consent ledger must say so too.
UNSUBSCRIBED = "21610"

FRIENDLY: dict[str, str] = {
    "21211": "the number is not a valid phone number",
    "21408": "texting this country is not enabled on the Twilio account",
    "21606": "the sending number cannot send texts",
    "21608": "a trial Twilio account can only text verified numbers",
    UNSUBSCRIBED: "the recipient had unsubscribed at the carrier (replied STOP to this number)",
    "21612": "the carrier cannot route texts between these two numbers",
    "21614": "the number is not a mobile number",
    "30003": "the phone is unreachable (switched off or out of coverage)",
    "30004": "the recipient has blocked messages from this number",
    "30005": "the number is unknown or no longer in service",
    "30006": "the number is a landline or cannot receive texts",
    "30007": "the carrier filtered it as spam",
    "30008": "the carrier reported an unknown error",
    "30034": "the sending number is not registered for A2P 10DLC texting",
}


def describe(code: str | int | None, fallback: str = "") -> str:
    """``"the carrier filtered it as spam (Twilio error 30007)"``: the reason, for the middle of a sentence."""
    code = str(code or "").strip()
    reason = FRIENDLY.get(code) or fallback.strip().rstrip(".") or "Twilio gave no reason"
    return f"{reason} (Twilio error {code})" if code else reason
