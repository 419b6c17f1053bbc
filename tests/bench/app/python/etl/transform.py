"""Clickstream transformation: raw events -> sessions -> daily metrics.

Input is newline-delimited JSON exported by the tracking collector (one event
per line, possibly gzip-compressed) or the legacy CSV export. Output is a set
of CSV/JSON files consumed by the BI warehouse loader.

The module is pure Python (no pandas) so it can run inside small batch
containers; everything streams except the per-user session assembly, which is
bounded by the ``max_events_per_user`` guard.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from itertools import chain, groupby, islice, pairwise, tee
from operator import attrgetter
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Mapping, Sequence
from urllib.parse import parse_qsl, urlsplit

log = logging.getLogger(__name__)

SESSION_TIMEOUT = timedelta(minutes=30)
MAX_SESSION_LENGTH = timedelta(hours=12)
BOT_USER_AGENT_MARKERS = ("bot", "crawler", "spider", "headless", "pingdom", "uptime")
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


# ---------------------------------------------------------------------------
# records
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str
    user_id: str
    timestamp: datetime
    name: str
    url: str
    referrer: str = ""
    user_agent: str = ""
    country: str = ""
    properties: Mapping[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    @property
    def utm(self) -> dict[str, str]:
        query = dict(parse_qsl(urlsplit(self.url).query))
        return {k: query[k] for k in UTM_KEYS if k in query}


@dataclass(slots=True)
class Session:
    session_id: str
    user_id: str
    started_at: datetime
    ended_at: datetime
    events: list[Event]
    landing_path: str
    exit_path: str
    source: str
    medium: str
    campaign: str
    country: str
    converted: bool = False
    revenue_cents: int = 0

    @property
    def duration_seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()

    @property
    def pageviews(self) -> int:
        return sum(1 for e in self.events if e.name == "page_view")

    @property
    def bounced(self) -> bool:
        return self.pageviews <= 1 and len(self.events) <= 1


@dataclass(slots=True)
class DailyMetrics:
    day: date
    sessions: int = 0
    users: int = 0
    pageviews: int = 0
    bounces: int = 0
    conversions: int = 0
    revenue_cents: int = 0
    median_duration_seconds: float = 0.0
    p90_duration_seconds: float = 0.0
    top_landing_pages: list[tuple[str, int]] = field(default_factory=list)
    by_source: dict[str, int] = field(default_factory=dict)

    @property
    def bounce_rate(self) -> float:
        return self.bounces / self.sessions if self.sessions else 0.0

    @property
    def conversion_rate(self) -> float:
        return self.conversions / self.sessions if self.sessions else 0.0


@dataclass
class TransformStats:
    lines_read: int = 0
    events_parsed: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    bots_filtered: int = 0
    duplicates: int = 0
    sessions_built: int = 0
    users_truncated: int = 0

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["rejected"] = dict(self.rejected)
        return d


# ---------------------------------------------------------------------------
# input parsing
# ---------------------------------------------------------------------------


def open_text(path: Path) -> IO[str]:
    """Open plain or gzip-compressed text transparently."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open("r", encoding="utf-8", newline="")


def parse_timestamp(value: Any) -> datetime:
    if isinstance(value, (int, float)):
        # Collector sends epoch millis; legacy exports used seconds.
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def event_from_mapping(raw: Mapping[str, Any]) -> Event:
    props = raw.get("properties") or raw.get("props") or {}
    if isinstance(props, str):
        props = json.loads(props) if props else {}
    return Event(
        event_id=str(raw["event_id"] if "event_id" in raw else raw["id"]),
        user_id=str(raw.get("user_id") or raw.get("anonymous_id") or ""),
        timestamp=parse_timestamp(raw["timestamp"] if "timestamp" in raw else raw["ts"]),
        name=str(raw.get("event") or raw.get("name") or "").strip().lower(),
        url=str(raw.get("url") or ""),
        referrer=str(raw.get("referrer") or ""),
        user_agent=str(raw.get("user_agent") or raw.get("ua") or ""),
        country=str(raw.get("country") or "").upper()[:2],
        properties=props,
    )


