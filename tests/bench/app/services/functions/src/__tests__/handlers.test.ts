/**
 * Unit tests for the document-ingest Lambda handlers.
 *
 * AWS clients are replaced with aws-sdk-client-mock so that no network calls
 * are made; the handler module is loaded after the environment is prepared
 * because it validates configuration at import time.
 */
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2, Context, S3Event, ScheduledEvent, SQSEvent, SQSRecord } from "aws-lambda";

jest.mock("@aws-sdk/s3-request-presigner", () => ({
  getSignedUrl: jest.fn(async (_client: unknown, cmd: { input: { Bucket: string; Key: string } }) =>
    `https://${cmd.input.Bucket}.s3.us-east-1.amazonaws.com/${cmd.input.Key}?X-Amz-Signature=test`,
  ),
}));

const ENV = {
  AWS_REGION: "us-east-1",
  DOCUMENTS_TABLE: "documents-test",
  RESULTS_BUCKET: "doc-results-test",
  PROCESSING_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/doc-processing.fifo",
  DEAD_LETTER_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/doc-processing-dlq.fifo",
  RETENTION_DAYS: "30",
};

type Handlers = typeof import("../handlers");

const ddbMock = mockClient(DynamoDBClient);
const s3Mock = mockClient(S3Client);
const sqsMock = mockClient(SQSClient);

let handlers: Handlers;
const originalEnv = process.env;

beforeAll(() => {
  process.env = { ...originalEnv, ...ENV };
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    handlers = require("../handlers");
  });
});

afterAll(() => {
  process.env = originalEnv;
});

beforeEach(() => {
  ddbMock.reset();
  s3Mock.reset();
  sqsMock.reset();
  jest.spyOn(console, "log").mockImplementation(() => undefined);
  jest.spyOn(console, "error").mockImplementation(() => undefined);
  jest.spyOn(Math, "random").mockReturnValue(0);
});

afterEach(() => {
  jest.restoreAllMocks();
});

// ---- fixtures ------------------------------------------------------------

function fakeContext(remainingMs = 60_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: "doc-ingest-test",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:doc-ingest-test",
    memoryLimitInMB: "512",
    awsRequestId: "req-0001",
    logGroupName: "/aws/lambda/doc-ingest-test",
    logStreamName: "2024/05/01/[$LATEST]abcdef",
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function s3Event(keys: Array<{ key: string; size?: number }>, bucket = "doc-uploads-test"): S3Event {
  return {
    Records: keys.map(({ key, size = 1024 }) => ({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: "us-east-1",
      eventTime: "2024-05-01T12:00:00.000Z",
      eventName: "ObjectCreated:Put",
      userIdentity: { principalId: "AWS:EXAMPLE" },
      requestParameters: { sourceIPAddress: "10.0.0.1" },
      responseElements: { "x-amz-request-id": "r", "x-amz-id-2": "i" },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "uploads",
        bucket: { name: bucket, ownerIdentity: { principalId: "OWNER" }, arn: `arn:aws:s3:::${bucket}` },
        object: { key, size, eTag: "abc123", sequencer: "0055AED6DCD90281E5" },
      },
    })),
  };
}

function sqsRecord(body: unknown, messageId = "m-1"): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1714564800000",
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: "1714564800001",
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:doc-processing.fifo",
    awsRegion: "us-east-1",
  };
}

function storedDoc(overrides: Record<string, unknown> = {}) {
  return marshall(
    {
      pk: "DOC#doc_0001abcd",
      sk: "META",
      gsi1pk: "TENANT#acme",
      gsi1sk: "2024-05-01T12:00:00.000Z",
      documentId: "doc_0001abcd",
      tenantId: "acme",
      bucket: "doc-uploads-test",
      key: "uploads/acme/doc_0001abcd/report.txt",
      sizeBytes: 1024,
      contentType: "text/plain",
      etag: "abc123",
      status: "queued",
      receivedAt: "2024-05-01T12:00:00.000Z",
      attempts: 1,
      expiresAt: 1717156800,
      ...overrides,
    },
    { removeUndefinedValues: true },
  );
}

function bodyStream(text: string) {
  return { transformToString: async () => text } as unknown as never;
}

// ---- pure helpers ----------------------------------------------------------

