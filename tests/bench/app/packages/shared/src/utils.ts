/**
 * @acme/shared — small, dependency-free helpers used by the API, the workers
 * and the web app: dates, money, pagination, typed errors and a few
 * collection/string utilities.
 */

// ============================================================================
// Errors
// ============================================================================

export type ErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "UPSTREAM_FAILURE"
  | "INTERNAL";

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UPSTREAM_FAILURE: 502,
  INTERNAL: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: Record<string, unknown>;
  readonly cause?: unknown;

  constructor(code: ErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = STATUS_BY_CODE[code];
    this.details = options.details;
    this.cause = options.cause;
    Object.setPrototypeOf(this, new.target.prototype);
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }

  static isAppError(value: unknown): value is AppError {
    return value instanceof AppError;
  }
}

export class NotFoundError extends AppError {
  constructor(resource: string, id: string) {
    super("NOT_FOUND", `${resource} '${id}' was not found`, { details: { resource, id } });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("CONFLICT", message, { details });
  }
}

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super("RATE_LIMITED", `Too many requests, retry after ${retryAfterSeconds}s`, {
      details: { retryAfterSeconds },
    });
  }
}

/** Normalise anything thrown into an AppError without losing the original. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof Error) return new AppError("INTERNAL", err.message, { cause: err });
  return new AppError("INTERNAL", typeof err === "string" ? err : "Unknown error", { cause: err });
}

// ============================================================================
// Result type
// ============================================================================

export type Result<T, E = AppError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

export async function attempt<T>(fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return ok(await fn());
  } catch (e) {
    return err(toAppError(e));
  }
}

export function unwrap<T, E>(result: Result<T, E>): T {
  if (result.ok) return result.value;
  throw result.error;
}

// ============================================================================
// Dates
// ============================================================================

export const MS_PER_SECOND = 1_000;
export const MS_PER_MINUTE = 60 * MS_PER_SECOND;
export const MS_PER_HOUR = 60 * MS_PER_MINUTE;
export const MS_PER_DAY = 24 * MS_PER_HOUR;

export type DateInput = Date | string | number;

export function toDate(input: DateInput): Date {
  const d = input instanceof Date ? new Date(input.getTime()) : new Date(input);
  if (Number.isNaN(d.getTime())) {
    throw new AppError("BAD_REQUEST", `Invalid date: ${String(input)}`);
  }
  return d;
}

export function addDays(input: DateInput, days: number): Date {
  const d = toDate(input);
  d.setUTCDate(d.getUTCDate() + days);
  return d;
}

export function addMonths(input: DateInput, months: number): Date {
  const d = toDate(input);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  // Clamp to the last day of the target month (Jan 31 + 1 month -> Feb 28/29).
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

export function startOfDayUtc(input: DateInput): Date {
  const d = toDate(input);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

export function endOfDayUtc(input: DateInput): Date {
  return new Date(startOfDayUtc(input).getTime() + MS_PER_DAY - 1);
}

export function diffInDays(a: DateInput, b: DateInput): number {
  return Math.round((startOfDayUtc(a).getTime() - startOfDayUtc(b).getTime()) / MS_PER_DAY);
}

export function isWeekend(input: DateInput): boolean {
  const day = toDate(input).getUTCDay();
  return day === 0 || day === 6;
}

export function addBusinessDays(input: DateInput, days: number, holidays: ReadonlySet<string> = new Set()): Date {
  let d = toDate(input);
  const step = days >= 0 ? 1 : -1;
  let remaining = Math.abs(days);
  while (remaining > 0) {
    d = addDays(d, step);
    if (!isWeekend(d) && !holidays.has(formatIsoDate(d))) remaining--;
  }
  return d;
}

export function formatIsoDate(input: DateInput): string {
  return toDate(input).toISOString().slice(0, 10);
}

const RELATIVE_UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * MS_PER_DAY],
  ["month", 30 * MS_PER_DAY],
  ["week", 7 * MS_PER_DAY],
  ["day", MS_PER_DAY],
  ["hour", MS_PER_HOUR],
  ["minute", MS_PER_MINUTE],
  ["second", MS_PER_SECOND],
];

/** "3 hours ago", "in 2 days" — locale aware. */
export function formatRelative(input: DateInput, now: DateInput = new Date(), locale = "en-US"): string {
  const delta = toDate(input).getTime() - toDate(now).getTime();
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, ms] of RELATIVE_UNITS) {
    if (Math.abs(delta) >= ms || unit === "second") {
      return rtf.format(Math.round(delta / ms), unit);
    }
  }
  return rtf.format(0, "second");
}

