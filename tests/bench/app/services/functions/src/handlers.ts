/**
 * Lambda handlers for the document-ingest pipeline.
 *
 *   uploadNotification  — S3 ObjectCreated -> validate, index metadata in DynamoDB, enqueue for processing
 *   processDocument     — SQS batch consumer -> fetch object, extract summary, write result, report partial failures
 *   getDocument         — API Gateway (HTTP API v2) -> read metadata + presigned download URL
 *   purgeExpired        — EventBridge schedule -> delete documents past their retention date
 *
 * All AWS clients are created once per container and reused across invocations.
 */
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  Context,
  S3Event,
  S3EventRecord,
  ScheduledEvent,
  SQSBatchItemFailure,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from "aws-lambda";
import {
  AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

// ---- environment ---------------------------------------------------------

const REGION = process.env.AWS_REGION || "us-east-1";
const TABLE_NAME = requireEnv("DOCUMENTS_TABLE");
const RESULTS_BUCKET = requireEnv("RESULTS_BUCKET");
const PROCESSING_QUEUE_URL = requireEnv("PROCESSING_QUEUE_URL");
const DLQ_URL = process.env.DEAD_LETTER_QUEUE_URL;
const MAX_OBJECT_BYTES = Number(process.env.MAX_OBJECT_BYTES ?? 25 * 1024 * 1024);
const RETENTION_DAYS = Number(process.env.RETENTION_DAYS ?? 90);
const URL_TTL_SECONDS = Number(process.env.DOWNLOAD_URL_TTL ?? 900);

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    // Fail at cold start rather than on the first request.
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
}

// ---- clients -------------------------------------------------------------

export const ddb = new DynamoDBClient({ region: REGION, maxAttempts: 5 });
export const s3 = new S3Client({ region: REGION });
export const sqs = new SQSClient({ region: REGION });

// ---- types ---------------------------------------------------------------

export type DocumentStatus = "received" | "queued" | "processing" | "processed" | "rejected" | "failed";

export interface DocumentRecord {
  documentId: string;
  tenantId: string;
  bucket: string;
  key: string;
  sizeBytes: number;
  contentType: string;
  etag: string;
  status: DocumentStatus;
  receivedAt: string;
  processedAt?: string;
  resultKey?: string;
  rejectionReason?: string;
  attempts: number;
  expiresAt: number; // epoch seconds, also used as the DynamoDB TTL attribute
}

export interface ProcessingMessage {
  documentId: string;
  tenantId: string;
  bucket: string;
  key: string;
  attempt: number;
}

export interface DocumentSummary {
  documentId: string;
  lineCount: number;
  wordCount: number;
  characterCount: number;
  topTerms: Array<{ term: string; count: number }>;
  language: "en" | "de" | "fr" | "unknown";
  generatedAt: string;
}

const ACCEPTED_CONTENT_TYPES = new Set([
  "text/plain",
  "text/markdown",
  "text/csv",
  "application/json",
]);

// ---- logging -------------------------------------------------------------

type LogLevel = "debug" | "info" | "warn" | "error";

function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  const entry = { level, message, timestamp: new Date().toISOString(), ...fields };
  const line = JSON.stringify(entry, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message } : v));
  if (level === "error" || level === "warn") {
    console.error(line);
  } else {
    console.log(line);
  }
}

// ---- retry helper --------------------------------------------------------

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  isRetryable?: (err: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
}

const RETRYABLE_ERROR_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "SlowDown",
  "TimeoutError",
]);

export function defaultIsRetryable(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const e = err as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable) return true;
  if (e.name && RETRYABLE_ERROR_NAMES.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && (status === 429 || status >= 500);
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: Partial<RetryOptions> = {}): Promise<T> {
  const options: RetryOptions = {
    attempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 3_000,
    isRetryable: defaultIsRetryable,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ...opts,
  };
  let lastError: unknown;
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      lastError = err;
      const retryable = options.isRetryable?.(err) ?? false;
      if (!retryable || attempt === options.attempts) break;
      // Full jitter backoff.
      const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.floor(Math.random() * cap);
      log("warn", "retrying after transient error", { attempt, delay, error: err });
      await options.sleep!(delay);
    }
  }
  throw lastError;
}

// ---- persistence helpers -------------------------------------------------

function documentKey(documentId: string): Record<string, AttributeValue> {
  return marshall({ pk: `DOC#${documentId}`, sk: "META" });
}

