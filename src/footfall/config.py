"""Typed settings, validated once (STYLE habits 4 and 12).

Two layers:
- `ServerSettings`: how the process runs (data dir, port, source, users); CLI or TOML file.
- `Params`: what params.json serves and setparams changes, nested by group (SPEC §6). Persisted in
  the data directory, validated as a whole on every change so a setparams is all or nothing.

Each group is owned by the part of the program that uses it; add fields to your group only.
"""

from __future__ import annotations

import re
import tomllib
import urllib.parse
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from footfall.errors import BadRequest

ROTATIONS = (0, 90, 180, 270)  # Counter.Rotation: the picture turned clockwise by right angles


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A TOML file as a dict; BadRequest names `what` ("config file", "users file") and why."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))  # a BOM (Notepad) is no error
    except OSError as exc:
        raise BadRequest(f"{what} {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest(f"{what} {path}: not valid TOML: {exc}") from None


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)


class CounterParams(_Group):
    """`Counter.*`: only Enable and Height are vendor names (SPEC §6)."""

    Enable: int = Field(default=1, ge=0, le=1)
    Name: str = Field(default="", max_length=64)  # "" means footfall-<SERIAL> (SPEC §2)
    Height: int = Field(default=280, ge=150, le=1000, description="mounting height, cm")
    FieldOfView: float = Field(
        default=90.0, gt=10, lt=170, description="horizontal lens field of view, degrees"
    )
    PersonWidth: int = Field(
        default=50, ge=20, le=120, description="shoulder width of one person, cm"
    )
    AutoSize: int = Field(
        default=1,
        ge=0,
        le=1,
        description="1: learn the person size from the blobs seen (then held); 0: Height only",
    )
    Crowds: int = Field(
        default=1,
        ge=0,
        le=1,
        description="1: people no track follows one by one (a dense queue) are counted from the "
        "motion across the line; 0: only the people followed one by one",
    )
    TimeZone: str = Field(default="", max_length=64, description="IANA zone; empty = the system's")
    Rotation: int = Field(
        default=0,
        description="degrees (0, 90, 180, 270) the picture is turned clockwise before counting",
    )

    @field_validator("Rotation")
    @classmethod
    def _rotation_is_a_right_angle(cls, value: int) -> int:
        if value not in ROTATIONS:
            raise ValueError(f"Rotation {value} is not 0, 90, 180 or 270 (degrees clockwise)")
        return value


class AreaParams(_Group):
    """`Area.*`: the counting area of SPEC §5 and which way counts as in."""

    Width: int = Field(default=320, ge=16, le=4096)
    Height: int = Field(default=240, ge=16, le=4096)
    Left: int = Field(default=0, ge=0)
    Right: int = Field(default=320, ge=1)
    Top: int = Field(default=90, ge=0)
    Bottom: int = Field(default=150, ge=1)
    YFirst: int = Field(default=90, ge=0)
    YLast: int = Field(default=150, ge=1)
    Radius: int = Field(default=0, ge=0, le=1_000_000)  # beyond, arcs are straight lines anyway
    InDirection: Literal["up", "down"] = "up"


class OccupancyParams(_Group):
    """`Occupancy.*` (SPEC §7); how smart mode re-zeros is in docs/occupancy-alarms-delivery.md."""

    Enable: int = Field(default=0, ge=0, le=1)
    Mode: Literal["naive", "smart"] = "smart"
    ClosingTime: str = Field(
        default="", description="local HH:MM at which smart mode re-zeros; empty = never"
    )
    QuietPeriod: int = Field(
        default=60,
        ge=0,
        le=10080,
        description="minutes without a passage before smart re-zeros; 0 = never",
    )
    QuietMaximum: int = Field(
        default=3,
        ge=0,
        le=100000,
        description="smart re-zeros on quiet only at or below this estimate",
    )

    @field_validator("ClosingTime")
    @classmethod
    def _closing_is_hh_mm(cls, value: str) -> str:
        if value and not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
            raise ValueError(f"ClosingTime {value!r} is not a local time HH:MM (or empty)")
        return value


