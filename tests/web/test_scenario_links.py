"""The Negotiate page's shared links: values in, the same values out; damaged or hostile tokens refused."""

from __future__ import annotations

import base64
import zlib

import pytest

from gainshare.interfaces.web.scenario_links import DamagedLink, decode, encode


def test_values_round_trip_without_the_csrf_token() -> None:
    fields = {"seed": "7", "alt1.name": "Fifty-fifty £", "anticoag.shift_share.likely": "60%", "csrf_token": "s"}
    token = encode(fields)
    assert "=" not in token and "+" not in token and "/" not in token  # safe in a query string as it is
    assert decode(token) == {key: value for key, value in fields.items() if key != "csrf_token"}


@pytest.mark.parametrize("token", ["", "not base64 at all!", encode({"a": "b"})[:-6], "x" * 20_000])
def test_damaged_tokens_are_refused(token: str) -> None:
    with pytest.raises(DamagedLink):
        decode(token)


def test_a_token_that_would_inflate_beyond_the_limit_is_refused() -> None:
    bomb = base64.urlsafe_b64encode(zlib.compress(b'{"a":"' + b"a" * 1_000_000 + b'"}')).decode().rstrip("=")
    assert len(bomb) < 16_384
    with pytest.raises(DamagedLink, match="too large"):
        decode(bomb)


def test_only_a_mapping_of_text_is_accepted() -> None:
    listed = base64.urlsafe_b64encode(zlib.compress(b'["a", 1]')).decode()
    with pytest.raises(DamagedLink, match="form's values"):
        decode(listed)