def read_ndjson(lines: Iterable[str], stats: TransformStats) -> Iterator[Event]:
    for line in lines:
        stats.lines_read += 1
        line = line.strip()
        if not line:
            continue
        try:
            raw = json.loads(line)
            ev = event_from_mapping(raw)
        except json.JSONDecodeError:
            stats.rejected["invalid_json"] += 1
            continue
        except (KeyError, ValueError, TypeError) as exc:
            stats.rejected[f"bad_field:{type(exc).__name__}"] += 1
            continue
        if not ev.user_id:
            stats.rejected["missing_user"] += 1
            continue
        if not ev.name:
            stats.rejected["missing_event_name"] += 1
            continue
        stats.events_parsed += 1
        yield ev


def read_legacy_csv(handle: IO[str], stats: TransformStats) -> Iterator[Event]:
    reader = csv.DictReader(handle)
    for row in reader:
        stats.lines_read += 1
        try:
            ev = event_from_mapping({k.strip().lower(): v for k, v in row.items() if k})
        except (KeyError, ValueError, TypeError, json.JSONDecodeError):
            stats.rejected["bad_csv_row"] += 1
            continue
        if ev.user_id and ev.name:
            stats.events_parsed += 1
            yield ev
        else:
            stats.rejected["incomplete_csv_row"] += 1


def read_inputs(paths: Sequence[Path], stats: TransformStats) -> Iterator[Event]:
    def per_file(p: Path) -> Iterator[Event]:
        with open_text(p) as fh:
            if p.name.endswith((".csv", ".csv.gz")):
                yield from read_legacy_csv(fh, stats)
            else:
                yield from read_ndjson(fh, stats)

    return chain.from_iterable(per_file(p) for p in sorted(paths))


# ---------------------------------------------------------------------------
# filtering
# ---------------------------------------------------------------------------


def is_bot(ev: Event) -> bool:
    ua = ev.user_agent.lower()
    return not ua or any(marker in ua for marker in BOT_USER_AGENT_MARKERS)


def drop_bots(events: Iterable[Event], stats: TransformStats) -> Iterator[Event]:
    for ev in events:
        if is_bot(ev):
            stats.bots_filtered += 1
            continue
        yield ev


def dedupe(events: Iterable[Event], stats: TransformStats, window: int = 200_000) -> Iterator[Event]:
    """Drop repeated event ids, remembering at most ``window`` recent ids."""
    seen: dict[str, None] = {}
    for ev in events:
        if ev.event_id in seen:
            stats.duplicates += 1
            continue
        seen[ev.event_id] = None
        if len(seen) > window:
            # dicts preserve insertion order: evict the oldest id.
            seen.pop(next(iter(seen)))
        yield ev


def within(events: Iterable[Event], start: datetime, end: datetime) -> Iterator[Event]:
    return (e for e in events if start <= e.timestamp < end)


# ---------------------------------------------------------------------------
# sessionisation
# ---------------------------------------------------------------------------


def classify_source(first: Event) -> tuple[str, str, str]:
    utm = first.utm
    if "utm_source" in utm:
        return utm["utm_source"].lower(), utm.get("utm_medium", "unknown").lower(), utm.get("utm_campaign", "")
    ref_host = urlsplit(first.referrer).hostname or ""
    own_host = urlsplit(first.url).hostname or ""
    if not ref_host or ref_host == own_host:
        return "(direct)", "(none)", ""
    search_engines = {"google": "google", "bing": "bing", "duckduckgo": "duckduckgo", "yahoo": "yahoo"}
    for marker, name in search_engines.items():
        if marker in ref_host:
            return name, "organic", ""
    social = ("facebook.com", "t.co", "twitter.com", "linkedin.com", "reddit.com", "instagram.com")
    if any(ref_host.endswith(s) for s in social):
        return ref_host.removeprefix("www.").removeprefix("l."), "social", ""
    return ref_host.removeprefix("www."), "referral", ""


def split_sessions(user_events: Sequence[Event]) -> Iterator[list[Event]]:
    """Split one user's time-ordered events into sessions on inactivity gaps."""
    if not user_events:
        return
    current = [user_events[0]]
    for prev, ev in pairwise(user_events):
        gap = ev.timestamp - prev.timestamp
        too_long = ev.timestamp - current[0].timestamp > MAX_SESSION_LENGTH
        new_campaign = bool(ev.utm) and ev.utm != current[0].utm
        if gap > SESSION_TIMEOUT or too_long or new_campaign or ev.timestamp.date() != prev.timestamp.date():
            yield current
            current = [ev]
        else:
            current.append(ev)
    yield current