class AlarmParams(_Group):
    """`Alarm.*`: tailgating, wrong direction, occupancy threshold (counting/alarms.py)."""

    TailgatingEnable: int = Field(default=0, ge=0, le=1)
    TailgatingInterval: float = Field(default=2.0, gt=0, le=60, description="seconds")
    WrongDirectionEnable: int = Field(default=0, ge=0, le=1)
    AllowedDirection: Literal["in", "out"] = "in"
    OccupancyEnable: int = Field(default=0, ge=0, le=1)
    OccupancyThreshold: int = Field(default=100, ge=1, le=100000)
    OccupancyHysteresis: int = Field(
        default=1, ge=1, le=100000, description="back to normal at Threshold - Hysteresis or below"
    )

    @model_validator(mode="after")
    def _hysteresis_below_threshold(self) -> AlarmParams:
        if self.OccupancyHysteresis > self.OccupancyThreshold:
            raise ValueError(
                f"Alarm.OccupancyHysteresis ({self.OccupancyHysteresis}) must not exceed "
                f"Alarm.OccupancyThreshold ({self.OccupancyThreshold})"
            )
        return self


_TOPIC_RE = r"[^#+/\x00][^#+\x00]*[^#+/\x00]|[^#+/\x00]"


class MqttParams(_Group):
    """`MQTT.*`: where passages, alarms and occupancy are published (delivery/mqtt.py)."""

    Enable: int = Field(default=0, ge=0, le=1)
    Host: str = Field(default="127.0.0.1", min_length=1, max_length=253)
    Port: int = Field(default=1883, ge=1, le=65535)
    Username: str = ""
    Password: str = ""  # write-only (SPEC §6)
    TopicPrefix: str = "footfall"
    Discovery: int = Field(default=1, ge=0, le=1)
    DiscoveryPrefix: str = "homeassistant"

    @field_validator("Host")
    @classmethod
    def _host_is_a_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9._:\-\[\]]+", value):
            raise ValueError(f"MQTT.Host {value!r} is not a host name or address")
        return value

    @field_validator("TopicPrefix", "DiscoveryPrefix")
    @classmethod
    def _topic_is_plain(cls, value: str) -> str:
        if not re.fullmatch(_TOPIC_RE, value):
            raise ValueError(
                f"topic prefix {value!r} must be non-empty, without '+', '#' or a leading or "
                "trailing '/'"
            )
        return value


class WebhookParams(_Group):
    """`Webhook.*`: JSON POSTs signed with HMAC-SHA256 (delivery/webhook.py)."""

    Enable: int = Field(default=0, ge=0, le=1)
    URL: str = Field(default="", max_length=2000)
    Secret: str = ""  # write-only (SPEC §6)

    @field_validator("URL")
    @classmethod
    def _url_is_http(cls, value: str) -> str:
        if value and not re.fullmatch(r"https?://[^\s/?#]+(?:[/?#]\S*)?", value):
            raise ValueError(f"Webhook.URL {value!r} is not an http:// or https:// URL")
        try:
            parts = urllib.parse.urlsplit(value)
            parts.port  # noqa: B018 -- raises on a port that is not a number in 0-65535
        except ValueError as exc:  # e.g. an unclosed IPv6 bracket
            raise ValueError(f"Webhook.URL {value!r} is not a valid URL ({exc})") from None
        if value and not parts.hostname:
            raise ValueError(f"Webhook.URL {value!r} names no host")
        return value

    @model_validator(mode="after")
    def _enabled_needs_url(self) -> WebhookParams:
        if self.Enable and not self.URL:
            raise ValueError("Webhook.Enable is 1 but Webhook.URL is empty")
        return self


class StorageParams(_Group):
    """`Storage.*`."""

    RetentionDays: int = Field(default=3650, ge=1, le=36500)


class Params(BaseModel):
    """What params.json shows and setparams may change (Build and Static are added on output)."""

    model_config = ConfigDict(extra="forbid")

    Counter: CounterParams = CounterParams()
    Area: AreaParams = AreaParams()
    Occupancy: OccupancyParams = OccupancyParams()
    Alarm: AlarmParams = AlarmParams()
    MQTT: MqttParams = MqttParams()
    Webhook: WebhookParams = WebhookParams()
    Storage: StorageParams = StorageParams()


