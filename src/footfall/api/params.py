"""params.json and setparams (SPEC §6): parse, validate as a whole, persist atomically, notify.

The `ParamsStore` holds the current `Params`. A setparams builds a candidate from the current
values plus the changes, validates the whole candidate with pydantic and with every registered
validator (other parts of the program add theirs, e.g. delivery checking a URL), writes it to
`<data>/params.json` (temp file + fsync + os.replace), swaps it in, then calls the listeners.
Nothing changes unless every step before the swap succeeded.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from footfall import __version__
from footfall.config import SECRET_PARAMS, Params, hide_url_password
from footfall.errors import BadRequest

log = logging.getLogger(__name__)

PARAMS_FILE = "params.json"
Validator = Callable[[Params], None]  # raises BadRequest to refuse a candidate
Listener = Callable[[Params, Params], None]  # (new, old), after the commit
ALIASES = {"counter.enabled": "Counter.Enable"}  # a C# client reads and writes Enabled (SPEC §6)
READ_ONLY_GROUPS = ("Build", "Static")
URL_PARAMS = ("Webhook.URL",)  # shown and logged with any password in them hidden
_NAME_FORBIDDEN = {
    ",": "a comma",
    '"': "a double quote",
    "\n": "a line break",
    "\r": "a line break",
}


@functools.cache
def _canonical_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for group, info in Params.model_fields.items():
        annotation = info.annotation
        assert annotation is not None and hasattr(annotation, "model_fields")
        for field in annotation.model_fields:
            names[f"{group}.{field}".lower()] = f"{group}.{field}"
    return names


def canonical_name(name: str) -> str:
    """`counter.height` -> `Counter.Height`; BadRequest naming an unknown or read-only parameter."""
    names = _canonical_names()
    key = name.strip().lower()
    key = key.removeprefix("root.")  # AXIS parameter paths sometimes carry root.
    if key in ALIASES:
        return ALIASES[key]
    if key in names:
        return names[key]
    if key.split(".", 1)[0] in {g.lower() for g in READ_ONLY_GROUPS}:
        raise BadRequest(f"parameter {name} is read-only")
    raise BadRequest(f"unknown parameter {name}; params.json lists every parameter")


def setparams_changes(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Changes requested by setparams pairs, both forms of SPEC §6; keys are canonical names.

    `p1=Counter.Enable&v1=1&...` pairs a `pN` name with its `vN` value; `Counter.Height=280`
    names a parameter directly. Items without a dot (`setparams`, `_`, `callback`) are ignored.
    """
    numbered_names: dict[str, str] = {}
    numbered_values: dict[str, str] = {}
    changes: dict[str, str] = {}
    for key, value in pairs:
        low = key.lower()
        if len(low) > 1 and low[0] in "pv" and low[1:].isdigit():
            target = numbered_names if low[0] == "p" else numbered_values
            target.setdefault(low[1:], value)
        elif "." in key:
            changes[canonical_name(key)] = value
    for index, name in numbered_names.items():
        if index not in numbered_values:
            raise BadRequest(f"p{index}={name} has no value v{index}")
        changes[canonical_name(name)] = numbered_values[index]
    for index in numbered_values:
        if index not in numbered_names:
            raise BadRequest(f"v{index} has no parameter name p{index}")
    if not changes:
        raise BadRequest("setparams names no parameter; send e.g. setparams&Counter.Height=280")
    return changes


def check_builtin(params: Params) -> None:
    """Checks every candidate gets: a name CSV can carry (SPEC §2), a known zone, a sane area."""
    for char, what in _NAME_FORBIDDEN.items():
        if char in params.Counter.Name:
            raise BadRequest(f"Counter.Name cannot contain {what} (CSV exports never quote)")
    if any(ord(char) < 32 or ord(char) == 127 for char in params.Counter.Name):
        # XML 1.0 cannot carry most control characters and CSV importers choke on them.
        raise BadRequest("Counter.Name cannot contain control characters (tab, NUL, ...)")
    if params.Counter.TimeZone and not _is_zone(params.Counter.TimeZone):
        raise BadRequest(
            f"Counter.TimeZone {params.Counter.TimeZone!r} is not an IANA time zone "
            "(e.g. Europe/Paris), or empty for the system's"
        )
    area = params.Area
    for low, high, limit in (("Left", "Right", "Width"), ("YFirst", "YLast", "Height")):
        lo, hi, top = getattr(area, low), getattr(area, high), getattr(area, limit)
        if not lo < hi <= top:
            raise BadRequest(
                f"Area.{low} < Area.{high} <= Area.{limit} must hold ({lo}, {hi}, {top})"
            )
    if not area.Top < area.Bottom <= area.Height:
        raise BadRequest(
            f"Area.Top < Area.Bottom <= Area.Height must hold ({area.Top}, {area.Bottom}, "
            f"{area.Height})"
        )
    half = (area.YLast - area.YFirst) / 2
    if 0 < area.Radius <= half:
        # The arcs' centre lies Radius beyond the middle of the area: within the area, one edge
        # would be a point or on the wrong side, and nobody could cross it (SPEC §5 decision).
        raise BadRequest(
            f"Area.Radius must be 0 (straight) or more than half the area's height "
            f"(YLast - YFirst) / 2 = {half:g}; got {area.Radius}"
        )


