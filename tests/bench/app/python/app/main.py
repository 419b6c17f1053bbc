"""Feature-flag service.

A small FastAPI application that stores feature flags and evaluates them for a
given user context. Flags are kept in DynamoDB (one item per flag and
environment); evaluation is deterministic so that the same user always lands
in the same percentage bucket.

Run locally with::

    uvicorn app.main:app --reload --port 8000
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
import uuid
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from enum import Enum
from typing import Annotated, Any, AsyncIterator, Literal

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, Response, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

logger = logging.getLogger("flags")


# --------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLAGS_", env_file=".env", extra="ignore")

    table_name: str = "feature-flags"
    aws_region: str = Field(default_factory=lambda: os.environ.get("AWS_REGION", "us-east-1"))
    dynamodb_endpoint: str | None = None
    environments: list[str] = ["development", "staging", "production"]
    admin_tokens: list[str] = []
    cors_origins: list[str] = ["http://localhost:5173"]
    cache_ttl_seconds: int = 15


def get_settings() -> Settings:
    return Settings()


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------

FLAG_KEY_RE = re.compile(r"^[a-z][a-z0-9_.-]{2,63}$")


class Operator(str, Enum):
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    IN = "in"
    NOT_IN = "not_in"
    CONTAINS = "contains"
    STARTS_WITH = "starts_with"
    GREATER_THAN = "gt"
    LESS_THAN = "lt"
    SEMVER_GTE = "semver_gte"


class Condition(BaseModel):
    attribute: str = Field(min_length=1, max_length=64)
    operator: Operator
    value: str | int | float | bool | list[str]

    @model_validator(mode="after")
    def check_list_operators(self) -> "Condition":
        if self.operator in (Operator.IN, Operator.NOT_IN) and not isinstance(self.value, list):
            raise ValueError(f"operator {self.operator.value!r} requires a list value")
        return self


class Rule(BaseModel):
    description: str = ""
    conditions: list[Condition] = Field(default_factory=list, max_length=20)
    variant: str
    rollout_percentage: int = Field(default=100, ge=0, le=100)


class Variant(BaseModel):
    key: str = Field(pattern=r"^[a-z0-9_-]{1,32}$")
    value: Any
    description: str = ""


class FlagBase(BaseModel):
    description: str = Field(default="", max_length=500)
    enabled: bool = False
    variants: list[Variant] = Field(min_length=1, max_length=10)
    default_variant: str
    off_variant: str
    rules: list[Rule] = Field(default_factory=list, max_length=50)
    tags: list[str] = Field(default_factory=list)

    @field_validator("tags")
    @classmethod
    def normalise_tags(cls, v: list[str]) -> list[str]:
        return sorted({t.strip().lower() for t in v if t.strip()})

    @model_validator(mode="after")
    def check_variant_refs(self) -> "FlagBase":
        keys = {v.key for v in self.variants}
        if len(keys) != len(self.variants):
            raise ValueError("variant keys must be unique")
        for ref in [self.default_variant, self.off_variant, *(r.variant for r in self.rules)]:
            if ref not in keys:
                raise ValueError(f"unknown variant {ref!r}; expected one of {sorted(keys)}")
        return self


class FlagCreate(FlagBase):
    key: str

    @field_validator("key")
    @classmethod
    def check_key(cls, v: str) -> str:
        if not FLAG_KEY_RE.match(v):
            raise ValueError("key must be 3-64 chars: lowercase letters, digits, '_', '.', '-'")
        return v


class FlagUpdate(FlagBase):
    expected_version: int = Field(ge=1)


class Flag(FlagBase):
    model_config = ConfigDict(from_attributes=True)

    key: str
    environment: str
    version: int
    updated_at: datetime
    updated_by: str


class EvaluationContext(BaseModel):
    user_id: str = Field(min_length=1, max_length=128)
    attributes: dict[str, str | int | float | bool | list[str]] = Field(default_factory=dict)


class EvaluationResult(BaseModel):
    flag: str
    variant: str
    value: Any
    reason: Literal["disabled", "rule_match", "default", "not_found"]
    rule_index: int | None = None


class BulkEvaluationRequest(BaseModel):
    context: EvaluationContext
    flags: list[str] | None = Field(default=None, max_length=200)


class ErrorBody(BaseModel):
    error: str
    detail: Any = None
    request_id: str | None = None


# --------------------------------------------------------------------------
# Repository
# --------------------------------------------------------------------------


class VersionConflict(Exception):
    pass


class FlagRepository:
    def __init__(self, settings: Settings) -> None:
        resource = boto3.resource(
            "dynamodb",
            region_name=settings.aws_region,
            endpoint_url=settings.dynamodb_endpoint,
        )
        self._table = resource.Table(settings.table_name)
        self._cache: dict[str, tuple[float, list[Flag]]] = {}
        self._ttl = settings.cache_ttl_seconds

    @staticmethod
    def _pk(environment: str) -> str:
        return f"ENV#{environment}"

    def _to_item(self, flag: Flag) -> dict[str, Any]:
        data = json.loads(flag.model_dump_json())
        return {"pk": self._pk(flag.environment), "sk": f"FLAG#{flag.key}", "doc": json.dumps(data), "version": flag.version}

    @staticmethod
    def _from_item(item: dict[str, Any]) -> Flag:
        return Flag.model_validate_json(item["doc"])

    def list(self, environment: str, use_cache: bool = True) -> list[Flag]:
        cached = self._cache.get(environment)
        if use_cache and cached and cached[0] > time.monotonic():
            return cached[1]
        flags: list[Flag] = []
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(self._pk(environment))}
        while True:
            page = self._table.query(**kwargs)
            flags.extend(self._from_item(i) for i in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        flags.sort(key=lambda f: f.key)
        self._cache[environment] = (time.monotonic() + self._ttl, flags)
        return flags

    def get(self, environment: str, key: str) -> Flag | None:
        res = self._table.get_item(Key={"pk": self._pk(environment), "sk": f"FLAG#{key}"}, ConsistentRead=True)
        item = res.get("Item")
        return self._from_item(item) if item else None

    def put(self, flag: Flag, expected_version: int | None) -> None:
        kwargs: dict[str, Any] = {"Item": self._to_item(flag)}
        if expected_version is None:
            kwargs["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            kwargs["ConditionExpression"] = "version = :v"
            kwargs["ExpressionAttributeValues"] = {":v": expected_version}
        try:
            self._table.put_item(**kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise VersionConflict(flag.key) from exc
            raise
        self._cache.pop(flag.environment, None)

    def delete(self, environment: str, key: str) -> bool:
        res = self._table.delete_item(
            Key={"pk": self._pk(environment), "sk": f"FLAG#{key}"},
            ReturnValues="ALL_OLD",
        )
        self._cache.pop(environment, None)
        return "Attributes" in res


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------


def _semver_tuple(value: str) -> tuple[int, ...]:
    core = value.lstrip("v").split("-", 1)[0]
    parts = []
    for p in core.split("."):
        parts.append(int(p) if p.isdigit() else 0)
    return tuple(parts + [0] * (3 - len(parts)))


def condition_matches(cond: Condition, attributes: dict[str, Any]) -> bool:
    actual = attributes.get(cond.attribute)
    if actual is None:
        return cond.operator in (Operator.NOT_EQUALS, Operator.NOT_IN)
    expected = cond.value
    match cond.operator:
        case Operator.EQUALS:
            return actual == expected
        case Operator.NOT_EQUALS:
            return actual != expected
        case Operator.IN:
            return str(actual) in expected  # type: ignore[operator]
        case Operator.NOT_IN:
            return str(actual) not in expected  # type: ignore[operator]
        case Operator.CONTAINS:
            return isinstance(actual, (str, list)) and str(expected) in actual
        case Operator.STARTS_WITH:
            return isinstance(actual, str) and actual.startswith(str(expected))
        case Operator.GREATER_THAN:
            try:
                return float(actual) > float(expected)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return False
        case Operator.LESS_THAN:
            try:
                return float(actual) < float(expected)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return False
        case Operator.SEMVER_GTE:
            return _semver_tuple(str(actual)) >= _semver_tuple(str(expected))
    return False


def bucket_for(flag_key: str, user_id: str) -> int:
    """Stable 0-99 bucket for a (flag, user) pair."""
    digest = hashlib.sha1(f"{flag_key}:{user_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 100


def evaluate(flag: Flag, ctx: EvaluationContext) -> EvaluationResult:
    variants = {v.key: v for v in flag.variants}
    if not flag.enabled:
        v = variants[flag.off_variant]
        return EvaluationResult(flag=flag.key, variant=v.key, value=v.value, reason="disabled")
    attrs = {"user_id": ctx.user_id, **ctx.attributes}
    for index, rule in enumerate(flag.rules):
        if all(condition_matches(c, attrs) for c in rule.conditions):
            if bucket_for(flag.key, ctx.user_id) < rule.rollout_percentage:
                v = variants[rule.variant]
                return EvaluationResult(flag=flag.key, variant=v.key, value=v.value, reason="rule_match", rule_index=index)
    v = variants[flag.default_variant]
    return EvaluationResult(flag=flag.key, variant=v.key, value=v.value, reason="default")


# --------------------------------------------------------------------------
# Application wiring
# --------------------------------------------------------------------------


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    app.state.repo = FlagRepository(settings)
    logger.info("flag service starting table=%s region=%s", settings.table_name, settings.aws_region)
    yield
    logger.info("flag service stopping")


app = FastAPI(title="Feature Flags", version="1.4.0", lifespan=lifespan)
app.add_middleware(
    CORSMiddleware,
    allow_origins=get_settings().cors_origins,
    allow_methods=["GET", "POST", "PUT", "DELETE"],
    allow_headers=["authorization", "content-type", "x-request-id"],
)


@app.middleware("http")
async def request_context(request: Request, call_next):
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    request.state.request_id = request_id
    started = time.perf_counter()
    response: Response = await call_next(request)
    elapsed_ms = (time.perf_counter() - started) * 1000
    response.headers["x-request-id"] = request_id
    logger.info(
        json.dumps(
            {
                "request_id": request_id,
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "elapsed_ms": round(elapsed_ms, 2),
            }
        )
    )
    return response


@app.exception_handler(VersionConflict)
async def version_conflict_handler(request: Request, exc: VersionConflict) -> JSONResponse:
    body = ErrorBody(error="version_conflict", detail=f"flag {exc} was modified concurrently",
                     request_id=getattr(request.state, "request_id", None))
    return JSONResponse(status_code=status.HTTP_409_CONFLICT, content=body.model_dump())


def get_repo(request: Request) -> FlagRepository:
    return request.app.state.repo


def valid_environment(environment: str, settings: Annotated[Settings, Depends(get_settings)]) -> str:
    if environment not in settings.environments:
        raise HTTPException(status_code=404, detail=f"unknown environment {environment!r}")
    return environment


def require_admin(
    authorization: Annotated[str | None, Header()] = None,
    settings: Settings = Depends(get_settings),
) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(status_code=401, detail="missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    token = authorization.split(" ", 1)[1].strip()
    for allowed in settings.admin_tokens:
        name, _, secret = allowed.partition(":")
        if secret and hashlib.sha256(token.encode()).hexdigest() == secret:
            return name
    raise HTTPException(status_code=403, detail="token is not authorised for admin operations")


RepoDep = Annotated[FlagRepository, Depends(get_repo)]
EnvDep = Annotated[str, Depends(valid_environment)]
AdminDep = Annotated[str, Depends(require_admin)]


# --------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------


@app.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/v1/environments/{environment}/flags", response_model=list[Flag])
def list_flags(
    environment: EnvDep,
    repo: RepoDep,
    tag: Annotated[str | None, Query(max_length=32)] = None,
    q: Annotated[str | None, Query(min_length=2, max_length=64)] = None,
) -> list[Flag]:
    flags = repo.list(environment)
    if tag:
        flags = [f for f in flags if tag.lower() in f.tags]
    if q:
        needle = q.lower()
        flags = [f for f in flags if needle in f.key or needle in f.description.lower()]
    return flags


@app.get("/v1/environments/{environment}/flags/{key}", response_model=Flag)
def get_flag(environment: EnvDep, key: str, repo: RepoDep, response: Response) -> Flag:
    flag = repo.get(environment, key)
    if flag is None:
        raise HTTPException(status_code=404, detail=f"flag {key!r} not found in {environment}")
    response.headers["ETag"] = f'W/"{flag.version}"'
    return flag


@app.post("/v1/environments/{environment}/flags", response_model=Flag, status_code=201)
def create_flag(environment: EnvDep, body: FlagCreate, repo: RepoDep, admin: AdminDep) -> Flag:
    flag = Flag(
        **body.model_dump(),
        environment=environment,
        version=1,
        updated_at=datetime.now(timezone.utc),
        updated_by=admin,
    )
    repo.put(flag, expected_version=None)
    logger.info("flag created key=%s env=%s by=%s", flag.key, environment, admin)
    return flag


@app.put("/v1/environments/{environment}/flags/{key}", response_model=Flag)
def update_flag(environment: EnvDep, key: str, body: FlagUpdate, repo: RepoDep, admin: AdminDep) -> Flag:
    current = repo.get(environment, key)
    if current is None:
        raise HTTPException(status_code=404, detail=f"flag {key!r} not found in {environment}")
    data = body.model_dump(exclude={"expected_version"})
    updated = Flag(
        **data,
        key=key,
        environment=environment,
        version=body.expected_version + 1,
        updated_at=datetime.now(timezone.utc),
        updated_by=admin,
    )
    repo.put(updated, expected_version=body.expected_version)
    return updated


@app.delete("/v1/environments/{environment}/flags/{key}", status_code=204)
def delete_flag(environment: EnvDep, key: str, repo: RepoDep, admin: AdminDep) -> Response:
    if not repo.delete(environment, key):
        raise HTTPException(status_code=404, detail=f"flag {key!r} not found in {environment}")
    logger.info("flag deleted key=%s env=%s by=%s", key, environment, admin)
    return Response(status_code=204)


@app.post("/v1/environments/{environment}/flags/{key}/evaluate", response_model=EvaluationResult)
def evaluate_flag(environment: EnvDep, key: str, ctx: EvaluationContext, repo: RepoDep) -> EvaluationResult:
    flag = next((f for f in repo.list(environment) if f.key == key), None)
    if flag is None:
        return EvaluationResult(flag=key, variant="", value=None, reason="not_found")
    return evaluate(flag, ctx)


@app.post("/v1/environments/{environment}/evaluate", response_model=dict[str, EvaluationResult])
def evaluate_all(environment: EnvDep, body: BulkEvaluationRequest, repo: RepoDep) -> dict[str, EvaluationResult]:
    flags = repo.list(environment)
    wanted = set(body.flags) if body.flags is not None else None
    results = {f.key: evaluate(f, body.context) for f in flags if wanted is None or f.key in wanted}
    if wanted:
        for missing in wanted - results.keys():
            results[missing] = EvaluationResult(flag=missing, variant="", value=None, reason="not_found")
    return results


@app.post("/v1/environments/{source}/promote/{target}", response_model=list[str])
def promote(
    source: str,
    target: str,
    repo: RepoDep,
    admin: AdminDep,
    settings: Annotated[Settings, Depends(get_settings)],
    keys: Annotated[list[str] | None, Query()] = None,
) -> list[str]:
    """Copy flag definitions from one environment to the next (e.g. staging -> production)."""
    envs = settings.environments
    if source not in envs or target not in envs:
        raise HTTPException(status_code=404, detail="unknown environment")
    if envs.index(target) != envs.index(source) + 1:
        raise HTTPException(status_code=422, detail=f"can only promote {source} to the next environment")
    promoted: list[str] = []
    for flag in repo.list(source, use_cache=False):
        if keys and flag.key not in keys:
            continue
        existing = repo.get(target, flag.key)
        copy = flag.model_copy(
            update={
                "environment": target,
                "version": (existing.version + 1) if existing else 1,
                "updated_at": datetime.now(timezone.utc),
                "updated_by": admin,
            }
        )
        repo.put(copy, expected_version=existing.version if existing else None)
        promoted.append(flag.key)
    return promoted