SECRET_PARAMS = frozenset({"MQTT.Password", "Webhook.Secret"})
POSTGRES_SCHEMES = ("postgresql://", "postgres://")  # the URLs `store` takes (libpq's two)


def redact(url: str) -> str:
    """The URL with any `user:password@` replaced by `***@`, for logs and status: everything
    after `://` up to the last `@` before a query, so that a password holding an `@` or a `/`
    (cameras allow both) is hidden whole; a URL with an `@` in its path loses its host from
    view too, never a secret."""
    return re.sub(r"://[^?#]*@", "://***@", url)


def hide_url_password(url: str) -> str:
    """`http://user:***@host/…` for `http://user:pw@host/…`: a password in a URL is a secret.

    A `password=` query item (libpq's URLs take one) is hidden the same way.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        password = parts.password
    except ValueError:  # not a URL urllib can take apart: hide whatever stands before an @
        return redact(url)
    if "@" in parts.path:  # a password holding a `/` (not encoded): its end reads as the path
        return redact(url)
    netloc = parts.netloc
    if password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}:***@{host}"
    query = re.sub(r"(?i)(^|&)(password=)[^&]*", r"\1\2***", parts.query)
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=query))


Level = Literal["viewer", "operator", "admin"]


class User(BaseModel):
    """One API user; `password` is plain for Digest (which needs it) or a hash for Basic-only."""

    model_config = ConfigDict(extra="forbid")
    name: str
    password: str
    level: Level = "viewer"


# Frame rates a video file may state, or a user give for one (`--fps`, `source_fps`): outside
# this, a file states none (some containers give their time base instead).
FRAME_RATES = (1.0, 240.0)


def plausible_fps(fps: float) -> bool:
    """Whether `fps` lies in FRAME_RATES."""
    return FRAME_RATES[0] <= fps <= FRAME_RATES[1]


class ServerSettings(BaseModel):
    """How `footfall serve` runs; the TOML config file holds the same keys."""

    model_config = ConfigDict(extra="forbid")

    data: Path = Path("./footfall-data")
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    source: str = "none"  # none | synthetic | FILE | a stream URL (STREAM_SCHEMES) | device index
    loop: bool = False  # loop a file source
    # a file source's frame rate, for a file that states none (a raw .h264 stream) or a wrong one
    source_fps: float | None = Field(default=None, ge=FRAME_RATES[0], le=FRAME_RATES[1])
    detector: str = "foreground"  # foreground | net | path of an ONNX model
    users: list[User] = []
    users_file: Path | None = None
    anonymous_viewer: bool = False
    serial: str = ""  # 12 upper-case hex digits; empty = the host's MAC
    sha256_challenge: bool = False  # also offer a SHA-256 Digest challenge (after the MD5 one)
    basic_challenge: bool = False  # also offer a Basic challenge, after the Digest ones
    cors_origins: list[str] = []  # browser origins allowed to read the API ("*" = any)
    store: str = ""  # where the counts live: "" = SQLite in `data`; a postgresql:// URL

    @field_validator("source", "detector")
    @classmethod
    def _keywords_in_any_case(cls, value: str, info: ValidationInfo) -> str:
        """`None`, `Synthetic:3`, `NET` mean what their lower-case spelling means (a file of that
        name would otherwise be looked for)."""
        words = ("none", "synthetic") if info.field_name == "source" else ("foreground", "net")
        word, sep, rest = value.strip().partition(":")
        if word.lower() in words and not rest.startswith("//"):
            return word.lower() + sep + rest
        return value

    @field_validator("store")
    @classmethod
    def _store_is_postgres(cls, value: str) -> str:
        if value and not value.startswith(POSTGRES_SCHEMES):
            raise ValueError(
                f"store {hide_url_password(value)!r} is not a postgresql:// or postgres:// URL; "
                "leave it out to keep the counts in SQLite in the data directory"
            )
        return value