def build_session(events: list[Event]) -> Session:
    first, last = events[0], events[-1]
    source, medium, campaign = classify_source(first)
    pageviews = [e for e in events if e.name == "page_view"] or events
    purchases = [e for e in events if e.name == "purchase"]
    revenue = sum(int(e.properties.get("revenue_cents", 0) or 0) for e in purchases)
    session_id = f"{first.user_id}:{int(first.timestamp.timestamp())}"
    return Session(
        session_id=session_id,
        user_id=first.user_id,
        started_at=first.timestamp,
        ended_at=last.timestamp,
        events=events,
        landing_path=pageviews[0].path,
        exit_path=pageviews[-1].path,
        source=source,
        medium=medium,
        campaign=campaign,
        country=next((e.country for e in events if e.country), ""),
        converted=bool(purchases),
        revenue_cents=revenue,
    )


def sessionize(
    events: Iterable[Event],
    stats: TransformStats,
    max_events_per_user: int = 10_000,
) -> Iterator[Session]:
    by_user: dict[str, list[Event]] = defaultdict(list)
    for ev in events:
        bucket = by_user[ev.user_id]
        if len(bucket) < max_events_per_user:
            bucket.append(ev)
        elif len(bucket) == max_events_per_user:
            stats.users_truncated += 1
            bucket.append(ev)  # sentinel so we only count once
    for user_id in sorted(by_user):
        evs = sorted(by_user[user_id][:max_events_per_user], key=attrgetter("timestamp"))
        for chunk in split_sessions(evs):
            stats.sessions_built += 1
            yield build_session(chunk)


# ---------------------------------------------------------------------------
# aggregation
# ---------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    k = (len(sorted_values) - 1) * pct
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def daily_metrics(sessions: Iterable[Session], top_n: int = 10) -> list[DailyMetrics]:
    day_of: Callable[[Session], date] = lambda s: s.started_at.date()  # noqa: E731
    ordered = sorted(sessions, key=lambda s: (day_of(s), s.started_at))
    out: list[DailyMetrics] = []
    for day, group in groupby(ordered, key=day_of):
        items = list(group)
        durations = sorted(s.duration_seconds for s in items)
        landing = Counter(s.landing_path for s in items)
        sources = Counter(f"{s.source}/{s.medium}" for s in items)
        out.append(
            DailyMetrics(
                day=day,
                sessions=len(items),
                users=len({s.user_id for s in items}),
                pageviews=sum(s.pageviews for s in items),
                bounces=sum(1 for s in items if s.bounced),
                conversions=sum(1 for s in items if s.converted),
                revenue_cents=sum(s.revenue_cents for s in items),
                median_duration_seconds=statistics.median(durations) if durations else 0.0,
                p90_duration_seconds=percentile(durations, 0.9),
                top_landing_pages=landing.most_common(top_n),
                by_source=dict(sources.most_common()),
            )
        )
    return out


def funnel(sessions: Iterable[Session], steps: Sequence[str]) -> list[tuple[str, int, float]]:
    """Count sessions reaching each step in order. Returns (step, count, rate-from-previous)."""
    counts = [0] * len(steps)
    for s in sessions:
        names = iter(e.name for e in s.events)
        for i, step in enumerate(steps):
            # `step in names` consumes the iterator up to the match: enforces ordering.
            if step in names:
                counts[i] += 1
            else:
                break
    result: list[tuple[str, int, float]] = []
    for i, (step, count) in enumerate(zip(steps, counts)):
        prev = counts[i - 1] if i else count
        result.append((step, count, count / prev if prev else 0.0))
    return result