describe("decodeS3Key / parseObjectKey", () => {
  it("decodes plus signs and percent escapes", () => {
    expect(handlers.decodeS3Key("uploads/acme/doc_0001abcd/my+report%282%29.txt")).toBe(
      "uploads/acme/doc_0001abcd/my report(2).txt",
    );
  });

  it.each([
    ["uploads/acme/doc_0001abcd/file.txt", { tenantId: "acme", documentId: "doc_0001abcd" }],
    ["uploads/tenant-42/ABCDEFGH12/notes.md", { tenantId: "tenant-42", documentId: "ABCDEFGH12" }],
  ])("parses %s", (key, expected) => {
    expect(handlers.parseObjectKey(key)).toEqual(expected);
  });

  it.each(["uploads/acme/short/file.txt", "other/acme/doc_0001abcd/file.txt", "uploads/acme/doc_0001abcd/"])(
    "rejects %s",
    (key) => {
      expect(handlers.parseObjectKey(key)).toBeUndefined();
    },
  );
});

describe("summarise", () => {
  const fixedNow = new Date("2024-05-01T00:00:00Z");

  it("counts lines, words and characters", () => {
    const s = handlers.summarise("d1", "alpha beta\ngamma delta epsilon\n", fixedNow);
    expect(s).toMatchObject({ documentId: "d1", lineCount: 3, wordCount: 5, characterCount: 31 });
    expect(s.generatedAt).toBe("2024-05-01T00:00:00.000Z");
  });

  it("handles empty input", () => {
    const s = handlers.summarise("d2", "", fixedNow);
    expect(s.lineCount).toBe(0);
    expect(s.wordCount).toBe(0);
    expect(s.topTerms).toEqual([]);
  });

  it("detects English and drops stop words from top terms", () => {
    const text = "The cat and the dog. The cat is on the mat with the dog and it was a cat.";
    const s = handlers.summarise("d3", text, fixedNow);
    expect(s.language).toBe("en");
    expect(s.topTerms[0]).toEqual({ term: "cat", count: 3 });
    expect(s.topTerms.map((t) => t.term)).not.toContain("the");
  });

  it("detects German", () => {
    expect(handlers.detectLanguage("der hund und die katze ist nicht mit dem ball".split(" "))).toBe("de");
  });

  it("returns unknown for short or ambiguous input", () => {
    expect(handlers.detectLanguage(["lorem", "ipsum"])).toBe("unknown");
  });
});

