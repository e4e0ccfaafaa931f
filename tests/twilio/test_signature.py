"""``integrations.twilio.signature.is_valid``: Twilio's published example, and properties over mutations.

Every property builds a request, signs it with an independent implementation of Twilio's scheme
(tests/twilio/signing.py), changes one thing, and checks our verifier (which the webhook views use)
refuses it; the unchanged request must pass. Form fields go through Django's QueryDict, as in a view.
"""

from __future__ import annotations

import base64
import string
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from integrations.twilio.signature import is_valid
from tests.twilio.signing import Pairs, form_body, sign

EXAMPLES = 400
PROPERTY_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- Twilio's published example -------------------------------------------------------------

EXAMPLE_TOKEN = "12345"
EXAMPLE_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
EXAMPLE_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
EXAMPLE_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def form(pairs: Pairs) -> QueryDict:
    return QueryDict(form_body(pairs))


def test_twilios_published_example_validates_through_our_verifier() -> None:
    assert is_valid(token=EXAMPLE_TOKEN, url=EXAMPLE_URL, params=EXAMPLE_PARAMS, signature=EXAMPLE_SIGNATURE)
    assert is_valid(
        token=EXAMPLE_TOKEN, url=EXAMPLE_URL, params=form(list(EXAMPLE_PARAMS.items())), signature=EXAMPLE_SIGNATURE
    )


def test_the_independent_signer_agrees_with_twilios_published_example() -> None:
    assert sign(EXAMPLE_TOKEN, EXAMPLE_URL, EXAMPLE_PARAMS) == EXAMPLE_SIGNATURE


def test_twilios_published_example_fails_with_any_one_thing_changed() -> None:
    good: dict[str, Any] = {
        "token": EXAMPLE_TOKEN,
        "url": EXAMPLE_URL,
        "params": EXAMPLE_PARAMS,
        "signature": EXAMPLE_SIGNATURE,
    }
    assert not is_valid(**{**good, "token": "12346"})
    assert not is_valid(**{**good, "url": "https://mycompany.com/myapp.php?foo=1&bar=3"})
    assert not is_valid(**{**good, "params": {**EXAMPLE_PARAMS, "Digits": "1235"}})
    assert not is_valid(**{**good, "signature": EXAMPLE_SIGNATURE.lower()})


def test_an_https_url_validates_signed_with_or_without_the_default_port() -> None:
    # Twilio signs https URLs either way; the SDK's validator (which ours uses) accepts both.
    with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
    assert is_valid(
        token=EXAMPLE_TOKEN, url=EXAMPLE_URL, params=EXAMPLE_PARAMS, signature=sign("12345", with_port, EXAMPLE_PARAMS)
    )
    assert is_valid(token=EXAMPLE_TOKEN, url=with_port, params=EXAMPLE_PARAMS, signature=EXAMPLE_SIGNATURE)


def test_empty_tokens_signatures_and_non_text_signatures_are_refused() -> None:
    empty_token_signature = sign("", EXAMPLE_URL, EXAMPLE_PARAMS)
    assert not is_valid(token="", url=EXAMPLE_URL, params=EXAMPLE_PARAMS, signature=empty_token_signature)
    assert not is_valid(token=EXAMPLE_TOKEN, url=EXAMPLE_URL, params=EXAMPLE_PARAMS, signature="")
    assert not is_valid(token=EXAMPLE_TOKEN, url=EXAMPLE_URL, params=EXAMPLE_PARAMS, signature=None)  # type: ignore[arg-type]


def test_a_repeated_field_or_an_empty_field_name_is_refused_though_the_sdk_alone_would_accept_it() -> None:
    from twilio.request_validator import RequestValidator

    pairs = list(EXAMPLE_PARAMS.items())
    for tampered in ([*pairs, ("Digits", "1234")], [*pairs, ("", "")]):
        body = form_body(tampered)
        assert RequestValidator(EXAMPLE_TOKEN).validate(EXAMPLE_URL, QueryDict(body), EXAMPLE_SIGNATURE)
        assert not is_valid(token=EXAMPLE_TOKEN, url=EXAMPLE_URL, params=QueryDict(body), signature=EXAMPLE_SIGNATURE)


