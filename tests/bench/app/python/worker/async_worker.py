"""Outbound webhook delivery worker.

Pulls pending deliveries from the internal jobs API, POSTs them to customer
endpoints with HMAC signatures, and reports the outcome back. Designed to run
as a long-lived container with graceful shutdown:

* bounded concurrency (``WORKER_CONCURRENCY``), plus a per-host limit so one
  slow customer cannot starve the others;
* token-bucket rate limiting per destination host;
* exponential backoff with jitter, honouring ``Retry-After``;
* a circuit breaker that parks hosts failing repeatedly;
* SIGTERM/SIGINT stop fetching new work and drain in-flight deliveries.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import random
import signal
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any, AsyncIterator, Awaitable, Callable, Deque, Final, Protocol, TypedDict
from urllib.parse import urlsplit

import aiohttp

log = logging.getLogger("delivery-worker")

USER_AGENT: Final = "acme-webhooks/2.3 (+https://docs.example.com/webhooks)"
MAX_BODY_BYTES: Final = 256 * 1024
RESPONSE_SNIPPET_BYTES: Final = 2048


# ---------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerConfig:
    jobs_api_url: str
    jobs_api_token: str
    concurrency: int = 32
    per_host_concurrency: int = 4
    per_host_rate: float = 10.0  # requests per second
    per_host_burst: int = 20
    request_timeout: float = 10.0
    poll_interval: float = 1.0
    lease_seconds: int = 60
    max_attempts: int = 8
    breaker_threshold: int = 5
    breaker_cooldown: float = 120.0
    shutdown_grace: float = 25.0
    region: str = "us-east-1"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "WorkerConfig":
        e = dict(os.environ if env is None else env)
        try:
            return cls(
                jobs_api_url=e["JOBS_API_URL"].rstrip("/"),
                jobs_api_token=e["JOBS_API_TOKEN"],
                concurrency=int(e.get("WORKER_CONCURRENCY", 32)),
                per_host_concurrency=int(e.get("PER_HOST_CONCURRENCY", 4)),
                per_host_rate=float(e.get("PER_HOST_RATE", 10)),
                request_timeout=float(e.get("REQUEST_TIMEOUT", 10)),
                max_attempts=int(e.get("MAX_ATTEMPTS", 8)),
                region=e.get("AWS_REGION", "us-east-1"),
            )
        except KeyError as missing:
            raise SystemExit(f"missing required environment variable {missing}") from None


# ---------------------------------------------------------------------------
# types
# ---------------------------------------------------------------------------


class DeliveryJob(TypedDict):
    id: str
    subscription_id: str
    url: str
    secret: str
    event_type: str
    payload: dict[str, Any]
    attempt: int
    created_at: str


class Outcome(str, Enum):
    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"  # permanent, no further attempts
    SKIPPED = "skipped"  # circuit open, lease released without an attempt


@dataclass(slots=True)
class DeliveryResult:
    job_id: str
    outcome: Outcome
    status_code: int | None = None
    duration_ms: float = 0.0
    error: str | None = None
    retry_after: float | None = None
    response_snippet: str = ""


class JobSource(Protocol):
    async def lease(self, limit: int) -> list[DeliveryJob]: ...

    async def complete(self, result: DeliveryResult, next_attempt_in: float | None) -> None: ...


# ---------------------------------------------------------------------------
# rate limiting & circuit breaking
# ---------------------------------------------------------------------------


class TokenBucket:
    """Classic token bucket; ``acquire`` waits until a token is available."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.clock = clock
        self.updated = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                self._refill()
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