def retention_cohorts(sessions: Iterable[Session], weeks: int = 8) -> dict[date, list[int]]:
    """Weekly retention: cohort = ISO week of first session, value = active users per week offset."""
    first_seen: dict[str, date] = {}
    activity: dict[str, set[date]] = defaultdict(set)
    for s in sorted(sessions, key=attrgetter("started_at")):
        week = s.started_at.date() - timedelta(days=s.started_at.weekday())
        first_seen.setdefault(s.user_id, week)
        activity[s.user_id].add(week)
    cohorts: dict[date, list[int]] = {}
    for user, cohort in first_seen.items():
        row = cohorts.setdefault(cohort, [0] * weeks)
        for week in activity[user]:
            offset = (week - cohort).days // 7
            if 0 <= offset < weeks:
                row[offset] += 1
    return dict(sorted(cohorts.items()))


# ---------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------

SESSION_COLUMNS = [
    "session_id",
    "user_id",
    "started_at",
    "ended_at",
    "duration_seconds",
    "pageviews",
    "landing_path",
    "exit_path",
    "source",
    "medium",
    "campaign",
    "country",
    "converted",
    "revenue_cents",
]


def write_sessions_csv(sessions: Iterable[Session], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SESSION_COLUMNS)
    n = 0
    for s in sessions:
        writer.writerow(
            [
                s.session_id,
                s.user_id,
                s.started_at.isoformat(),
                s.ended_at.isoformat(),
                f"{s.duration_seconds:.0f}",
                s.pageviews,
                s.landing_path,
                s.exit_path,
                s.source,
                s.medium,
                s.campaign,
                s.country,
                int(s.converted),
                s.revenue_cents,
            ]
        )
        n += 1
    return n


def metrics_to_json(metrics: Sequence[DailyMetrics]) -> str:
    def encode(m: DailyMetrics) -> dict[str, Any]:
        d = asdict(m)
        d["day"] = m.day.isoformat()
        d["bounce_rate"] = round(m.bounce_rate, 4)
        d["conversion_rate"] = round(m.conversion_rate, 4)
        d["top_landing_pages"] = [{"path": p, "sessions": c} for p, c in m.top_landing_pages]
        return d

    return json.dumps([encode(m) for m in metrics], indent=2, sort_keys=True)


def preview(events: Iterable[Event], n: int = 5) -> tuple[list[Event], Iterator[Event]]:
    """Peek at the first ``n`` events without consuming the stream."""
    a, b = tee(events)
    return list(islice(a, n)), b


def run(
    inputs: Sequence[Path],
    out_dir: Path,
    start: datetime | None = None,
    end: datetime | None = None,
    funnel_steps: Sequence[str] = ("page_view", "add_to_cart", "checkout_started", "purchase"),
) -> TransformStats:
    stats = TransformStats()
    events: Iterable[Event] = read_inputs(inputs, stats)
    events = dedupe(drop_bots(events, stats), stats)
    if start and end:
        events = within(events, start, end)

    sessions = list(sessionize(events, stats))
    out_dir.mkdir(parents=True, exist_ok=True)

    with (out_dir / "sessions.csv").open("w", encoding="utf-8", newline="") as fh:
        write_sessions_csv(sessions, fh)

    metrics = daily_metrics(sessions)
    (out_dir / "daily_metrics.json").write_text(metrics_to_json(metrics), encoding="utf-8")

    funnel_rows = funnel(sessions, funnel_steps)
    with (out_dir / "funnel.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["step", "sessions", "rate_from_previous"])
        w.writerows((step, count, f"{rate:.4f}") for step, count, rate in funnel_rows)

    cohorts = retention_cohorts(sessions)
    (out_dir / "retention.json").write_text(
        json.dumps({k.isoformat(): v for k, v in cohorts.items()}, indent=2), encoding="utf-8"
    )
    (out_dir / "stats.json").write_text(json.dumps(stats.as_dict(), indent=2), encoding="utf-8")

    log.info(
        "transform complete: %d lines, %d events, %d sessions, %d days",
        stats.lines_read,
        stats.events_parsed,
        stats.sessions_built,
        len(metrics),
    )
    return stats


def with_country_override(sessions: Iterable[Session], mapping: Mapping[str, str]) -> Iterator[Session]:
    """Re-map legacy country codes (e.g. 'UK' -> 'GB') without mutating the input."""
    for s in sessions:
        yield replace(s, country=mapping.get(s.country, s.country)) if s.country in mapping else s