def validation_sentence(exc: ValidationError) -> str:
    """The first pydantic error as one sentence naming the parameter."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "Params"
    message = str(error["msg"]).removeprefix("Value error, ")
    given = error.get("input")
    if isinstance(given, str | int | float) and where.count(".") == 1:
        return f"{where}: {message} (got {given!r})"
    return f"{where}: {message}"


def validate_params(data: Mapping[str, Any]) -> Params:
    """A whole Params from nested data, with the built-in checks; BadRequest says what is wrong."""
    try:
        params = Params.model_validate(data)
    except ValidationError as exc:
        raise BadRequest(validation_sentence(exc)) from None
    check_builtin(params)
    return params


class ParamsStore:
    """The current Params, persisted in `<data>/params.json` (None: memory only)."""

    def __init__(self, params: Params | None = None, path: Path | None = None) -> None:
        self._params = params if params is not None else Params()
        check_builtin(self._params)
        self.path = path
        self.validators: list[Validator] = []  # run on every candidate; may raise BadRequest
        self.listeners: list[Listener] = []  # called with (new, old) after every commit
        self._lock = threading.Lock()

    @classmethod
    def load(cls, data_dir: Path) -> ParamsStore:
        """Read `<data_dir>/params.json` if it exists; BadRequest names a bad stored value."""
        path = data_dir / PARAMS_FILE
        if not path.exists():
            return cls(Params(), path)
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))  # a BOM from an editor
        except (OSError, ValueError) as exc:
            raise BadRequest(f"{path}: cannot read the stored parameters: {exc}") from None
        try:
            return cls(validate_params(data), path)
        except BadRequest as exc:
            raise BadRequest(f"{path}: {exc.message}") from None

    @property
    def current(self) -> Params:
        """The parameters in force (an immutable snapshot: replaced, never mutated)."""
        return self._params

    def add_validator(self, validator: Validator) -> None:
        """Run `validator(candidate)` on every setparams before commit; it may raise BadRequest."""
        self.validators.append(validator)

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(new, old)` after every committed change."""
        self.listeners.append(listener)

    def update(self, changes: Mapping[str, str]) -> Params:
        """Apply canonical `Group.Name -> value` changes all or nothing; returns the new Params."""
        with self._lock:
            old = self._params
            data = old.model_dump()
            for name, value in changes.items():
                group, field = name.split(".", 1)
                if name in URL_PARAMS:
                    value = _keep_url_password(value, data[group][field])
                data[group][field] = value
            candidate = validate_params(data)
            for validator in self.validators:
                validator(candidate)
            self._persist(candidate)
            self._params = candidate
        for listener in self.listeners:
            try:
                listener(candidate, old)
            except Exception:
                log.exception("params listener %r failed", listener)
        log.info("setparams: %s", ", ".join(_shown(n, v) for n, v in changes.items()))
        return candidate

    def _persist(self, params: Params) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(params.model_dump(), indent=2) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".params-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)  # it holds secrets
            os.replace(tmp, self.path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise BadRequest(f"cannot save the parameters: {exc.strerror}", status=503) from None
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _shown(name: str, value: str) -> str:
    if name in SECRET_PARAMS:
        return f"{name}=***"
    return f"{name}={hide_url_password(value) if name in URL_PARAMS else value!r}"


def _keep_url_password(new: str, old: str) -> str:
    """A URL read back from params.json (password shown as ***) keeps the stored password."""
    if hide_url_password(old) != old and new == hide_url_password(old):
        return old
    return new


def redacted(params: Params) -> dict[str, dict[str, Any]]:
    """Params as nested dicts without the write-only secrets (SPEC §6)."""
    data: dict[str, dict[str, Any]] = params.model_dump()
    for name in SECRET_PARAMS:
        group, field = name.split(".", 1)
        data.get(group, {}).pop(field, None)
    for name in URL_PARAMS:
        group, field = name.split(".", 1)
        data[group][field] = hide_url_password(data[group][field])
    return data


def params_json(params: Params, serial: str, name: str) -> dict[str, Any]:
    """The params.json body: groups, `Counter.Enabled` alias, Build and Static (SPEC §6)."""
    data: dict[str, Any] = redacted(params)
    counter = data["Counter"]
    counter["Name"] = name
    data["Counter"] = {"Enable": counter["Enable"], "Enabled": counter["Enable"], **counter}
    data["Build"] = {"Name": "footfall", "Version": __version__}
    data["Static"] = {"Manufacturer": "footfall", "ModelName": "footfall", "Serial": serial}
    return data


def system_zone_name() -> str | None:
    """The system's IANA zone name (TZ, /etc/localtime, /etc/timezone), or None if unknown."""
    candidates: list[str] = []
    tz_env = os.environ.get("TZ", "").lstrip(":")
    if tz_env:
        candidates.append(tz_env)
    with contextlib.suppress(OSError):
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    return next((name for name in candidates if _is_zone(name)), None)


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long
        return False
    return True


def counter_zone(params: Params) -> ZoneInfo:
    """The counter's zone: `Counter.TimeZone`, else the system's, else UTC (logged once)."""
    name = params.Counter.TimeZone or _system_zone()
    return ZoneInfo(name)


@functools.cache
def _system_zone() -> str:
    name = system_zone_name()
    if name is None:
        log.warning("the system time zone cannot be determined; using UTC")
        return "UTC"
    return name