export async function saveDocument(doc: DocumentRecord): Promise<boolean> {
  try {
    await withRetry(() =>
      ddb.send(
        new PutItemCommand({
          TableName: TABLE_NAME,
          Item: marshall(
            {
              pk: `DOC#${doc.documentId}`,
              sk: "META",
              gsi1pk: `TENANT#${doc.tenantId}`,
              gsi1sk: doc.receivedAt,
              ...doc,
            },
            { removeUndefinedValues: true },
          ),
          ConditionExpression: "attribute_not_exists(pk) OR etag <> :etag",
          ExpressionAttributeValues: marshall({ ":etag": doc.etag }),
        }),
      ),
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) {
      // Same object delivered twice (S3 notifications are at-least-once).
      log("info", "duplicate upload notification ignored", { documentId: doc.documentId });
      return false;
    }
    throw err;
  }
}

export async function loadDocument(documentId: string): Promise<DocumentRecord | undefined> {
  const res = await withRetry(() =>
    ddb.send(new GetItemCommand({ TableName: TABLE_NAME, Key: documentKey(documentId), ConsistentRead: true })),
  );
  if (!res.Item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, ...rest } = unmarshall(res.Item);
  return rest as DocumentRecord;
}

async function setStatus(
  documentId: string,
  status: DocumentStatus,
  extra: Partial<Pick<DocumentRecord, "processedAt" | "resultKey" | "rejectionReason">> = {},
): Promise<void> {
  const names: Record<string, string> = { "#status": "status" };
  const values: Record<string, unknown> = { ":status": status, ":one": 1 };
  const sets = ["#status = :status"];
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) continue;
    names[`#${k}`] = k;
    values[`:${k}`] = v;
    sets.push(`#${k} = :${k}`);
  }
  await withRetry(() =>
    ddb.send(
      new UpdateItemCommand({
        TableName: TABLE_NAME,
        Key: documentKey(documentId),
        UpdateExpression: `SET ${sets.join(", ")} ADD attempts :one`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: marshall(values),
      }),
    ),
  );
}

// ---- S3 helpers ----------------------------------------------------------

export function decodeS3Key(rawKey: string): string {
  // S3 event keys are URL-encoded with '+' for spaces.
  return decodeURIComponent(rawKey.replace(/\+/g, " "));
}

export function parseObjectKey(key: string): { tenantId: string; documentId: string } | undefined {
  // Expected layout: uploads/<tenantId>/<documentId>/<filename>
  const match = /^uploads\/([a-z0-9-]{3,40})\/([A-Za-z0-9_-]{8,64})\/[^/]+$/.exec(key);
  if (!match) return undefined;
  return { tenantId: match[1], documentId: match[2] };
}

async function readObjectText(bucket: string, key: string): Promise<string> {
  const res = await withRetry(() => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
  if (!res.Body) throw new Error(`Empty body for s3://${bucket}/${key}`);
  return res.Body.transformToString("utf-8");
}

// ---- summarisation -------------------------------------------------------

const STOP_WORDS: Record<DocumentSummary["language"], Set<string>> = {
  en: new Set(["the", "and", "a", "of", "to", "in", "is", "it", "for", "on", "that", "with", "as", "was"]),
  de: new Set(["der", "die", "das", "und", "ist", "nicht", "mit", "ein", "eine", "zu", "den", "von"]),
  fr: new Set(["le", "la", "les", "et", "un", "une", "des", "est", "pas", "pour", "dans", "que", "du"]),
  unknown: new Set(),
};

export function detectLanguage(words: string[]): DocumentSummary["language"] {
  const scores: Record<"en" | "de" | "fr", number> = { en: 0, de: 0, fr: 0 };
  for (const w of words.slice(0, 2_000)) {
    for (const lang of ["en", "de", "fr"] as const) {
      if (STOP_WORDS[lang].has(w)) scores[lang]++;
    }
  }
  const [best, score] = Object.entries(scores).sort((a, b) => b[1] - a[1])[0];
  return score >= 3 ? (best as DocumentSummary["language"]) : "unknown";
}

export function summarise(documentId: string, text: string, now: Date = new Date()): DocumentSummary {
  const lines = text.split(/\r?\n/);
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}']+/u)
    .filter((w) => w.length > 0);
  const language = detectLanguage(words);
  const counts = new Map<string, number>();
  for (const w of words) {
    if (w.length < 3 || STOP_WORDS[language].has(w)) continue;
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const topTerms = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 10)
    .map(([term, count]) => ({ term, count }));
  return {
    documentId,
    lineCount: text.length === 0 ? 0 : lines.length,
    wordCount: words.length,
    characterCount: text.length,
    topTerms,
    language,
    generatedAt: now.toISOString(),
  };
}

// ---- handler: S3 upload notification ------------------------------------