/** Parses "90s", "15m", "2h", "7d" into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(text);
  if (!match) throw new AppError("BAD_REQUEST", `Invalid duration '${text}'`);
  const value = Number(match[1]);
  const unit = match[2].toLowerCase();
  const factor: Record<string, number> = {
    ms: 1,
    s: MS_PER_SECOND,
    m: MS_PER_MINUTE,
    h: MS_PER_HOUR,
    d: MS_PER_DAY,
    w: 7 * MS_PER_DAY,
  };
  return Math.round(value * factor[unit]);
}

export function formatDuration(ms: number): string {
  if (ms < MS_PER_SECOND) return `${ms}ms`;
  const parts: string[] = [];
  let rest = Math.floor(ms / MS_PER_SECOND);
  const units: Array<[string, number]> = [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ];
  for (const [label, size] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${label}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(" ");
}

// ============================================================================
// Money
// ============================================================================

/** Minor units per currency; anything not listed uses 2. */
const CURRENCY_EXPONENT: Record<string, number> = { JPY: 0, KRW: 0, CLP: 0, BHD: 3, KWD: 3, TND: 3 };

export interface Money {
  readonly amount: number; // integer, minor units
  readonly currency: string;
}

export function money(amount: number, currency: string): Money {
  if (!Number.isInteger(amount)) {
    throw new AppError("BAD_REQUEST", `Money amount must be an integer in minor units, got ${amount}`);
  }
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new AppError("BAD_REQUEST", `Invalid ISO-4217 currency code '${currency}'`);
  }
  return Object.freeze({ amount, currency });
}

export function exponentOf(currency: string): number {
  return CURRENCY_EXPONENT[currency] ?? 2;
}

export function fromDecimal(value: number | string, currency: string): Money {
  const exp = exponentOf(currency);
  const n = typeof value === "string" ? Number(value.replace(/[,_\s]/g, "")) : value;
  if (!Number.isFinite(n)) throw new AppError("BAD_REQUEST", `Invalid amount '${value}'`);
  return money(Math.round(n * 10 ** exp), currency);
}

export function toDecimal(m: Money): number {
  return m.amount / 10 ** exponentOf(m.currency);
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new AppError("BAD_REQUEST", `Currency mismatch: ${a.currency} vs ${b.currency}`);
  }
}

export function addMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

export function subtractMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.amount - b.amount, a.currency);
}

export function sumMoney(values: Money[], currency: string): Money {
  return values.reduce((acc, v) => addMoney(acc, v), money(0, currency));
}

/** Banker's rounding keeps aggregate tax calculations unbiased. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function multiplyMoney(m: Money, factor: number): Money {
  return money(roundHalfEven(m.amount * factor), m.currency);
}

/**
 * Splits an amount into `ratios.length` parts that sum exactly to the input,
 * distributing leftover minor units from the first part onwards.
 */
export function allocate(m: Money, ratios: number[]): Money[] {
  const total = ratios.reduce((a, b) => a + b, 0);
  if (total <= 0) throw new AppError("BAD_REQUEST", "Allocation ratios must sum to a positive number");
  const parts = ratios.map((r) => Math.floor((m.amount * r) / total));
  let remainder = m.amount - parts.reduce((a, b) => a + b, 0);
  for (let i = 0; remainder > 0; i = (i + 1) % parts.length) {
    parts[i]++;
    remainder--;
  }
  return parts.map((p) => money(p, m.currency));
}

export function formatMoney(m: Money, locale = "en-US"): string {
  const exp = exponentOf(m.currency);
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: m.currency,
    minimumFractionDigits: exp,
    maximumFractionDigits: exp,
  }).format(toDecimal(m));
}

export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  assertSameCurrency(a, b);
  return a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : 0;
}

// ============================================================================
// Pagination
// ============================================================================

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  hasMore: boolean;
}

export interface OffsetPage<T> {
  items: T[];
  page: number;
  pageSize: number;
  totalItems: number;
  totalPages: number;
}