class BreakerState(str, Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass
class CircuitBreaker:
    threshold: int
    cooldown: float
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    state: BreakerState = BreakerState.CLOSED
    opened_at: float = 0.0
    recent: Deque[bool] = field(default_factory=lambda: deque(maxlen=50))

    def allow(self) -> bool:
        if self.state is BreakerState.OPEN:
            if self.clock() - self.opened_at >= self.cooldown:
                self.state = BreakerState.HALF_OPEN
                return True
            return False
        return True

    def record(self, success: bool) -> None:
        self.recent.append(success)
        if success:
            self.failures = 0
            self.state = BreakerState.CLOSED
            return
        self.failures += 1
        if self.state is BreakerState.HALF_OPEN or self.failures >= self.threshold:
            self.state = BreakerState.OPEN
            self.opened_at = self.clock()

    @property
    def success_ratio(self) -> float:
        return sum(self.recent) / len(self.recent) if self.recent else 1.0


class HostGuards:
    """Lazily creates a semaphore, token bucket and breaker per destination host."""

    def __init__(self, cfg: WorkerConfig) -> None:
        self._cfg = cfg
        self.semaphores: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(cfg.per_host_concurrency))
        self.buckets: dict[str, TokenBucket] = defaultdict(lambda: TokenBucket(cfg.per_host_rate, cfg.per_host_burst))
        self.breakers: dict[str, CircuitBreaker] = defaultdict(
            lambda: CircuitBreaker(cfg.breaker_threshold, cfg.breaker_cooldown)
        )

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {
            host: {"state": b.state.value, "failures": b.failures, "success_ratio": round(b.success_ratio, 3)}
            for host, b in self.breakers.items()
        }


# ---------------------------------------------------------------------------
# signing & backoff
# ---------------------------------------------------------------------------


def sign_payload(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def backoff_seconds(attempt: int, base: float = 5.0, cap: float = 3600.0) -> float:
    """Decorrelated jitter: grows ~3x per attempt, capped at one hour."""
    upper = min(cap, base * 3 ** max(0, attempt - 1))
    return random.uniform(base, max(base, upper))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    with contextlib.suppress(ValueError, TypeError):
        from email.utils import parsedate_to_datetime

        when = parsedate_to_datetime(value)
        now = now or datetime.now(timezone.utc)
        return max(0.0, (when - now).total_seconds())
    return None


def classify_status(status: int) -> Outcome:
    if 200 <= status < 300:
        return Outcome.DELIVERED
    if status in (408, 425, 429) or status >= 500:
        return Outcome.RETRY
    if status in (410,):
        return Outcome.FAILED  # endpoint gone: subscription will be disabled upstream
    return Outcome.FAILED if 400 <= status < 500 else Outcome.RETRY


# ---------------------------------------------------------------------------
# jobs API client
# ---------------------------------------------------------------------------


class HttpJobSource:
    def __init__(self, session: aiohttp.ClientSession, cfg: WorkerConfig, worker_id: str) -> None:
        self._session = session
        self._cfg = cfg
        self._worker_id = worker_id
        self._headers = {"authorization": f"Bearer {cfg.jobs_api_token}", "user-agent": USER_AGENT}

    async def lease(self, limit: int) -> list[DeliveryJob]:
        url = f"{self._cfg.jobs_api_url}/v1/deliveries:lease"
        body = {"worker_id": self._worker_id, "limit": limit, "lease_seconds": self._cfg.lease_seconds}
        async with self._session.post(url, json=body, headers=self._headers) as resp:
            if resp.status == 204:
                return []
            resp.raise_for_status()
            data = await resp.json()
            return list(data.get("jobs", []))

    async def complete(self, result: DeliveryResult, next_attempt_in: float | None) -> None:
        url = f"{self._cfg.jobs_api_url}/v1/deliveries/{result.job_id}:complete"
        body = {
            "worker_id": self._worker_id,
            "outcome": result.outcome.value,
            "status_code": result.status_code,
            "duration_ms": round(result.duration_ms, 1),
            "error": result.error,
            "response_snippet": result.response_snippet,
            "next_attempt_in_seconds": next_attempt_in,
        }
        for attempt in range(3):
            try:
                async with self._session.post(url, json=body, headers=self._headers) as resp:
                    if resp.status < 500:
                        resp.raise_for_status()
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.5 * 2**attempt)
        log.error("could not report completion for %s; lease will expire and job will be retried", result.job_id)


# ---------------------------------------------------------------------------
# delivery
# ---------------------------------------------------------------------------


