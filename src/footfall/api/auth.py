"""HTTP Digest (RFC 7616, MD5 and SHA-256, qop=auth) and Basic authentication (SPEC §1).

Nonces are stateless: base64url(issue time ‖ HMAC-SHA256(key, issue time)), so any nonce this
process issued is reusable until it expires, with no table of issued nonces. Only the replay
guard keeps state: the (nc, cnonce) pairs seen per nonce, dropped when the nonce expires.

Credentials (see docs/api.md, "Users"):
- a plain password answers Digest MD5, Digest SHA-256 and Basic;
- a Digest HA1 (`md5:<hex>` / `sha256:<hex>`, computed over `name:AXIS_<SERIAL>:password`)
  answers Digest with that algorithm, and Basic;
- a `pbkdf2_sha256$<iterations>$<salt>$<hash>` answers Basic only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import struct
import time
import urllib.parse
from collections import OrderedDict
from dataclasses import dataclass, field

from footfall.config import Level

LEVELS: dict[str, int] = {"viewer": 1, "operator": 2, "admin": 3}
ALGORITHMS: dict[str, str] = {"MD5": "md5", "SHA-256": "sha256"}
PBKDF2_PREFIX = "pbkdf2_sha256$"
_MAX_PAIRS_PER_NONCE = 4096
_MAX_NONCES = 20000


@dataclass(frozen=True, slots=True)
class Principal:
    """Who made a request: a user name (or "" for anonymous) and a level."""

    name: str
    level: Level


@dataclass(frozen=True, slots=True)
class Credential:
    """What the server knows of one user's secret; any subset of the fields may be set."""

    name: str
    level: Level
    password: str | None = None  # plain text
    ha1: dict[str, str] = field(default_factory=dict)  # hash name ("md5"/"sha256") -> hex HA1
    pbkdf2: str | None = None  # pbkdf2_sha256$iterations$salt$hash (Basic only)