export function encodeCursor(value: Record<string, string | number>): string {
  const json = JSON.stringify(value);
  return typeof Buffer !== "undefined"
    ? Buffer.from(json, "utf8").toString("base64url")
    : btoa(json).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor<T extends Record<string, string | number>>(cursor: string): T {
  try {
    const json =
      typeof Buffer !== "undefined"
        ? Buffer.from(cursor, "base64url").toString("utf8")
        : atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const parsed = JSON.parse(json);
    if (typeof parsed !== "object" || parsed === null) throw new Error("not an object");
    return parsed as T;
  } catch (e) {
    throw new AppError("BAD_REQUEST", "Malformed pagination cursor", { cause: e });
  }
}

export function normalisePageRequest(
  query: { limit?: string | number; cursor?: string },
  defaults = { limit: 25, max: 100 },
): PageRequest {
  const raw = query.limit === undefined ? defaults.limit : Number(query.limit);
  if (!Number.isInteger(raw) || raw < 1) {
    throw new AppError("BAD_REQUEST", `limit must be a positive integer`);
  }
  return { limit: Math.min(raw, defaults.max), cursor: query.cursor || undefined };
}

/** Keyset pagination over an in-memory, already-sorted array. */
export function paginateByKey<T>(items: T[], req: PageRequest, key: (item: T) => string | number): Page<T> {
  let start = 0;
  if (req.cursor) {
    const { k } = decodeCursor<{ k: string | number }>(req.cursor);
    const idx = items.findIndex((item) => key(item) === k);
    start = idx >= 0 ? idx + 1 : items.length;
  }
  const slice = items.slice(start, start + req.limit);
  const hasMore = start + req.limit < items.length;
  const last = slice[slice.length - 1];
  return {
    items: slice,
    hasMore,
    nextCursor: hasMore && last !== undefined ? encodeCursor({ k: key(last) }) : null,
  };
}

export function paginateByOffset<T>(items: T[], page: number, pageSize: number): OffsetPage<T> {
  const safeSize = Math.max(1, Math.min(pageSize, 500));
  const totalPages = Math.max(1, Math.ceil(items.length / safeSize));
  const safePage = Math.min(Math.max(1, page), totalPages);
  const start = (safePage - 1) * safeSize;
  return {
    items: items.slice(start, start + safeSize),
    page: safePage,
    pageSize: safeSize,
    totalItems: items.length,
    totalPages,
  };
}

/** Drains a cursor-based API into an async iterator of items. */
export async function* iteratePages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
  maxPages = Infinity,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await fetchPage(cursor);
    for (const item of page.items) yield item;
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor && pages < maxPages);
}

export function buildLinkHeader(baseUrl: string, params: Record<string, string | number | undefined>, nextCursor: string | null): string | undefined {
  if (!nextCursor) return undefined;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && k !== "cursor") qs.set(k, String(v));
  }
  qs.set("cursor", nextCursor);
  return `<${baseUrl}?${qs.toString()}>; rel="next"`;
}

// ============================================================================
// Collections & strings
// ============================================================================

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new RangeError("chunk size must be >= 1");
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function groupBy<T, K extends string | number>(items: readonly T[], key: (item: T) => K): Record<K, T[]> {
  return items.reduce(
    (acc, item) => {
      const k = key(item);
      (acc[k] ??= []).push(item);
      return acc;
    },
    {} as Record<K, T[]>,
  );
}

export function uniqueBy<T>(items: readonly T[], key: (item: T) => unknown): T[] {
  const seen = new Set<unknown>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (k in obj) out[k] = obj[k];
  return out;
}

export function omit<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Omit<T, K> {
  const out = { ...obj };
  for (const k of keys) delete out[k];
  return out as Omit<T, K>;
}

export function slugify(text: string, maxLength = 64): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, maxLength)
    .replace(/-+$/, "");
}

export function truncate(text: string, max: number, ellipsis = "…"): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - ellipsis.length))}${ellipsis}`;
}

export function maskEmail(email: string): string {
  const [local, domain] = email.split("@");
  if (!domain) return "***";
  const visible = local.slice(0, Math.min(2, local.length));
  return `${visible}${"*".repeat(Math.max(1, local.length - visible.length))}@${domain}`;
}

/** Stable stringify: sorted keys, used for cache keys and ETags. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}

// ============================================================================
// Async helpers
// ============================================================================

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function withTimeout<T>(promise: Promise<T>, ms: number, label = "operation"): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError("UPSTREAM_FAILURE", `${label} timed out after ${ms}ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Runs `fn` over `items` with at most `concurrency` in flight, preserving order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

export function memoize<A extends unknown[], R>(fn: (...args: A) => R, ttlMs = Infinity): (...args: A) => R {
  const cache = new Map<string, { value: R; expires: number }>();
  return (...args: A) => {
    const key = stableStringify(args);
    const hit = cache.get(key);
    const now = Date.now();
    if (hit && hit.expires > now) return hit.value;
    const value = fn(...args);
    cache.set(key, { value, expires: now + ttlMs });
    return value;
  };
}
