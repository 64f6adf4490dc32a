"""The users of a server: `--user NAME:PASSWORD:LEVEL`, ServerSettings.users and the users file.

Each becomes a `Credential` that `api/auth.py` checks requests against (docs/api.md, "Users").
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from footfall.api.auth import LEVELS, PBKDF2_PREFIX, Credential
from footfall.config import Level, User, read_toml
from footfall.errors import BadRequest


def parse_user_option(text: str) -> User:
    """Parse `NAME:PASSWORD:LEVEL` (LEVEL optional, default viewer; the password may hold ':')."""
    name, sep, rest = text.partition(":")
    if not name or not sep:
        raise BadRequest(f"--user {text!r}: expected NAME:PASSWORD:LEVEL")
    password, level = rest, "viewer"
    head, sep2, tail = rest.rpartition(":")
    if sep2 and tail in LEVELS:
        password, level = head, tail
    if not password:
        raise BadRequest(f"--user {name!r}: the password is empty")
    return User.model_validate({"name": name, "password": password, "level": level})


class UserEntry(BaseModel):
    """One `[[user]]` table of the users file (docs/api.md, "Users")."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    level: Level = "viewer"
    password: str | None = Field(None, min_length=1, description="plain text")
    hashes: list[str] = Field(
        default_factory=list, description="md5:<HA1 hex>, sha256:<HA1 hex>, pbkdf2_sha256$..."
    )

    @field_validator("name")
    @classmethod
    def _name_has_no_colon(cls, value: str) -> str:
        if ":" in value:
            raise ValueError("a user name cannot contain ':'")
        return value


def credential_from_entry(entry: UserEntry) -> Credential:
    """Turn a users-file entry into a Credential; BadRequest names what is wrong."""
    ha1: dict[str, str] = {}
    pbkdf2: str | None = None
    for item in entry.hashes:
        kind, sep, value = item.partition(":")
        if item.startswith(PBKDF2_PREFIX):
            # isdecimal, not isdigit: check_pbkdf2 reads the count with int(), which refuses '²'.
            if len(item.split("$")) != 4 or not item.split("$")[1].isdecimal():
                raise BadRequest(f"user {entry.name}: malformed {PBKDF2_PREFIX}... hash")
            pbkdf2 = item
        elif sep and kind in ("md5", "sha256"):
            width = 32 if kind == "md5" else 64
            if not re.fullmatch(f"[0-9a-fA-F]{{{width}}}", value):
                raise BadRequest(f"user {entry.name}: {kind}: needs {width} hexadecimal digits")
            ha1[kind] = value.lower()
        else:
            raise BadRequest(
                f"user {entry.name}: hash {item[:24]!r} is not md5:<hex>, sha256:<hex> "
                f"or {PBKDF2_PREFIX}..."
            )
    if entry.password is None and not entry.hashes:
        raise BadRequest(f"user {entry.name}: give a password or at least one hash")
    return Credential(entry.name, entry.level, entry.password, ha1, pbkdf2)


def load_users_file(path: Path) -> list[Credential]:
    """Read a TOML users file (`[[user]]` tables); BadRequest says what is wrong and where."""
    data = read_toml(path, "users file")
    unknown = set(data) - {"user"}
    if unknown:
        raise BadRequest(f"users file {path}: unknown key {sorted(unknown)[0]!r}; use [[user]]")
    entries = data.get("user", [])
    if not isinstance(entries, list):
        raise BadRequest(f"users file {path}: 'user' must be an array of tables ([[user]])")
    credentials = []
    for index, raw in enumerate(entries, start=1):
        try:
            entry = UserEntry.model_validate(raw)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"]) or "entry"
            raise BadRequest(f"users file {path}: user #{index}: {where}: {error['msg']}") from None
        credentials.append(credential_from_entry(entry))
    return credentials


def build_credentials(users: list[User], users_file: Path | None) -> list[Credential]:
    """All users of a server: settings/CLI users (plain passwords) then the users file."""
    credentials = [Credential(u.name, u.level, password=u.password) for u in users]
    if users_file is not None:
        credentials.extend(load_users_file(users_file))
    names = [c.name for c in credentials]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise BadRequest(f"user {duplicates[0]!r} is defined twice")
    return credentials