describe("withRetry", () => {
  const noSleep = () => Promise.resolve();

  it("returns on first success", async () => {
    const fn = jest.fn().mockResolvedValue("ok");
    await expect(handlers.withRetry(fn, { sleep: noSleep })).resolves.toBe("ok");
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("retries throttling errors and eventually succeeds", async () => {
    const throttle = Object.assign(new Error("slow down"), { name: "ThrottlingException" });
    const fn = jest.fn().mockRejectedValueOnce(throttle).mockRejectedValueOnce(throttle).mockResolvedValue(42);
    await expect(handlers.withRetry(fn, { sleep: noSleep })).resolves.toBe(42);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it("does not retry validation errors", async () => {
    const bad = Object.assign(new Error("bad"), { name: "ValidationException", $metadata: { httpStatusCode: 400 } });
    const fn = jest.fn().mockRejectedValue(bad);
    await expect(handlers.withRetry(fn, { sleep: noSleep })).rejects.toBe(bad);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("gives up after the configured number of attempts", async () => {
    const err = Object.assign(new Error("boom"), { $metadata: { httpStatusCode: 503 } });
    const fn = jest.fn().mockRejectedValue(err);
    const sleep = jest.fn(noSleep);
    await expect(handlers.withRetry(fn, { attempts: 3, sleep })).rejects.toBe(err);
    expect(fn).toHaveBeenCalledTimes(3);
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  it("classifies retryable errors", () => {
    expect(handlers.defaultIsRetryable({ $retryable: { throttling: true } })).toBe(true);
    expect(handlers.defaultIsRetryable({ $metadata: { httpStatusCode: 429 } })).toBe(true);
    expect(handlers.defaultIsRetryable({ $metadata: { httpStatusCode: 404 } })).toBe(false);
    expect(handlers.defaultIsRetryable("string error")).toBe(false);
  });
});

describe("parseProcessingMessage", () => {
  it("parses a well-formed message", () => {
    const msg = handlers.parseProcessingMessage(
      JSON.stringify({ documentId: "d", tenantId: "t", bucket: "b", key: "k", attempt: 2 }),
    );
    expect(msg).toEqual({ documentId: "d", tenantId: "t", bucket: "b", key: "k", attempt: 2 });
  });

  it("throws PermanentError for invalid JSON", () => {
    expect(() => handlers.parseProcessingMessage("{not json")).toThrow(handlers.PermanentError);
  });

  it("throws PermanentError for missing fields", () => {
    expect(() => handlers.parseProcessingMessage(JSON.stringify({ documentId: "d" }))).toThrow(
      /missing required fields/,
    );
  });
});

// ---- uploadNotification ---------------------------------------------------

describe("uploadNotification", () => {
  it("indexes accepted uploads and enqueues them in one batch", async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ContentType: "text/plain; charset=utf-8", ContentLength: 2048, ETag: '"e1"' });
    ddbMock.on(PutItemCommand).resolves({});
    ddbMock.on(UpdateItemCommand).resolves({});
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

    const event = s3Event([
      { key: "uploads/acme/doc_0001abcd/a.txt" },
      { key: "uploads/acme/doc_0002abcd/b.txt" },
    ]);
    const result = await handlers.uploadNotification(event, fakeContext());

    expect(result).toEqual({ accepted: 2, rejected: 0 });
    expect(ddbMock).toHaveReceivedCommandTimes(PutItemCommand, 2);
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageBatchCommand, 1);
    const batch = sqsMock.commandCalls(SendMessageBatchCommand)[0].args[0].input;
    expect(batch.QueueUrl).toBe(ENV.PROCESSING_QUEUE_URL);
    expect(batch.Entries).toHaveLength(2);
    expect(JSON.parse(batch.Entries![0].MessageBody!)).toMatchObject({
      documentId: "doc_0001abcd",
      tenantId: "acme",
      attempt: 1,
    });
    expect(ddbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 2);
  });

  it("splits more than ten uploads into multiple batches", async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ContentType: "text/csv", ContentLength: 10 });
    ddbMock.on(PutItemCommand).resolves({});
    ddbMock.on(UpdateItemCommand).resolves({});
    sqsMock.on(SendMessageBatchCommand).resolves({ Failed: [] });

    const keys = Array.from({ length: 23 }, (_, i) => ({ key: `uploads/acme/doc_${String(i).padStart(8, "0")}/f.csv` }));
    const result = await handlers.uploadNotification(s3Event(keys), fakeContext());

    expect(result.accepted).toBe(23);
    expect(sqsMock).toHaveReceivedCommandTimes(SendMessageBatchCommand, 3);
  });

  it("rejects unsupported content types and oversized objects", async () => {
    s3Mock
      .on(HeadObjectCommand, { Key: "uploads/acme/doc_0001abcd/image.png" })
      .resolves({ ContentType: "image/png", ContentLength: 100 })
      .on(HeadObjectCommand, { Key: "uploads/acme/doc_0002abcd/huge.txt" })
      .resolves({ ContentType: "text/plain", ContentLength: 100 * 1024 * 1024 });
    ddbMock.on(PutItemCommand).resolves({});

    const result = await handlers.uploadNotification(
      s3Event([{ key: "uploads/acme/doc_0001abcd/image.png" }, { key: "uploads/acme/doc_0002abcd/huge.txt" }]),
      fakeContext(),
    );

    expect(result).toEqual({ accepted: 0, rejected: 2 });
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageBatchCommand);
    const statuses = ddbMock.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item!.status.S);
    expect(statuses).toEqual(["rejected", "rejected"]);
  });

  it("rejects keys outside the upload layout without touching S3", async () => {
    const result = await handlers.uploadNotification(s3Event([{ key: "tmp/whatever.txt" }]), fakeContext());
    expect(result).toEqual({ accepted: 0, rejected: 1 });
    expect(s3Mock).not.toHaveReceivedCommand(HeadObjectCommand);
  });

  it("treats conditional check failures as duplicates", async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ContentType: "text/plain", ContentLength: 5 });
    ddbMock
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} }));

    const result = await handlers.uploadNotification(
      s3Event([{ key: "uploads/acme/doc_0001abcd/a.txt" }]),
      fakeContext(),
    );
    expect(result).toEqual({ accepted: 0, rejected: 0 });
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageBatchCommand);
  });

  it("throws when SQS reports failed entries so the notification is retried", async () => {
    s3Mock.on(HeadObjectCommand).resolves({ ContentType: "text/plain", ContentLength: 5 });
    ddbMock.on(PutItemCommand).resolves({});
    sqsMock.on(SendMessageBatchCommand).resolves({
      Failed: [{ Id: "0", SenderFault: false, Code: "InternalError", Message: "try again" }],
    });

    await expect(
      handlers.uploadNotification(s3Event([{ key: "uploads/acme/doc_0001abcd/a.txt" }]), fakeContext()),
    ).rejects.toThrow("Failed to enqueue 1 message(s)");
  });
});