export async function uploadNotification(event: S3Event, context: Context): Promise<{ accepted: number; rejected: number }> {
  let accepted = 0;
  let rejected = 0;
  const toEnqueue: ProcessingMessage[] = [];

  for (const record of event.Records) {
    const outcome = await handleUploadRecord(record, context.awsRequestId);
    if (outcome.kind === "accepted") {
      accepted++;
      toEnqueue.push(outcome.message);
    } else if (outcome.kind === "rejected") {
      rejected++;
    }
  }

  // SendMessageBatch accepts at most 10 entries per call.
  for (let i = 0; i < toEnqueue.length; i += 10) {
    const chunk = toEnqueue.slice(i, i + 10);
    const res = await withRetry(() =>
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: PROCESSING_QUEUE_URL,
          Entries: chunk.map((m, idx) => ({
            Id: `${i + idx}`,
            MessageBody: JSON.stringify(m),
            MessageGroupId: m.tenantId,
            MessageDeduplicationId: `${m.documentId}-${m.attempt}`,
          })),
        }),
      ),
    );
    if (res.Failed && res.Failed.length > 0) {
      log("error", "some messages failed to enqueue", { failed: res.Failed });
      throw new Error(`Failed to enqueue ${res.Failed.length} message(s)`);
    }
    await Promise.all(chunk.map((m) => setStatus(m.documentId, "queued")));
  }

  log("info", "upload notifications handled", { accepted, rejected, requestId: context.awsRequestId });
  return { accepted, rejected };
}

type UploadOutcome =
  | { kind: "accepted"; message: ProcessingMessage }
  | { kind: "rejected"; reason: string }
  | { kind: "duplicate" };

async function handleUploadRecord(record: S3EventRecord, requestId: string): Promise<UploadOutcome> {
  const bucket = record.s3.bucket.name;
  const key = decodeS3Key(record.s3.object.key);
  const ids = parseObjectKey(key);
  if (!ids) {
    log("warn", "object key does not match upload layout", { bucket, key, requestId });
    return { kind: "rejected", reason: "bad_key" };
  }

  const head = await withRetry(() => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
  const contentType = (head.ContentType ?? "application/octet-stream").split(";")[0].trim();
  const size = head.ContentLength ?? record.s3.object.size;
  const now = new Date();

  const doc: DocumentRecord = {
    documentId: ids.documentId,
    tenantId: ids.tenantId,
    bucket,
    key,
    sizeBytes: size,
    contentType,
    etag: (head.ETag ?? record.s3.object.eTag ?? "").replace(/"/g, ""),
    status: "received",
    receivedAt: now.toISOString(),
    attempts: 0,
    expiresAt: Math.floor(now.getTime() / 1000) + RETENTION_DAYS * 86_400,
  };

  let rejectionReason: string | undefined;
  if (!ACCEPTED_CONTENT_TYPES.has(contentType)) {
    rejectionReason = `unsupported content type ${contentType}`;
  } else if (size > MAX_OBJECT_BYTES) {
    rejectionReason = `object too large (${size} > ${MAX_OBJECT_BYTES} bytes)`;
  } else if (size === 0) {
    rejectionReason = "object is empty";
  }

  if (rejectionReason) {
    await saveDocument({ ...doc, status: "rejected", rejectionReason });
    log("info", "document rejected", { documentId: doc.documentId, rejectionReason });
    return { kind: "rejected", reason: rejectionReason };
  }

  const inserted = await saveDocument(doc);
  if (!inserted) return { kind: "duplicate" };
  return {
    kind: "accepted",
    message: { documentId: doc.documentId, tenantId: doc.tenantId, bucket, key, attempt: 1 },
  };
}

// ---- handler: SQS processing consumer -----------------------------------

export async function processDocument(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchItemFailure[] = [];

  for (const record of event.Records) {
    const remainingMs = context.getRemainingTimeInMillis();
    if (remainingMs < 5_000) {
      // Not enough time left: hand the rest back to SQS rather than timing out mid-write.
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      await processRecord(record);
    } catch (err) {
      log("error", "failed to process message", { messageId: record.messageId, error: err });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }

  return { batchItemFailures };
}

export function parseProcessingMessage(body: string): ProcessingMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new PermanentError("message body is not valid JSON");
  }
  const m = parsed as Partial<ProcessingMessage>;
  if (!m || typeof m.documentId !== "string" || typeof m.bucket !== "string" || typeof m.key !== "string") {
    throw new PermanentError("message body is missing required fields");
  }
  return {
    documentId: m.documentId,
    tenantId: String(m.tenantId ?? "unknown"),
    bucket: m.bucket,
    key: m.key,
    attempt: Number(m.attempt ?? 1),
  };
}

export class PermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentError";
  }
}

