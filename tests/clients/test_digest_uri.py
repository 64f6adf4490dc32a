"""Regression: a Digest `uri` written unencoded still names the percent-encoded target (SPEC §1).

digest-fetch hashes the URL as the user wrote it (`Counter.Name=Exit south`, an `é`) while
fetch sends it percent-encoded; the server refused it with "the Digest uri does not match".
"""

from __future__ import annotations

import hashlib
import os

import httpx
import pytest

from footfall.api.auth import same_target
from tests.clients.counter import Counter


@pytest.mark.parametrize(("uri", "target", "same"), [
    ("/a?x=1", "/a?x=1", True),
    ("/a?", "/a", True),                               # an empty query cannot be seen
    ("/a?x=Exit south", "/a?x=Exit%20south", True),    # written vs sent
    ("/a?x=é", "/a?x=%C3%A9", True),
    ("/a?x=%2C", "/a?x=,", True),
    ("/a?x=1", "/a?x=2", False),
    ("/b?x=1", "/a?x=1", False),
    ("/a?x=%FF", "/a?x=%FE", False),                   # invalid UTF-8 stays distinct
    ("/a?x=+", "/a?x=%20", False),                     # '+' is not a space in a target
])  # fmt: skip
def test_same_target(uri: str, target: str, same: bool) -> None:
    assert same_target(uri, target) is same


def test_unencoded_uri_over_the_socket(counter: Counter) -> None:
    bare = httpx.get(f"{counter.operator}?setparams")
    challenge = bare.headers["www-authenticate"]
    realm = challenge.split('realm="')[1].split('"')[0]
    nonce = challenge.split('nonce="')[1].split('"')[0]
    path = "/local/tvpc/.apioperator?setparams&Counter.Name=Exit%20south"
    written = path.replace("%20", " ")

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    cnonce = os.urandom(8).hex()
    ha1, ha2 = md5(f"op:{realm}:oppass"), md5(f"GET:{written}")
    response = md5(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")
    header = (
        f'Digest username="op", realm="{realm}", nonce="{nonce}", uri="{written}", '
        f'qop=auth, nc=00000001, cnonce="{cnonce}", response="{response}", algorithm=MD5'
    )
    answer = httpx.get(counter.base + path, headers={"Authorization": header})
    assert (answer.status_code, answer.text) == (200, "OK")
    other = written.replace("south", "north")  # a uri of another target is still refused
    header = header.replace(written, other)
    refused = httpx.get(counter.base + path, headers={"Authorization": header})
    assert refused.status_code == 401 and "uri does not match" in refused.text