// ---- processDocument --------------------------------------------------------

describe("processDocument", () => {
  const message = {
    documentId: "doc_0001abcd",
    tenantId: "acme",
    bucket: "doc-uploads-test",
    key: "uploads/acme/doc_0001abcd/report.txt",
    attempt: 1,
  };

  it("writes a summary to the results bucket and marks the document processed", async () => {
    ddbMock.on(GetItemCommand).resolves({ Item: storedDoc() });
    ddbMock.on(UpdateItemCommand).resolves({});
    s3Mock.on(GetObjectCommand).resolves({ Body: bodyStream("hello world\nhello again") });
    s3Mock.on(PutObjectCommand).resolves({});

    const event: SQSEvent = { Records: [sqsRecord(message)] };
    const res = await handlers.processDocument(event, fakeContext());

    expect(res.batchItemFailures).toEqual([]);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: ENV.RESULTS_BUCKET,
      Key: "results/acme/doc_0001abcd/summary.json",
      ContentType: "application/json",
    });
    const put = s3Mock.commandCalls(PutObjectCommand)[0].args[0].input;
    const summary = JSON.parse(String(put.Body));
    expect(summary.wordCount).toBe(4);
    expect(summary.topTerms[0]).toEqual({ term: "hello", count: 2 });

    const updates = ddbMock.commandCalls(UpdateItemCommand).map((c) => c.args[0].input.ExpressionAttributeValues![":status"].S);
    expect(updates).toEqual(["processing", "processed"]);
  });

  it("skips documents that were already processed", async () => {
    ddbMock.on(GetItemCommand).resolves({ Item: storedDoc({ status: "processed" }) });
    const res = await handlers.processDocument({ Records: [sqsRecord(message)] }, fakeContext());
    expect(res.batchItemFailures).toEqual([]);
    expect(s3Mock).not.toHaveReceivedCommand(GetObjectCommand);
  });

  it("parks poison messages on the DLQ instead of failing the batch", async () => {
    sqsMock.on(SendMessageCommand).resolves({ MessageId: "dlq-1" });
    const res = await handlers.processDocument({ Records: [sqsRecord("not json", "m-poison")] }, fakeContext());
    expect(res.batchItemFailures).toEqual([]);
    expect(sqsMock).toHaveReceivedCommandWith(SendMessageCommand, { QueueUrl: ENV.DEAD_LETTER_QUEUE_URL });
    const body = JSON.parse(sqsMock.commandCalls(SendMessageCommand)[0].args[0].input.MessageBody!);
    expect(body).toEqual({ reason: "message body is not valid JSON", original: "not json", messageId: "m-poison" });
  });

  it("reports only the failed records as batch item failures", async () => {
    ddbMock
      .on(GetItemCommand, { Key: marshall({ pk: "DOC#doc_0001abcd", sk: "META" }) })
      .resolves({ Item: storedDoc() })
      .on(GetItemCommand, { Key: marshall({ pk: "DOC#doc_0002abcd", sk: "META" }) })
      .resolves({ Item: storedDoc({ documentId: "doc_0002abcd", key: "uploads/acme/doc_0002abcd/x.txt" }) });
    ddbMock.on(UpdateItemCommand).resolves({});
    s3Mock
      .on(GetObjectCommand, { Key: message.key })
      .resolves({ Body: bodyStream("fine") })
      .on(GetObjectCommand, { Key: "uploads/acme/doc_0002abcd/x.txt" })
      .rejects(Object.assign(new Error("Access Denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } }));
    s3Mock.on(PutObjectCommand).resolves({});

    const event: SQSEvent = {
      Records: [
        sqsRecord(message, "ok-1"),
        sqsRecord({ ...message, documentId: "doc_0002abcd", key: "uploads/acme/doc_0002abcd/x.txt" }, "bad-1"),
      ],
    };
    const res = await handlers.processDocument(event, fakeContext());
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: "bad-1" }]);
  });

  it("returns unprocessed records when the invocation is about to time out", async () => {
    const res = await handlers.processDocument(
      { Records: [sqsRecord(message, "a"), sqsRecord(message, "b")] },
      fakeContext(1_000),
    );
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["a", "b"]);
    expect(ddbMock).not.toHaveReceivedCommand(GetItemCommand);
  });
});

