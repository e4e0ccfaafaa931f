"""Twilio's request signing, written from Twilio's documentation rather than taken from the SDK, so
the tests check our verifier against an independent signer.

    signature = base64(HMAC-SHA1(auth_token, url + name1 + value1 + name2 + value2 ...))

with the POST fields sorted by name (a repeated field contributes each of its values, sorted).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

Pairs = list[tuple[str, str]]


def pairs_of(params: Mapping[str, str] | Iterable[tuple[str, str]]) -> Pairs:
    items = params.items() if isinstance(params, Mapping) else params
    return [(str(name), str(value)) for name, value in items]


def sign(token: str, url: str, params: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    pairs = pairs_of(params)
    data = url + "".join(name + value for name, value in sorted(pairs))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def form_body(params: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    return urlencode(pairs_of(params))
