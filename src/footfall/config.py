"""Typed settings, validated once (STYLE habits 4 and 12).

Two layers:
- `ServerSettings`: how the process runs (data dir, port, source, users). From the CLI or a TOML file.
- `Params`: what params.json serves and setparams changes, nested by group (SPEC §6). Persisted in
  the data directory, validated as a whole on every change so a setparams is all or nothing.

Each group is owned by the part of the program that uses it; add fields to your group only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)


class CounterParams(_Group):
    """`Counter.*`: only Enable and Height are vendor names (SPEC §6)."""

    Enable: int = Field(1, ge=0, le=1)
    Name: str = Field("", max_length=64)  # "" means footfall-<SERIAL> (SPEC §2)
    Height: int = Field(280, ge=150, le=1000, description="mounting height, cm")
    FieldOfView: float = Field(
        90.0, gt=10, lt=170, description="horizontal lens field of view, degrees"
    )
    PersonWidth: int = Field(50, ge=20, le=120, description="shoulder width of one person, cm")
    TimeZone: str = Field("", description="IANA zone; empty = the system's")


class AreaParams(_Group):
    """`Area.*`: the counting area of SPEC §5 and which way counts as in."""

    Width: int = Field(320, ge=16, le=4096)
    Height: int = Field(240, ge=16, le=4096)
    Left: int = Field(0, ge=0)
    Right: int = Field(320, ge=1)
    Top: int = Field(90, ge=0)
    Bottom: int = Field(150, ge=1)
    YFirst: int = Field(90, ge=0)
    YLast: int = Field(150, ge=1)
    Radius: int = Field(0, ge=0)
    InDirection: Literal["up", "down"] = "up"


class OccupancyParams(_Group):
    """`Occupancy.*` (SPEC §7)."""

    Enable: int = Field(0, ge=0, le=1)
    Mode: Literal["naive", "smart"] = "smart"
    ClosingTime: str = Field("", description="local HH:MM at which smart mode re-zeros; empty = never")


class AlarmParams(_Group):
    """`Alarm.*`: tailgating, wrong direction, occupancy threshold."""

    TailgatingEnable: int = Field(0, ge=0, le=1)
    TailgatingInterval: float = Field(2.0, gt=0, le=60, description="seconds")
    WrongDirectionEnable: int = Field(0, ge=0, le=1)
    AllowedDirection: Literal["in", "out"] = "in"
    OccupancyEnable: int = Field(0, ge=0, le=1)
    OccupancyThreshold: int = Field(100, ge=1, le=100000)


class MqttParams(_Group):
    """`MQTT.*`: where events and counts are published."""

    Enable: int = Field(0, ge=0, le=1)
    Host: str = "127.0.0.1"
    Port: int = Field(1883, ge=1, le=65535)
    Username: str = ""
    Password: str = ""  # write-only (SPEC §6)
    TopicPrefix: str = "footfall"
    Discovery: int = Field(1, ge=0, le=1)
    DiscoveryPrefix: str = "homeassistant"


class WebhookParams(_Group):
    """`Webhook.*`: JSON POSTs signed with HMAC-SHA256."""

    Enable: int = Field(0, ge=0, le=1)
    URL: str = ""
    Secret: str = ""  # write-only (SPEC §6)


class StorageParams(_Group):
    """`Storage.*`."""

    RetentionDays: int = Field(3650, ge=1, le=36500)


class Params(BaseModel):
    """Everything params.json shows and setparams may change (Build and Static are added on output)."""

    model_config = ConfigDict(extra="forbid")

    Counter: CounterParams = CounterParams()
    Area: AreaParams = AreaParams()
    Occupancy: OccupancyParams = OccupancyParams()
    Alarm: AlarmParams = AlarmParams()
    MQTT: MqttParams = MqttParams()
    Webhook: WebhookParams = WebhookParams()
    Storage: StorageParams = StorageParams()


SECRET_PARAMS = frozenset({"MQTT.Password", "Webhook.Secret"})

Level = Literal["viewer", "operator", "admin"]


class User(BaseModel):
    """One API user; `password` is plain for Digest (which needs it) or a hash for Basic-only."""

    model_config = ConfigDict(extra="forbid")
    name: str
    password: str
    level: Level = "viewer"


class ServerSettings(BaseModel):
    """How `footfall serve` runs; the TOML config file holds the same keys."""

    model_config = ConfigDict(extra="forbid")

    data: Path = Path("./footfall-data")
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    source: str = "none"  # none | synthetic | FILE | rtsp://... | http(s)://... | device index
    loop: bool = False  # loop a file source
    users: list[User] = []
    users_file: Path | None = None
    anonymous_viewer: bool = False
    serial: str = ""  # 12 upper-case hex digits; empty = the host's MAC
    sha256_challenge: bool = False  # also offer a SHA-256 Digest challenge (after the MD5 one)