// ---- getDocument ----------------------------------------------------------

describe("getDocument", () => {
  function apiEvent(documentId: string | undefined, tenantId?: string): APIGatewayProxyEventV2 {
    return {
      version: "2.0",
      routeKey: "GET /documents/{documentId}",
      rawPath: `/documents/${documentId ?? ""}`,
      rawQueryString: "",
      headers: {},
      pathParameters: documentId ? { documentId } : undefined,
      isBase64Encoded: false,
      requestContext: {
        accountId: "123456789012",
        apiId: "api",
        domainName: "api.example.com",
        domainPrefix: "api",
        requestId: "r",
        routeKey: "GET /documents/{documentId}",
        stage: "$default",
        time: "01/May/2024:12:00:00 +0000",
        timeEpoch: 1714564800000,
        http: { method: "GET", path: "/documents", protocol: "HTTP/1.1", sourceIp: "1.2.3.4", userAgent: "jest" },
        authorizer: tenantId ? { jwt: { claims: { "custom:tenant_id": tenantId }, scopes: [] } } : undefined,
      } as unknown as APIGatewayProxyEventV2["requestContext"],
    };
  }

  it("returns 400 for malformed ids", async () => {
    const res = (await handlers.getDocument(apiEvent("../etc", "acme"))) as { statusCode: number };
    expect(res.statusCode).toBe(400);
  });

  it("returns 401 without a tenant claim", async () => {
    const res = (await handlers.getDocument(apiEvent("doc_0001abcd"))) as { statusCode: number };
    expect(res.statusCode).toBe(401);
  });

  it("hides documents belonging to another tenant", async () => {
    ddbMock.on(GetItemCommand).resolves({ Item: storedDoc({ tenantId: "globex" }) });
    const res = (await handlers.getDocument(apiEvent("doc_0001abcd", "acme"))) as { statusCode: number };
    expect(res.statusCode).toBe(404);
  });

  it("includes a presigned download URL for processed documents", async () => {
    ddbMock.on(GetItemCommand).resolves({
      Item: storedDoc({ status: "processed", resultKey: "results/acme/doc_0001abcd/summary.json" }),
    });
    const res = (await handlers.getDocument(apiEvent("doc_0001abcd", "acme"))) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.status).toBe("processed");
    expect(body.downloadUrl).toBe(
      "https://doc-results-test.s3.us-east-1.amazonaws.com/results/acme/doc_0001abcd/summary.json?X-Amz-Signature=test",
    );
  });
});

// ---- purgeExpired -------------------------------------------------------------

describe("purgeExpired", () => {
  const scheduled = (tenants: string[]): ScheduledEvent => ({
    version: "0",
    id: "evt-1",
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "123456789012",
    time: "2024-07-01T00:00:00Z",
    region: "us-east-1",
    resources: ["arn:aws:events:us-east-1:123456789012:rule/purge-documents"],
    detail: { tenants },
  });

  it("deletes source objects, results and index rows across pages", async () => {
    ddbMock
      .on(QueryCommand)
      .resolvesOnce({
        Items: [storedDoc({ resultKey: "results/acme/doc_0001abcd/summary.json" })],
        LastEvaluatedKey: marshall({ pk: "DOC#doc_0001abcd", sk: "META" }),
      })
      .resolvesOnce({ Items: [storedDoc({ documentId: "doc_0002abcd", key: "uploads/acme/doc_0002abcd/b.txt" })] });
    ddbMock.on(DeleteItemCommand).resolves({});
    s3Mock.on(DeleteObjectCommand).resolves({});

    const res = await handlers.purgeExpired(scheduled(["acme"]), fakeContext());

    expect(res).toEqual({ deleted: 2 });
    expect(ddbMock).toHaveReceivedCommandTimes(QueryCommand, 2);
    expect(s3Mock).toHaveReceivedCommandTimes(DeleteObjectCommand, 3);
    expect(ddbMock).toHaveReceivedCommandTimes(DeleteItemCommand, 2);
  });

  it("does nothing when no tenants are configured", async () => {
    const res = await handlers.purgeExpired(scheduled([]), fakeContext());
    expect(res).toEqual({ deleted: 0 });
    expect(ddbMock).not.toHaveReceivedCommand(QueryCommand);
  });
});