def test_moving_a_field_boundary_is_a_known_limit_of_twilios_scheme() -> None:
    # Names and values are signed without separators: "Digits"+"1234" == "Digits1"+"234". Documented
    # in signature.py; the mutation properties below change content, which is always refused.
    moved = {**{k: v for k, v in EXAMPLE_PARAMS.items() if k != "Digits"}, "Digits1": "234"}
    assert is_valid(token=EXAMPLE_TOKEN, url=EXAMPLE_URL, params=moved, signature=EXAMPLE_SIGNATURE)


# --- generated requests ---------------------------------------------------------------------

ALNUM = string.ascii_letters + string.digits
names = st.text(alphabet=ALNUM, min_size=1, max_size=12)
values = st.text(max_size=24)  # any text (no surrogates): unicode, spaces, &, =, %, +, newlines
labels = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=10)
segments = st.text(alphabet=ALNUM + "-_.~", min_size=1, max_size=10)
query_pairs = st.lists(st.tuples(names, st.text(alphabet=ALNUM, max_size=8)), max_size=3)
tokens = st.text(alphabet=ALNUM, min_size=1, max_size=40)


@dataclass(frozen=True)
class Url:
    scheme: str
    host: str
    path: str
    query: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}{self.path}" + (f"?{urlencode(self.query)}" if self.query else "")


urls = st.builds(
    Url,
    scheme=st.sampled_from(["http", "https"]),
    host=st.lists(labels, min_size=1, max_size=3).map(lambda parts: ".".join([*parts, "com"])),
    path=st.lists(segments, max_size=4).map(lambda parts: "/" + "/".join(parts)),
    query=query_pairs.map(tuple),
)
# Distinct (name, value) pairs; a name may repeat with different values, as a form allows.
field_lists = st.lists(st.tuples(names, values), max_size=8, unique=True)


@PROPERTY_SETTINGS
@given(token=tokens, url=urls, pairs=field_lists)
def test_an_unchanged_request_is_accepted(token: str, url: Url, pairs: Pairs) -> None:
    assert is_valid(token=token, url=str(url), params=form(pairs), signature=sign(token, str(url), pairs))


def mutate_url(data: st.DataObject, url: Url) -> Url:
    kind = data.draw(st.sampled_from(["scheme", "host", "path", "query"]), label="url change")
    if kind == "scheme":
        return replace(url, scheme="https" if url.scheme == "http" else "http")
    if kind == "host":
        return replace(url, host=data.draw(st.from_regex(r"\A[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){0,2}\.(com|net)\Z")))
    if kind == "path":
        path = url.path
        edit = data.draw(st.sampled_from(["insert", "delete", "replace"]), label="path edit")
        if edit == "insert" or len(path) == 1:
            at = data.draw(st.integers(1, len(path)))
            return replace(url, path=path[:at] + data.draw(st.sampled_from(ALNUM + "/")) + path[at:])
        at = data.draw(st.integers(1, len(path) - 1))
        if edit == "delete":
            return replace(url, path=path[:at] + path[at + 1 :])
        return replace(
            url, path=path[:at] + data.draw(st.sampled_from(ALNUM).filter(lambda c: c != path[at])) + path[at + 1 :]
        )
    query = list(url.query)
    edit = data.draw(st.sampled_from(["add", "remove", "change"] if query else ["add"]), label="query edit")
    if edit == "add":
        query.insert(data.draw(st.integers(0, len(query))), data.draw(st.tuples(names, st.text(ALNUM, max_size=8))))
    elif edit == "remove":
        query.pop(data.draw(st.integers(0, len(query) - 1)))
    else:
        at = data.draw(st.integers(0, len(query) - 1))
        name, value = query[at]
        query[at] = (name, data.draw(st.text(ALNUM, max_size=8).filter(lambda v: v != value)))
    return replace(url, query=tuple(query))


@PROPERTY_SETTINGS
@given(token=tokens, url=urls, pairs=field_lists, data=st.data())
def test_any_change_to_the_url_is_refused(token: str, url: Url, pairs: Pairs, data: st.DataObject) -> None:
    changed = mutate_url(data, url)
    assume(str(changed) != str(url))
    signature = sign(token, str(url), pairs)
    assert not is_valid(token=token, url=str(changed), params=form(pairs), signature=signature)