class AuthFailure(Exception):
    """The request is not authenticated; `message` is the sentence the client sees."""

    def __init__(self, message: str, *, stale: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.stale = stale


def level_allows(have: str, need: str) -> bool:
    """True when level `have` is at least level `need` (viewer < operator < admin)."""
    return LEVELS[have] >= LEVELS[need]


def digest_ha1(algorithm: str, name: str, realm: str, password: str) -> str:
    """HA1 = H(name:realm:password) for a Digest algorithm ("MD5" or "SHA-256")."""
    return _h(ALGORITHMS[algorithm], f"{name}:{realm}:{password}")


def hash_pbkdf2(password: str, iterations: int = 600_000, salt: bytes | None = None) -> str:
    """A `pbkdf2_sha256$iterations$salt$hash` string (salt and hash base64) for Basic-only users."""
    salt = salt if salt is not None else os.urandom(16)
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"{PBKDF2_PREFIX}{iterations}${_b64(salt)}${_b64(dk)}"


def check_pbkdf2(encoded: str, password: str) -> bool:
    """Whether `password` matches a `pbkdf2_sha256$...` string."""
    try:
        _, iterations, salt, expected = encoded.split("$")
        dk = hashlib.pbkdf2_hmac("sha256", password.encode(), _unb64(salt), int(iterations))
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(dk, _unb64(expected))


def parse_auth_params(text: str) -> dict[str, str]:
    """Parse `k=v, k="v"` auth-params (RFC 7235); raises AuthFailure on malformed input."""
    params: dict[str, str] = {}
    text = text.strip()
    pos, end = 0, len(text)
    match = _PARAM.match
    while pos < end:
        found = match(text, pos)
        if found is None:
            raise AuthFailure("the Authorization header is malformed near: " + text[pos : pos + 20])
        key, quoted, token = found.groups()
        key = key.lower()
        if key not in params:
            if quoted is None:
                params[key] = token
            else:
                params[key] = _UNESCAPE.sub(r"\1", quoted) if "\\" in quoted else quoted
        pos = found.end()
    return params


# key = "quoted value" (group 2) or key = token (group 3), then a comma or the end.
_PARAM = re.compile(
    r'\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([^\s,"]*))\s*(?:,|$)'
)
_UNESCAPE = re.compile(r"\\(.)")


class Authenticator:
    """Checks Authorization headers against the users and issues Digest challenges."""

    def __init__(
        self,
        users: list[Credential],
        realm: str,
        *,
        anonymous_viewer: bool = False,
        sha256_challenge: bool = False,
        basic_challenge: bool = False,
        nonce_lifetime_s: float = 300.0,
        key: bytes | None = None,
    ) -> None:
        self.users = {user.name: user for user in users}
        self.realm = realm
        self.anonymous_viewer = anonymous_viewer
        self.sha256_challenge = sha256_challenge
        self.basic_challenge = basic_challenge
        self.nonce_lifetime_s = nonce_lifetime_s
        self._key = key if key is not None else os.urandom(32)
        self._seen: OrderedDict[str, tuple[float, set[tuple[str, str]]]] = OrderedDict()
        self._basic_ok: OrderedDict[bytes, str] = OrderedDict()
        self._ha1_cache: dict[tuple[str, str], str] = {}

    # -- challenges --------------------------------------------------------------------------
    def new_nonce(self, now: float | None = None) -> str:
        """A fresh nonce: issue time and its HMAC, base64url."""
        stamp = struct.pack(">d", time.time() if now is None else now)
        return _b64(stamp + hmac.new(self._key, stamp, hashlib.sha256).digest()[:16])

    def challenges(self, *, stale: bool = False) -> list[str]:
        """WWW-Authenticate values: MD5 first, then SHA-256, then Basic if configured (SPEC §1)."""
        nonce = self.new_nonce()
        algorithms = ["MD5", "SHA-256"] if self.sha256_challenge else ["MD5"]
        tail = ", stale=true" if stale else ""
        values = [
            f'Digest realm="{self.realm}", nonce="{nonce}", algorithm={alg}, qop="auth"{tail}'
            for alg in algorithms
        ]
        # SPEC §1: never a Basic challenge before a Digest one. Clients that answer only a Basic
        # challenge (Python's HTTPBasicAuthHandler, Java's HttpClient Authenticator) need it.
        if self.basic_challenge:
            values.append(f'Basic realm="{self.realm}", charset="UTF-8"')
        return values

    # -- checking ------------------------------------------------------------------------------
    def authenticate(self, header: str | None, method: str, target: str) -> Principal | None:
        """The principal of a request; None when anonymous (no header), AuthFailure if wrong."""
        if header is None or not header.strip():
            return Principal("", "viewer") if self.anonymous_viewer else None
        scheme, _, rest = header.strip().partition(" ")
        if scheme.lower() == "digest":
            return self._digest(parse_auth_params(rest), method, target)
        if scheme.lower() == "basic":
            return self._basic(rest.strip())
        raise AuthFailure(f"authentication scheme {scheme[:20]!r} is not supported; use Digest")

    def _basic(self, token: str) -> Principal:
        try:
            decoded = base64.b64decode(token, validate=True)
        except (binascii.Error, ValueError):
            raise AuthFailure("the Basic credentials are not valid base64") from None
        name, sep, password = decoded.decode("utf-8", "replace").partition(":")
        if not sep:
            raise AuthFailure("the Basic credentials lack a ':' between name and password")
        user = self.users.get(name)
        if user is None or not self._check_password(user, password):
            raise AuthFailure("wrong user name or password")
        return Principal(user.name, user.level)

    def _check_password(self, user: Credential, password: str) -> bool:
        if user.password is not None:
            return hmac.compare_digest(user.password.encode(), password.encode())
        for hash_name, ha1 in user.ha1.items():
            alg = "MD5" if hash_name == "md5" else "SHA-256"
            computed = digest_ha1(alg, user.name, self.realm, password)
            if hmac.compare_digest(computed, ha1.lower()):
                return True
        if user.pbkdf2 is None:
            return False
        # pbkdf2 is slow on purpose: remember successes under a keyed digest, never the password.
        cache_key = hmac.new(self._key, f"{user.name}:{password}".encode(), "sha256").digest()
        if self._basic_ok.get(cache_key) == user.pbkdf2:
            return True
        if not check_pbkdf2(user.pbkdf2, password):
            return False
        self._basic_ok[cache_key] = user.pbkdf2
        while len(self._basic_ok) > 1024:
            self._basic_ok.popitem(last=False)
        return True

    def _digest(self, p: dict[str, str], method: str, target: str) -> Principal:
        for key in ("username", "realm", "nonce", "uri", "response"):
            if key not in p:
                raise AuthFailure(f"the Digest credentials lack {key}")
        algorithm = p.get("algorithm", "MD5").upper()
        base_alg = algorithm.removesuffix("-SESS")
        if base_alg not in ALGORITHMS:
            raise AuthFailure(f"Digest algorithm {algorithm[:20]!r} is not supported")
        if p.get("qop") != "auth":
            raise AuthFailure('Digest qop must be "auth"')
        for key in ("nc", "cnonce"):
            if not p.get(key):
                raise AuthFailure(f"the Digest credentials lack {key}")
        if not re.fullmatch(r"[0-9a-fA-F]{8}", p["nc"]):
            raise AuthFailure("Digest nc must be 8 hexadecimal digits")
        if p["realm"] != self.realm:
            raise AuthFailure(f"wrong realm; this counter's realm is {self.realm}")
        if not same_target(p["uri"], target):
            raise AuthFailure("the Digest uri does not match the request target")
        user = self.users.get(p["username"])
        hash_name = ALGORITHMS[base_alg]
        ha1 = self._ha1(user, base_alg) if user is not None else None
        if user is None or ha1 is None:
            raise AuthFailure("wrong user name or password")
        if algorithm.endswith("-SESS"):
            ha1 = _h(hash_name, f"{ha1}:{p['nonce']}:{p['cnonce']}")
        ha2 = _h(hash_name, f"{method}:{p['uri']}")
        expected = _h(hash_name, f"{ha1}:{p['nonce']}:{p['nc']}:{p['cnonce']}:auth:{ha2}")
        if not hmac.compare_digest(expected, p["response"].lower()):
            raise AuthFailure("wrong user name or password")
        # The password is right; now the nonce must be ours, fresh, and (nc, cnonce) unused.
        issued = self._nonce_time(p["nonce"])
        now = time.time()
        if issued is None or now - issued > self.nonce_lifetime_s or issued > now + 5:
            raise AuthFailure("the nonce has expired; answer the new challenge", stale=True)
        self._remember(p["nonce"], issued, (p["nc"].lower(), p["cnonce"]))
        return Principal(user.name, user.level)

    def _ha1(self, user: Credential, algorithm: str) -> str | None:
        if user.password is not None:
            key = (user.name, algorithm)
            cached = self._ha1_cache.get(key)
            if cached is None:
                cached = digest_ha1(algorithm, user.name, self.realm, user.password)
                self._ha1_cache[key] = cached
            return cached
        stored = user.ha1.get(ALGORITHMS[algorithm])
        return stored.lower() if stored is not None else None

    def _nonce_time(self, nonce: str) -> float | None:
        try:
            raw = _unb64(nonce)
        except (binascii.Error, ValueError):
            return None
        if len(raw) != 24:
            return None
        stamp, mac = raw[:8], raw[8:]
        if not hmac.compare_digest(mac, hmac.new(self._key, stamp, hashlib.sha256).digest()[:16]):
            return None
        issued: float = struct.unpack(">d", stamp)[0]
        return issued

    def _remember(self, nonce: str, issued: float, pair: tuple[str, str]) -> None:
        now = time.time()
        while self._seen:  # forget expired nonces, oldest first
            first = next(iter(self._seen.values()))
            if now - first[0] <= self.nonce_lifetime_s and len(self._seen) < _MAX_NONCES:
                break
            self._seen.popitem(last=False)
        entry = self._seen.get(nonce)
        if entry is None:
            entry = (issued, set())
            self._seen[nonce] = entry
        pairs = entry[1]
        if pair in pairs:
            raise AuthFailure("this nonce count was already used with this cnonce (replay)")
        if len(pairs) >= _MAX_PAIRS_PER_NONCE:
            raise AuthFailure(
                "the nonce has been used too often; answer the new challenge", stale=True
            )
        pairs.add(pair)


def same_target(uri: str, target: str) -> bool:
    """Whether a Digest `uri` names the raw request target (SPEC §1), up to percent-encoding.

    Some clients hash the URL as it was written (digest-fetch: `Counter.Name=Exit south`, an
    `é`) while their HTTP library sends it percent-encoded; both name the same resource, and the
    response hash still covers the uri the client sent. The server cannot tell `path?` (empty
    query) from `path`, so both are accepted too.
    """
    if uri.endswith("?") and "?" not in target:
        uri = uri[:-1]
    if uri == target:
        return True
    # surrogateescape: invalid UTF-8 stays distinct and never raises.
    unquote = urllib.parse.unquote
    return unquote(uri, errors="surrogateescape") == unquote(target, errors="surrogateescape")


def _h(hash_name: str, text: str) -> str:
    return hashlib.new(hash_name, text.encode("utf-8")).hexdigest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
