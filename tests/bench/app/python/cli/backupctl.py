#!/usr/bin/env python3
"""backupctl — manage PostgreSQL logical backups stored in S3.

Subcommands::

    backupctl create  --database orders            # pg_dump | gzip | upload
    backupctl list    --database orders --limit 20
    backupctl verify  s3://bucket/key              # download, check sha256 + gzip integrity
    backupctl restore s3://bucket/key --target-db orders_restore
    backupctl prune   --database orders --keep-daily 7 --keep-weekly 4 --keep-monthly 12 [--dry-run]

Configuration comes from flags, then environment variables
(``BACKUP_BUCKET``, ``BACKUP_PREFIX``, ``AWS_REGION``, ``PGHOST`` ...).
Exit codes: 0 ok, 1 operational failure, 2 usage error, 3 verification failed.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator, Sequence
from urllib.parse import urlparse

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

LOG = logging.getLogger("backupctl")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_VERIFY_FAILED = 3

KEY_TIME_FORMAT = "%Y%m%dT%H%M%SZ"
TRANSFER = TransferConfig(multipart_threshold=64 * 1024 * 1024, multipart_chunksize=64 * 1024 * 1024, max_concurrency=8)


# ---------------------------------------------------------------------------
# logging
# ---------------------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("database", "key", "bytes", "duration_s"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload)


def configure_logging(verbosity: int, quiet: bool, json_logs: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbosity >= 2 else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    if json_logs:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # botocore is chatty at DEBUG; only let it through at -vvv.
    logging.getLogger("botocore").setLevel(logging.DEBUG if verbosity >= 3 else logging.WARNING)
    logging.getLogger("boto3").setLevel(logging.DEBUG if verbosity >= 3 else logging.WARNING)
    logging.getLogger("s3transfer").setLevel(logging.WARNING)


# ---------------------------------------------------------------------------
# model
# ---------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Backup:
    taken_at: datetime
    database: str
    bucket: str
    key: str
    size: int
    sha256: str | None = None

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @classmethod
    def from_key(cls, bucket: str, key: str, size: int, sha256: str | None = None) -> "Backup | None":
        # <prefix>/<database>/<YYYYmmddTHHMMSSZ>.sql.gz
        parts = key.rsplit("/", 2)
        if len(parts) < 2 or not parts[-1].endswith(".sql.gz"):
            return None
        stamp = parts[-1].removesuffix(".sql.gz")
        try:
            taken = datetime.strptime(stamp, KEY_TIME_FORMAT).replace(tzinfo=timezone.utc)
        except ValueError:
            return None
        return cls(taken, parts[-2], bucket, key, size, sha256)


def parse_s3_uri(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc or not parsed.path.strip("/"):
        raise argparse.ArgumentTypeError(f"expected s3://bucket/key, got {uri!r}")
    return parsed.netloc, parsed.path.lstrip("/")


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} TiB"


# ---------------------------------------------------------------------------
# S3 access
# ---------------------------------------------------------------------------


class Store:
    def __init__(self, bucket: str, prefix: str, region: str, profile: str | None = None) -> None:
        session = boto3.Session(profile_name=profile, region_name=region)
        self.s3 = session.client("s3")
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    def key_for(self, database: str, when: datetime) -> str:
        return f"{self.prefix}/{database}/{when.strftime(KEY_TIME_FORMAT)}.sql.gz"

    def list(self, database: str) -> list[Backup]:
        paginator = self.s3.get_paginator("list_objects_v2")
        backups: list[Backup] = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}/{database}/"):
            for obj in page.get("Contents", []):
                b = Backup.from_key(self.bucket, obj["Key"], obj["Size"])
                if b is not None:
                    backups.append(b)
        return sorted(backups, reverse=True)

    def upload(self, path: Path, key: str, sha256: str, database: str) -> None:
        self.s3.upload_file(
            str(path),
            self.bucket,
            key,
            ExtraArgs={
                "ContentType": "application/gzip",
                "ServerSideEncryption": "aws:kms",
                "StorageClass": "STANDARD_IA",
                "Metadata": {"sha256": sha256, "database": database, "tool": "backupctl"},
            },
            Config=TRANSFER,
        )

    def head_sha256(self, bucket: str, key: str) -> str | None:
        res = self.s3.head_object(Bucket=bucket, Key=key)
        return res.get("Metadata", {}).get("sha256")

    def download(self, bucket: str, key: str, dest: Path) -> None:
        self.s3.download_file(bucket, key, str(dest), Config=TRANSFER)

    def delete(self, backups: Sequence[Backup]) -> int:
        deleted = 0
        for i in range(0, len(backups), 1000):
            chunk = backups[i : i + 1000]
            res = self.s3.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": b.key} for b in chunk], "Quiet": True},
            )
            for err in res.get("Errors", []):
                LOG.error("failed to delete %s: %s", err.get("Key"), err.get("Message"))
            deleted += len(chunk) - len(res.get("Errors", []))
        return deleted


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def sha256_file(path: Path, chunk: int = 1024 * 1024) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def check_gzip(path: Path) -> int:
    """Decompress fully to detect truncation; returns the uncompressed size."""
    total = 0
    with gzip.open(path, "rb") as fh:
        while block := fh.read(1024 * 1024):
            total += len(block)
    return total


def require_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found on PATH")
    return found


def pg_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    for flag, var in (("pg_host", "PGHOST"), ("pg_port", "PGPORT"), ("pg_user", "PGUSER")):
        value = getattr(args, flag, None)
        if value:
            env[var] = str(value)
    return env


# ---------------------------------------------------------------------------
# retention
# ---------------------------------------------------------------------------


def select_for_retention(
    backups: Iterable[Backup],
    keep_daily: int,
    keep_weekly: int,
    keep_monthly: int,
    keep_min: int = 1,
) -> tuple[list[Backup], list[Backup]]:
    """Grandfather-father-son selection. Returns (keep, delete), newest first."""
    ordered = sorted(backups, reverse=True)
    keep: set[Backup] = set(ordered[:keep_min])
    seen_days: set[str] = set()
    seen_weeks: set[str] = set()
    seen_months: set[str] = set()
    for b in ordered:
        day = b.taken_at.strftime("%Y-%m-%d")
        iso_year, iso_week, _ = b.taken_at.isocalendar()
        week = f"{iso_year}-W{iso_week:02d}"
        month = b.taken_at.strftime("%Y-%m")
        if day not in seen_days and len(seen_days) < keep_daily:
            seen_days.add(day)
            keep.add(b)
        if week not in seen_weeks and len(seen_weeks) < keep_weekly:
            seen_weeks.add(week)
            keep.add(b)
        if month not in seen_months and len(seen_months) < keep_monthly:
            seen_months.add(month)
            keep.add(b)
    return [b for b in ordered if b in keep], [b for b in ordered if b not in keep]


# ---------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------


def cmd_create(args: argparse.Namespace, store: Store) -> int:
    pg_dump = require_tool("pg_dump")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    key = store.key_for(args.database, now)
    started = time.monotonic()

    with tempfile.TemporaryDirectory(prefix="backupctl-") as tmp:
        out = Path(tmp) / "dump.sql.gz"
        cmd = [pg_dump, "--format=plain", "--no-owner", "--no-privileges", f"--dbname={args.database}"]
        for table in args.exclude_table or []:
            cmd.append(f"--exclude-table-data={table}")
        LOG.info("dumping %s", args.database, extra={"database": args.database})
        LOG.debug("running %s", " ".join(cmd))
        with gzip.open(out, "wb", compresslevel=args.compress_level) as gz:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=pg_env(args))
            assert proc.stdout is not None
            shutil.copyfileobj(proc.stdout, gz, length=1024 * 1024)
            _, stderr = proc.communicate()
        if proc.returncode != 0:
            LOG.error("pg_dump failed (exit %d): %s", proc.returncode, stderr.decode(errors="replace").strip())
            return EXIT_FAILURE

        size = out.stat().st_size
        digest = sha256_file(out)
        if args.dry_run:
            LOG.info("dry run: would upload %s (%s) to s3://%s/%s", out, human_bytes(size), store.bucket, key)
            return EXIT_OK
        store.upload(out, key, digest, args.database)

    duration = round(time.monotonic() - started, 1)
    LOG.info(
        "uploaded s3://%s/%s (%s) in %.1fs",
        store.bucket,
        key,
        human_bytes(size),
        duration,
        extra={"database": args.database, "key": key, "bytes": size, "duration_s": duration},
    )
    if args.output == "json":
        print(json.dumps({"uri": f"s3://{store.bucket}/{key}", "bytes": size, "sha256": digest}))
    else:
        print(f"s3://{store.bucket}/{key}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace, store: Store) -> int:
    backups = store.list(args.database)[: args.limit]
    if args.output == "json":
        print(
            json.dumps(
                [{"uri": b.uri, "taken_at": b.taken_at.isoformat(), "bytes": b.size} for b in backups],
                indent=2,
            )
        )
        return EXIT_OK
    if not backups:
        print(f"no backups found for {args.database} under s3://{store.bucket}/{store.prefix}/")
        return EXIT_OK
    now = datetime.now(timezone.utc)
    width = max(len(b.key) for b in backups)
    print(f"{'KEY':<{width}}  {'TAKEN (UTC)':<20}  {'AGE':>8}  {'SIZE':>10}")
    for b in backups:
        age = now - b.taken_at
        age_text = f"{age.days}d" if age.days else f"{age.seconds // 3600}h"
        print(f"{b.key:<{width}}  {b.taken_at:%Y-%m-%d %H:%M:%S}  {age_text:>8}  {human_bytes(b.size):>10}")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, store: Store) -> int:
    bucket, key = args.uri
    expected = store.head_sha256(bucket, key)
    with tempfile.TemporaryDirectory(prefix="backupctl-") as tmp:
        path = Path(tmp) / "backup.sql.gz"
        store.download(bucket, key, path)
        actual = sha256_file(path)
        if expected and actual != expected:
            LOG.error("checksum mismatch for %s: expected %s, got %s", key, expected, actual)
            return EXIT_VERIFY_FAILED
        if not expected:
            LOG.warning("object has no sha256 metadata; only checking gzip integrity")
        try:
            raw = check_gzip(path)
        except (OSError, EOFError) as exc:
            LOG.error("gzip stream is corrupt: %s", exc)
            return EXIT_VERIFY_FAILED
    LOG.info("verified s3://%s/%s (%s uncompressed)", bucket, key, human_bytes(raw))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, store: Store) -> int:
    psql = require_tool("psql")
    bucket, key = args.uri
    if args.target_db in ("postgres", "template0", "template1") and not args.force:
        LOG.error("refusing to restore into %s without --force", args.target_db)
        return EXIT_USAGE
    with tempfile.TemporaryDirectory(prefix="backupctl-") as tmp:
        path = Path(tmp) / "backup.sql.gz"
        store.download(bucket, key, path)
        if args.create_db:
            createdb = require_tool("createdb")
            subprocess.run([createdb, args.target_db], check=True, env=pg_env(args))
        LOG.info("restoring %s into %s", key, args.target_db)
        with gzip.open(path, "rb") as gz:
            proc = subprocess.Popen(
                [psql, "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={args.target_db}"],
                stdin=subprocess.PIPE,
                env=pg_env(args),
            )
            assert proc.stdin is not None
            try:
                shutil.copyfileobj(gz, proc.stdin, length=1024 * 1024)
            finally:
                proc.stdin.close()
            rc = proc.wait()
    if rc != 0:
        LOG.error("psql exited with %d", rc)
        return EXIT_FAILURE
    LOG.info("restore complete")
    return EXIT_OK


def cmd_prune(args: argparse.Namespace, store: Store) -> int:
    backups = store.list(args.database)
    keep, delete = select_for_retention(backups, args.keep_daily, args.keep_weekly, args.keep_monthly)
    cutoff = datetime.now(timezone.utc) - timedelta(hours=args.min_age_hours)
    delete = [b for b in delete if b.taken_at < cutoff]
    LOG.info("%d backups: keeping %d, deleting %d", len(backups), len(keep), len(delete))
    for b in delete:
        LOG.info("%s %s", "would delete" if args.dry_run else "deleting", b.uri)
    if args.dry_run or not delete:
        return EXIT_OK
    if not args.yes and sys.stdin.isatty():
        answer = input(f"Delete {len(delete)} backup(s)? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            LOG.warning("aborted")
            return EXIT_FAILURE
    deleted = store.delete(delete)
    return EXIT_OK if deleted == len(delete) else EXIT_FAILURE


# ---------------------------------------------------------------------------
# argument parsing
# ---------------------------------------------------------------------------


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backupctl",
        description="Manage PostgreSQL logical backups in S3.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Environment: BACKUP_BUCKET, BACKUP_PREFIX, AWS_REGION, AWS_PROFILE, PGHOST, PGPORT, PGUSER",
    )
    parser.add_argument("--bucket", default=os.environ.get("BACKUP_BUCKET"), help="S3 bucket (default: $BACKUP_BUCKET)")
    parser.add_argument("--prefix", default=os.environ.get("BACKUP_PREFIX", "pg"), help="key prefix (default: %(default)s)")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"), help="AWS region (default: %(default)s)")
    parser.add_argument("--profile", default=os.environ.get("AWS_PROFILE"), help="AWS named profile")
    parser.add_argument("-o", "--output", choices=("text", "json"), default="text")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="increase verbosity (-vvv includes botocore)")
    parser.add_argument("-q", "--quiet", action="store_true", help="only log warnings and errors")
    parser.add_argument("--json-logs", action="store_true", help="emit structured JSON logs on stderr")

    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    pg = argparse.ArgumentParser(add_help=False)
    pg.add_argument("--pg-host")
    pg.add_argument("--pg-port", type=int)
    pg.add_argument("--pg-user")

    p = sub.add_parser("create", parents=[pg], help="take a new backup")
    p.add_argument("--database", "-d", required=True)
    p.add_argument("--exclude-table", action="append", metavar="PATTERN", help="dump schema but not data (repeatable)")
    p.add_argument("--compress-level", type=int, choices=range(1, 10), default=6, metavar="1-9")
    p.add_argument("--dry-run", action="store_true")
    p.set_defaults(func=cmd_create)

    p = sub.add_parser("list", help="list backups, newest first")
    p.add_argument("--database", "-d", required=True)
    p.add_argument("--limit", type=positive_int, default=50)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("verify", help="check a backup's checksum and gzip integrity")
    p.add_argument("uri", type=parse_s3_uri)
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("restore", parents=[pg], help="restore a backup into a database")
    p.add_argument("uri", type=parse_s3_uri)
    p.add_argument("--target-db", required=True)
    p.add_argument("--create-db", action="store_true", help="run createdb first")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("prune", help="apply the retention policy")
    p.add_argument("--database", "-d", required=True)
    p.add_argument("--keep-daily", type=positive_int, default=7)
    p.add_argument("--keep-weekly", type=positive_int, default=4)
    p.add_argument("--keep-monthly", type=positive_int, default=12)
    p.add_argument("--min-age-hours", type=positive_int, default=24, help="never delete backups younger than this")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("-y", "--yes", action="store_true", help="do not prompt")
    p.set_defaults(func=cmd_prune)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose, args.quiet, args.json_logs)

    if not args.bucket and args.command not in ("verify", "restore"):
        parser.error("--bucket or $BACKUP_BUCKET is required")

    store = Store(args.bucket or "", args.prefix, args.region, args.profile)
    try:
        return args.func(args, store)
    except (ClientError, BotoCoreError) as exc:
        LOG.error("AWS error: %s", exc, exc_info=args.verbose >= 2)
        return EXIT_FAILURE
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        LOG.error("%s", exc)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        LOG.warning("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