def mutate_fields(data: st.DataObject, pairs: Pairs) -> Pairs:
    kinds = ["add", "change value", "change name", "remove", "repeat"] if pairs else ["add"]
    kind = data.draw(st.sampled_from(kinds), label="field change")
    pairs = list(pairs)
    if kind == "add":
        # Empty names included: "=" adds nothing to the signed string, so it must be refused outright.
        added = data.draw(st.tuples(st.text(ALNUM, max_size=12), values).filter(lambda p: p not in pairs))
        pairs.insert(data.draw(st.integers(0, len(pairs))), added)
        return pairs
    at = data.draw(st.integers(0, len(pairs) - 1), label="field")
    name, value = pairs[at]
    if kind == "change value":
        pairs[at] = (name, data.draw(values.filter(lambda v: v != value and (name, v) not in pairs)))
    elif kind == "change name":
        pairs[at] = (data.draw(names.filter(lambda n: n != name and (n, value) not in pairs)), value)
    elif kind == "remove":
        pairs.pop(at)
    else:
        pairs.insert(data.draw(st.integers(0, len(pairs))), (name, value))
    return pairs


@PROPERTY_SETTINGS
@given(token=tokens, url=urls, pairs=field_lists, data=st.data())
def test_any_added_removed_or_changed_field_is_refused(token: str, url: Url, pairs: Pairs, data: st.DataObject) -> None:
    changed = mutate_fields(data, pairs)
    signature = sign(token, str(url), pairs)
    assert not is_valid(token=token, url=str(url), params=form(changed), signature=signature)


def mutate_signature(data: st.DataObject, signature: str) -> str:
    kind = data.draw(
        st.sampled_from(["bit flip", "truncate", "case", "garbage", "append", "non-canonical", "url-safe"]),
        label="signature change",
    )
    if kind == "bit flip":
        raw = bytearray(base64.b64decode(signature))
        bit = data.draw(st.integers(0, len(raw) * 8 - 1))
        raw[bit // 8] ^= 1 << (bit % 8)
        return base64.b64encode(bytes(raw)).decode()
    if kind == "truncate":
        return signature[: data.draw(st.integers(0, len(signature) - 1))]
    if kind == "case":
        letters = [i for i, c in enumerate(signature) if c.isalpha()]
        at = data.draw(st.sampled_from(letters))
        return signature[:at] + signature[at].swapcase() + signature[at + 1 :]
    if kind == "garbage":
        return data.draw(st.one_of(st.text(min_size=1, max_size=40), st.binary(max_size=30).map(
            lambda b: base64.b64encode(b).decode()
        )))  # fmt: skip
    if kind == "append":
        return signature + data.draw(st.sampled_from([" ", "=", "A", "\n", "==", "\t"]))
    if kind == "non-canonical":
        # The same 20 bytes spelled differently: the last data character carries 2 unused bits.
        alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "+/"
        last = alphabet.index(signature[26])
        spare = data.draw(st.integers(1, 3))
        return signature[:26] + alphabet[last ^ spare] + signature[27:]
    return signature.replace("+", "-").replace("/", "_").rstrip("=")


@PROPERTY_SETTINGS
@given(token=tokens, url=urls, pairs=field_lists, data=st.data())
def test_any_change_to_the_signature_is_refused(token: str, url: Url, pairs: Pairs, data: st.DataObject) -> None:
    signature = sign(token, str(url), pairs)
    changed = mutate_signature(data, signature)
    assume(changed != signature)
    assert not is_valid(token=token, url=str(url), params=form(pairs), signature=changed)


@PROPERTY_SETTINGS
@given(token=tokens, other=tokens, url=urls, pairs=field_lists)
def test_a_signature_made_with_another_token_is_refused(token: str, other: str, url: Url, pairs: Pairs) -> None:
    assume(other != token)
    assert not is_valid(token=token, url=str(url), params=form(pairs), signature=sign(other, str(url), pairs))