async function processRecord(record: SQSRecord): Promise<void> {
  let message: ProcessingMessage;
  try {
    message = parseProcessingMessage(record.body);
  } catch (err) {
    if (err instanceof PermanentError && DLQ_URL) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: DLQ_URL,
          MessageBody: JSON.stringify({ reason: err.message, original: record.body, messageId: record.messageId }),
        }),
      );
      return; // poison message parked, do not retry
    }
    throw err;
  }

  const doc = await loadDocument(message.documentId);
  if (!doc) throw new PermanentError(`document ${message.documentId} not found`);
  if (doc.status === "processed") {
    log("info", "document already processed, skipping", { documentId: doc.documentId });
    return;
  }

  await setStatus(doc.documentId, "processing");
  const text = await readObjectText(message.bucket, message.key);
  const summary = summarise(doc.documentId, text);
  const resultKey = `results/${doc.tenantId}/${doc.documentId}/summary.json`;

  await withRetry(() =>
    s3.send(
      new PutObjectCommand({
        Bucket: RESULTS_BUCKET,
        Key: resultKey,
        Body: JSON.stringify(summary, null, 2),
        ContentType: "application/json",
        ServerSideEncryption: "aws:kms",
        Metadata: { "document-id": doc.documentId, "tenant-id": doc.tenantId },
      }),
    ),
  );
  await setStatus(doc.documentId, "processed", { processedAt: summary.generatedAt, resultKey });
  log("info", "document processed", { documentId: doc.documentId, words: summary.wordCount });
}

// ---- handler: API Gateway read ------------------------------------------

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResultV2 {
  return {
    statusCode,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}

export async function getDocument(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const documentId = event.pathParameters?.documentId;
  if (!documentId || !/^[A-Za-z0-9_-]{8,64}$/.test(documentId)) {
    return json(400, { error: "invalid_document_id" });
  }
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, string> } } }).authorizer?.jwt
    ?.claims;
  const tenantId = claims?.["custom:tenant_id"];
  if (!tenantId) return json(401, { error: "unauthenticated" });

  const doc = await loadDocument(documentId);
  if (!doc || doc.tenantId !== tenantId) {
    return json(404, { error: "not_found" });
  }

  let downloadUrl: string | undefined;
  if (doc.status === "processed" && doc.resultKey) {
    downloadUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: RESULTS_BUCKET, Key: doc.resultKey }), {
      expiresIn: URL_TTL_SECONDS,
    });
  }

  return json(200, {
    documentId: doc.documentId,
    status: doc.status,
    contentType: doc.contentType,
    sizeBytes: doc.sizeBytes,
    receivedAt: doc.receivedAt,
    processedAt: doc.processedAt ?? null,
    rejectionReason: doc.rejectionReason ?? null,
    downloadUrl: downloadUrl ?? null,
  });
}

// ---- handler: scheduled purge -------------------------------------------

export async function purgeExpired(event: ScheduledEvent, context: Context): Promise<{ deleted: number }> {
  const tenants: string[] = (event.detail as { tenants?: string[] })?.tenants ?? [];
  const nowSeconds = Math.floor(new Date(event.time).getTime() / 1000);
  let deleted = 0;

  for (const tenantId of tenants) {
    let exclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await withRetry(() =>
        ddb.send(
          new QueryCommand({
            TableName: TABLE_NAME,
            IndexName: "byTenant",
            KeyConditionExpression: "gsi1pk = :t",
            FilterExpression: "expiresAt < :now",
            ExpressionAttributeValues: marshall({ ":t": `TENANT#${tenantId}`, ":now": nowSeconds }),
            ExclusiveStartKey: exclusiveStartKey,
            Limit: 100,
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const doc = unmarshall(item) as DocumentRecord;
        await withRetry(() => s3.send(new DeleteObjectCommand({ Bucket: doc.bucket, Key: doc.key })));
        if (doc.resultKey) {
          await withRetry(() => s3.send(new DeleteObjectCommand({ Bucket: RESULTS_BUCKET, Key: doc.resultKey })));
        }
        await withRetry(() =>
          ddb.send(new DeleteItemCommand({ TableName: TABLE_NAME, Key: documentKey(doc.documentId) })),
        );
        deleted++;
      }
      exclusiveStartKey = page.LastEvaluatedKey;
      if (context.getRemainingTimeInMillis() < 10_000) {
        log("warn", "stopping purge early, will resume on next schedule", { tenantId, deleted });
        return { deleted };
      }
    } while (exclusiveStartKey);
  }

  log("info", "purge complete", { deleted, tenants: tenants.length, region: REGION });
  return { deleted };
}