class Deliverer:
    def __init__(self, session: aiohttp.ClientSession, cfg: WorkerConfig, guards: HostGuards) -> None:
        self._session = session
        self._cfg = cfg
        self._guards = guards

    async def deliver(self, job: DeliveryJob) -> DeliveryResult:
        host = urlsplit(job["url"]).hostname or ""
        if not host or not job["url"].startswith("https://"):
            return DeliveryResult(job["id"], Outcome.FAILED, error="endpoint must be an https URL")

        breaker = self._guards.breakers[host]
        if not breaker.allow():
            return DeliveryResult(job["id"], Outcome.SKIPPED, error=f"circuit open for {host}")

        body = json.dumps(
            {"id": job["id"], "type": job["event_type"], "created_at": job["created_at"], "data": job["payload"]},
            separators=(",", ":"),
        ).encode("utf-8")
        if len(body) > MAX_BODY_BYTES:
            return DeliveryResult(job["id"], Outcome.FAILED, error=f"payload exceeds {MAX_BODY_BYTES} bytes")

        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "x-webhook-id": job["id"],
            "x-webhook-attempt": str(job["attempt"]),
            "x-webhook-signature": sign_payload(job["secret"], body, int(time.time())),
        }

        async with self._guards.semaphores[host]:
            await self._guards.buckets[host].acquire()
            started = time.perf_counter()
            try:
                timeout = aiohttp.ClientTimeout(total=self._cfg.request_timeout)
                async with self._session.post(
                    job["url"], data=body, headers=headers, timeout=timeout, allow_redirects=False
                ) as resp:
                    snippet = (await resp.content.read(RESPONSE_SNIPPET_BYTES)).decode("utf-8", "replace")
                    outcome = classify_status(resp.status)
                    breaker.record(outcome is Outcome.DELIVERED)
                    return DeliveryResult(
                        job["id"],
                        outcome,
                        status_code=resp.status,
                        duration_ms=(time.perf_counter() - started) * 1000,
                        retry_after=parse_retry_after(resp.headers.get("Retry-After")),
                        response_snippet=snippet,
                    )
            except asyncio.TimeoutError:
                breaker.record(False)
                return DeliveryResult(
                    job["id"], Outcome.RETRY, duration_ms=(time.perf_counter() - started) * 1000, error="timeout"
                )
            except aiohttp.ClientError as exc:
                breaker.record(False)
                return DeliveryResult(
                    job["id"],
                    Outcome.RETRY,
                    duration_ms=(time.perf_counter() - started) * 1000,
                    error=f"{type(exc).__name__}: {exc}",
                )


# ---------------------------------------------------------------------------
# worker loop
# ---------------------------------------------------------------------------


@dataclass
class Metrics:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    in_flight: int = 0
    latencies_ms: Deque[float] = field(default_factory=lambda: deque(maxlen=1000))

    def observe(self, result: DeliveryResult) -> None:
        match result.outcome:
            case Outcome.DELIVERED:
                self.delivered += 1
            case Outcome.RETRY:
                self.retried += 1
            case Outcome.FAILED:
                self.failed += 1
            case Outcome.SKIPPED:
                self.skipped += 1
        if result.status_code is not None:
            self.latencies_ms.append(result.duration_ms)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        p = lambda q: round(lat[min(len(lat) - 1, int(q * len(lat)))], 1) if lat else None  # noqa: E731
        return {
            "delivered": self.delivered,
            "retried": self.retried,
            "failed": self.failed,
            "skipped": self.skipped,
            "in_flight": self.in_flight,
            "p50_ms": p(0.5),
            "p99_ms": p(0.99),
        }


