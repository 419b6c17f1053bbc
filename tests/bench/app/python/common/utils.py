"""Shared helpers for the Python services.

Everything here is dependency-free (standard library only) and safe to import
from Lambda handlers, the worker and the CLIs. Functions are grouped by topic:

* environment & configuration
* retries and timing
* collections
* strings, identifiers and redaction
* time and durations
* JSON
* AWS identifiers (ARNs, regions, S3 URIs)
"""
from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import os
import random
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, is_dataclass, asdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from itertools import islice
from typing import Any, Awaitable, Generic, ParamSpec, TypeVar, overload
from uuid import UUID

__all__ = [
    "ConfigError",
    "env_str",
    "env_int",
    "env_bool",
    "env_list",
    "retry",
    "async_retry",
    "timed",
    "TTLCache",
    "batched",
    "chunked_by_size",
    "deep_merge",
    "flatten",
    "unflatten",
    "first",
    "slugify",
    "redact",
    "short_hash",
    "utcnow",
    "parse_duration",
    "format_duration",
    "parse_iso8601",
    "to_jsonable",
    "dumps",
    "Arn",
    "parse_arn",
    "parse_s3_uri",
    "is_valid_region",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
P = ParamSpec("P")


# ---------------------------------------------------------------------------
# environment & configuration
# ---------------------------------------------------------------------------


class ConfigError(RuntimeError):
    """Raised when a required configuration value is missing or malformed."""


_MISSING = object()


def env_str(name: str, default: str | object = _MISSING, *, env: Mapping[str, str] | None = None) -> str:
    """Return ``$name`` or ``default``; raise :class:`ConfigError` if neither exists.

    Empty strings are treated as unset, which matches how most deployment
    tooling renders optional variables.
    """
    source = os.environ if env is None else env
    value = source.get(name, "")
    if value != "":
        return value
    if default is _MISSING:
        raise ConfigError(f"environment variable {name} is required")
    return str(default)


def env_int(name: str, default: int | None = None, *, minimum: int | None = None, maximum: int | None = None,
            env: Mapping[str, str] | None = None) -> int:
    """Parse an integer environment variable with optional bounds."""
    raw = env_str(name, "" if default is not None else _MISSING, env=env)
    if raw == "":
        assert default is not None
        return default
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}={value} is below the minimum {minimum}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name}={value} is above the maximum {maximum}")
    return value


_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "off", "n", "f"})


def env_bool(name: str, default: bool = False, *, env: Mapping[str, str] | None = None) -> bool:
    """Parse common truthy/falsy spellings; anything else is a :class:`ConfigError`."""
    raw = env_str(name, "", env=env).strip().lower()
    if raw == "":
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean")


def env_list(name: str, default: Sequence[str] = (), *, sep: str = ",", env: Mapping[str, str] | None = None) -> list[str]:
    """Split a delimited variable into a list, dropping blanks and surrounding whitespace."""
    raw = env_str(name, "", env=env)
    if not raw:
        return list(default)
    return [item.strip() for item in raw.split(sep) if item.strip()]


# ---------------------------------------------------------------------------
# retries and timing
# ---------------------------------------------------------------------------


def _backoff(attempt: int, base: float, cap: float) -> float:
    """Full-jitter exponential backoff (AWS architecture blog variant)."""
    return random.uniform(0, min(cap, base * (2 ** (attempt - 1))))


def retry(
    *,
    attempts: int = 3,
    base_delay: float = 0.2,
    max_delay: float = 5.0,
    retry_on: tuple[type[BaseException], ...] = (Exception,),
    give_up_on: tuple[type[BaseException], ...] = (),
    sleep: Callable[[float], None] = time.sleep,
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Retry a synchronous function on the listed exception types.

    >>> calls = []
    >>> @retry(attempts=3, sleep=lambda _: None)
    ... def flaky():
    ...     calls.append(1)
    ...     if len(calls) < 3:
    ...         raise ConnectionError
    ...     return "ok"
    >>> flaky(), len(calls)
    ('ok', 3)
    """
    if attempts < 1:
        raise ValueError("attempts must be >= 1")

    def decorator(fn: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            for attempt in range(1, attempts + 1):
                try:
                    return fn(*args, **kwargs)
                except give_up_on:
                    raise
                except retry_on as exc:
                    if attempt == attempts:
                        raise
                    delay = _backoff(attempt, base_delay, max_delay)
                    log.debug("%s failed (%r); retry %d/%d in %.2fs", fn.__qualname__, exc, attempt, attempts - 1, delay)
                    sleep(delay)
            raise AssertionError("unreachable")

        return wrapper

    return decorator


def async_retry(
    *,
    attempts: int = 3,
    base_delay: float = 0.2,
    max_delay: float = 5.0,
    retry_on: tuple[type[BaseException], ...] = (Exception,),
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """Async counterpart of :func:`retry`. Never retries :class:`asyncio.CancelledError`."""

    def decorator(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(fn)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            for attempt in range(1, attempts + 1):
                try:
                    return await fn(*args, **kwargs)
                except asyncio.CancelledError:
                    raise
                except retry_on:
                    if attempt == attempts:
                        raise
                    await asyncio.sleep(_backoff(attempt, base_delay, max_delay))
            raise AssertionError("unreachable")

        return wrapper

    return decorator


@contextmanager
def timed(label: str, *, logger: logging.Logger | None = None, level: int = logging.INFO,
          threshold_ms: float = 0.0) -> Iterator[dict[str, float]]:
    """Log how long a block took. Yields a dict that receives ``elapsed_ms`` on exit.

    >>> with timed("noop", threshold_ms=1e9) as t:
    ...     pass
    >>> t["elapsed_ms"] >= 0
    True
    """
    result: dict[str, float] = {}
    start = time.perf_counter()
    try:
        yield result
    finally:
        result["elapsed_ms"] = (time.perf_counter() - start) * 1000
        if result["elapsed_ms"] >= threshold_ms:
            (logger or log).log(level, "%s took %.1fms", label, result["elapsed_ms"])


class TTLCache(Generic[K, V]):
    """A small thread-safe LRU cache whose entries expire after ``ttl`` seconds."""

    def __init__(self, maxsize: int = 1024, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be >= 1")
        self._data: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._maxsize = maxsize
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: K, default: V | None = None) -> V | None:
        with self._lock:
            item = self._data.get(key)
            if item is None or item[0] <= self._clock():
                if item is not None:
                    del self._data[key]
                self.misses += 1
                return default
            self._data.move_to_end(key)
            self.hits += 1
            return item[1]

    def set(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = (self._clock() + self._ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self._maxsize:
                self._data.popitem(last=False)

    def get_or_set(self, key: K, factory: Callable[[], V]) -> V:
        sentinel = object()
        value = self.get(key, sentinel)  # type: ignore[arg-type]
        if value is sentinel:
            value = factory()
            self.set(key, value)
        return value  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


# ---------------------------------------------------------------------------
# collections
# ---------------------------------------------------------------------------


def batched(iterable: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield lists of at most ``size`` items (like :func:`itertools.batched` on 3.12+).

    >>> list(batched(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    if size < 1:
        raise ValueError("size must be >= 1")
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


def chunked_by_size(items: Iterable[T], max_bytes: int, size_of: Callable[[T], int] = lambda x: len(str(x))) -> Iterator[list[T]]:
    """Group items so each group's total ``size_of`` stays under ``max_bytes``.

    Useful for APIs with payload limits (SQS batches are capped at 256 KiB).
    A single oversized item is yielded on its own rather than dropped.
    """
    current: list[T] = []
    total = 0
    for item in items:
        n = size_of(item)
        if current and total + n > max_bytes:
            yield current
            current, total = [], 0
        current.append(item)
        total += n
    if current:
        yield current


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Recursively merge ``override`` into a copy of ``base``. Lists are replaced, not concatenated.

    >>> deep_merge({"a": {"x": 1, "y": 2}, "b": [1]}, {"a": {"y": 3}, "b": [2]})
    {'a': {'x': 1, 'y': 3}, 'b': [2]}
    """
    out: dict[str, Any] = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def flatten(data: Mapping[str, Any], sep: str = ".", prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings into dotted keys.

    >>> flatten({"db": {"host": "localhost", "port": 5432}, "debug": True})
    {'db.host': 'localhost', 'db.port': 5432, 'debug': True}
    """
    out: dict[str, Any] = {}
    for key, value in data.items():
        full = f"{prefix}{sep}{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, sep, full))
        else:
            out[full] = value
    return out


def unflatten(data: Mapping[str, Any], sep: str = ".") -> dict[str, Any]:
    """Inverse of :func:`flatten`."""
    out: dict[str, Any] = {}
    for dotted, value in data.items():
        node: MutableMapping[str, Any] = out
        *parents, leaf = dotted.split(sep)
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, MutableMapping):
                raise ValueError(f"key conflict at {dotted!r}")
        node[leaf] = value
    return out


@overload
def first(iterable: Iterable[T]) -> T | None: ...
@overload
def first(iterable: Iterable[T], default: T) -> T: ...
def first(iterable: Iterable[T], default: T | None = None) -> T | None:
    """Return the first element of ``iterable`` or ``default``."""
    return next(iter(iterable), default)


# ---------------------------------------------------------------------------
# strings, identifiers and redaction
# ---------------------------------------------------------------------------

_SLUG_STRIP = re.compile(r"[^\w\s-]", re.UNICODE)
_SLUG_HYPHENATE = re.compile(r"[-\s_]+")


def slugify(text: str, max_length: int = 63) -> str:
    """ASCII slug suitable for URLs and resource-friendly identifiers.

    >>> slugify("Café Déjà Vu — Q3 Report!")
    'cafe-deja-vu-q3-report'
    """
    normalized = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = _SLUG_STRIP.sub("", normalized).strip().lower()
    slug = _SLUG_HYPHENATE.sub("-", cleaned).strip("-")
    return slug[:max_length].rstrip("-")


_SECRET_KEYS = re.compile(r"(pass(word)?|secret|token|api[_-]?key|authorization|credential|private[_-]?key)", re.I)
_INLINE_SECRETS = [
    (re.compile(r"AKIA[0-9A-Z]{16}"), "AKIA****************"),
    (re.compile(r"(?i)bearer\s+[a-z0-9._~+/=-]+"), "Bearer ***"),
    (re.compile(r"(?i)(postgres(?:ql)?://[^:/\s]+:)[^@\s]+@"), r"\1***@"),
]


def redact(value: Any, *, mask: str = "***") -> Any:
    """Return a copy of ``value`` with secret-looking keys and inline credentials masked.

    >>> redact({"user": "ada", "password": "hunter2", "nested": {"api_key": "k"}})
    {'user': 'ada', 'password': '***', 'nested': {'api_key': '***'}}
    """
    if isinstance(value, Mapping):
        return {k: (mask if isinstance(k, str) and _SECRET_KEYS.search(k) else redact(v, mask=mask)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact(v, mask=mask) for v in value)
    if isinstance(value, str):
        for pattern, replacement in _INLINE_SECRETS:
            value = pattern.sub(replacement, value)
        return value
    return value


def short_hash(*parts: Any, length: int = 8) -> str:
    """Deterministic short hex digest of the given parts (not for security).

    >>> len(short_hash("orders", 42)), short_hash("orders", 42) == short_hash("orders", 42)
    (8, True)
    """
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(repr(p).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()[:length]


# ---------------------------------------------------------------------------
# time and durations
# ---------------------------------------------------------------------------


def utcnow() -> datetime:
    """Timezone-aware current UTC time (never use naive ``datetime.utcnow``)."""
    return datetime.now(timezone.utc)


_DURATION_RE = re.compile(r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|m|h|d|w)", re.I)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """Parse compound durations like ``"1h30m"``, ``"90s"`` or ``"2d 4h"``.

    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    """
    text = text.strip()
    if not text:
        raise ValueError("empty duration")
    pos = 0
    total = 0.0
    for match in _DURATION_RE.finditer(text):
        if text[pos:match.start()].strip():
            raise ValueError(f"invalid duration {text!r}")
        total += float(match["value"]) * _UNIT_SECONDS[match["unit"].lower()]
        pos = match.end()
    if pos == 0 or text[pos:].strip():
        raise ValueError(f"invalid duration {text!r}")
    return timedelta(seconds=total)


def format_duration(delta: timedelta | float, *, max_units: int = 2) -> str:
    """Human-friendly rendering: ``timedelta(seconds=3725)`` -> ``"1h 2m"``.

    >>> format_duration(3725)
    '1h 2m'
    """
    seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            count, seconds = divmod(seconds, size)
            parts.append(f"{int(count)}{unit}")
    return " ".join(parts[:max_units])


def parse_iso8601(value: str) -> datetime:
    """Parse ISO-8601 timestamps, accepting a trailing ``Z`` and assuming UTC when naive."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------


def to_jsonable(value: Any) -> Any:
    """Convert common non-JSON types (Decimal, datetime, UUID, Enum, dataclasses, sets, bytes)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (UUID,)):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def dumps(value: Any, *, pretty: bool = False) -> str:
    """``json.dumps`` that understands the types handled by :func:`to_jsonable`."""
    return json.dumps(
        to_jsonable(value),
        indent=2 if pretty else None,
        separators=None if pretty else (",", ":"),
        sort_keys=pretty,
        ensure_ascii=False,
    )


# ---------------------------------------------------------------------------
# AWS identifiers
# ---------------------------------------------------------------------------

_REGION_RE = re.compile(r"^(us|eu|ap|sa|ca|me|af|il|mx)(-gov)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d$")


def is_valid_region(region: str) -> bool:
    """Shape check for AWS region names.

    >>> is_valid_region("us-east-1"), is_valid_region("eu-central-2"), is_valid_region("mars-1")
    (True, True, False)
    """
    return bool(_REGION_RE.match(region))


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource_type: str | None
    resource: str

    def __str__(self) -> str:
        res = f"{self.resource_type}/{self.resource}" if self.resource_type else self.resource
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{res}"


def parse_arn(arn: str) -> Arn:
    """Split an ARN into its components.

    >>> parse_arn("arn:aws:sqs:us-east-1:123456789012:orders-queue").resource
    'orders-queue'
    >>> parse_arn("arn:aws:dynamodb:eu-west-1:123456789012:table/orders").resource_type
    'table'
    """
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise ValueError(f"not an ARN: {arn!r}")
    _, partition, service, region, account, rest = parts
    resource_type: str | None = None
    resource = rest
    for sep in ("/", ":"):
        if sep in rest and service not in ("s3",):
            resource_type, resource = rest.split(sep, 1)
            break
    return Arn(partition, service, region, account, resource_type, resource)


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/key`` -> ``("bucket", "some/key")``.

    >>> parse_s3_uri("s3://my-bucket/path/to/file.csv")
    ('my-bucket', 'path/to/file.csv')
    """
    if not uri.startswith("s3://"):
        raise ValueError(f"not an s3 URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    if not bucket:
        raise ValueError(f"missing bucket in {uri!r}")
    return bucket, key