class Worker:
    def __init__(self, cfg: WorkerConfig, source: JobSource, deliverer: Deliverer, guards: HostGuards) -> None:
        self.cfg = cfg
        self.source = source
        self.deliverer = deliverer
        self.guards = guards
        self.metrics = Metrics()
        self._stop = asyncio.Event()
        self._slots = asyncio.Semaphore(cfg.concurrency)
        self._tasks: set[asyncio.Task[None]] = set()

    def request_stop(self) -> None:
        if not self._stop.is_set():
            log.info("stop requested; draining %d in-flight deliveries", len(self._tasks))
            self._stop.set()

    async def _handle(self, job: DeliveryJob) -> None:
        self.metrics.in_flight += 1
        try:
            result = await self.deliverer.deliver(job)
            self.metrics.observe(result)
            next_in: float | None = None
            if result.outcome is Outcome.RETRY:
                if job["attempt"] >= self.cfg.max_attempts:
                    result.outcome = Outcome.FAILED
                    result.error = f"giving up after {job['attempt']} attempts: {result.error or result.status_code}"
                else:
                    next_in = max(result.retry_after or 0.0, backoff_seconds(job["attempt"]))
            elif result.outcome is Outcome.SKIPPED:
                next_in = self.cfg.breaker_cooldown
            await self.source.complete(result, next_in)
            log.debug("job %s -> %s (%s)", job["id"], result.outcome.value, result.status_code)
        except Exception:  # noqa: BLE001 - never let one job kill the loop
            log.exception("unexpected error handling job %s", job.get("id"))
        finally:
            self.metrics.in_flight -= 1
            self._slots.release()

    async def _jobs(self) -> AsyncIterator[DeliveryJob]:
        idle = self.cfg.poll_interval
        while not self._stop.is_set():
            free = self.cfg.concurrency - len(self._tasks)
            if free <= 0:
                await asyncio.sleep(0.05)
                continue
            try:
                jobs = await self.source.lease(min(free, 100))
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                log.warning("lease failed: %s", exc)
                jobs = []
            if not jobs:
                # Back off gently while the queue is empty, up to 10s.
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=idle)
                idle = min(idle * 1.5, 10.0)
                continue
            idle = self.cfg.poll_interval
            for job in jobs:
                yield job

    async def run(self) -> None:
        reporter = asyncio.create_task(self._report_periodically())
        try:
            async for job in self._jobs():
                await self._slots.acquire()
                task = asyncio.create_task(self._handle(job), name=f"deliver-{job['id']}")
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        finally:
            if self._tasks:
                done, pending = await asyncio.wait(self._tasks, timeout=self.cfg.shutdown_grace)
                for t in pending:
                    t.cancel()
                log.info("drained: %d finished, %d cancelled (leases will expire)", len(done), len(pending))
            reporter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reporter

    async def _report_periodically(self, every: float = 30.0) -> None:
        while True:
            await asyncio.sleep(every)
            log.info("metrics %s hosts=%s", json.dumps(self.metrics.summary()), json.dumps(self.guards.snapshot()))


# ---------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------


def install_signal_handlers(loop: asyncio.AbstractEventLoop, on_stop: Callable[[], None]) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # Windows
            loop.add_signal_handler(sig, on_stop)


async def with_session(cfg: WorkerConfig, fn: Callable[[aiohttp.ClientSession], Awaitable[None]]) -> None:
    connector = aiohttp.TCPConnector(limit=cfg.concurrency * 2, limit_per_host=cfg.per_host_concurrency, ttl_dns_cache=300)
    async with aiohttp.ClientSession(connector=connector, raise_for_status=False) as session:
        await fn(session)


async def main() -> None:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    cfg = WorkerConfig.from_env()
    worker_id = f"{os.environ.get('HOSTNAME', 'local')}-{os.getpid()}"
    log.info("starting delivery worker %s (concurrency=%d, region=%s)", worker_id, cfg.concurrency, cfg.region)

    async def run(session: aiohttp.ClientSession) -> None:
        guards = HostGuards(cfg)
        worker = Worker(cfg, HttpJobSource(session, cfg, worker_id), Deliverer(session, cfg, guards), guards)
        install_signal_handlers(asyncio.get_running_loop(), worker.request_stop)
        await worker.run()
        log.info("final metrics %s", json.dumps(worker.metrics.summary()))

    await with_session(cfg, run)


if __name__ == "__main__":
    asyncio.run(main())
