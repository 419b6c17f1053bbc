/**
 * Orders API — HTTP entry point.
 *
 * Exposes a small REST surface over the orders store: create, list, fetch,
 * update status, cancel, and a couple of operational endpoints (health,
 * readiness, build info). Validation is hand-rolled to keep the dependency
 * footprint small; see `validators` below.
 */
import express, { NextFunction, Request, Response, Router } from "express";
import { randomUUID } from "crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";

// ---- Configuration ----

interface AppConfig {
  port: number;
  region: string;
  tableName: string;
  eventsQueueUrl: string | undefined;
  corsOrigins: string[];
  maxPageSize: number;
  serviceName: string;
  version: string;
}

function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  const tableName = env.ORDERS_TABLE;
  if (!tableName) {
    throw new Error("ORDERS_TABLE must be set");
  }
  return {
    port: Number.parseInt(env.PORT ?? "8080", 10),
    region,
    tableName,
    eventsQueueUrl: env.ORDER_EVENTS_QUEUE_URL,
    corsOrigins: (env.CORS_ORIGINS ?? "http://localhost:3000")
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    maxPageSize: Number.parseInt(env.MAX_PAGE_SIZE ?? "100", 10),
    serviceName: env.SERVICE_NAME ?? "orders-api",
    version: env.GIT_SHA ?? "dev",
  };
}

// ---- Domain types ----

export type OrderStatus =
  | "pending"
  | "paid"
  | "fulfilled"
  | "shipped"
  | "delivered"
  | "cancelled";

export interface LineItem {
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
}

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

export interface Order {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  currency: string;
  items: LineItem[];
  shipping: ShippingAddress;
  totalCents: number;
  notes?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const ALLOWED_TRANSITIONS: Record<OrderStatus, OrderStatus[]> = {
  pending: ["paid", "cancelled"],
  paid: ["fulfilled", "cancelled"],
  fulfilled: ["shipped"],
  shipped: ["delivered"],
  delivered: [],
  cancelled: [],
};

// ---- Errors ----

class HttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

class ValidationError extends HttpError {
  constructor(public readonly issues: ValidationIssue[]) {
    super(400, "validation_failed", `Request failed validation (${issues.length} issue(s))`, issues);
    this.name = "ValidationError";
  }
}

// ---- Validation ----

interface ValidationIssue {
  path: string;
  message: string;
}

type Validator<T> = (value: unknown, path: string, issues: ValidationIssue[]) => T | undefined;

const validators = {
  string(opts: { min?: number; max?: number; pattern?: RegExp } = {}): Validator<string> {
    return (value, path, issues) => {
      if (typeof value !== "string") {
        issues.push({ path, message: "expected a string" });
        return undefined;
      }
      const trimmed = value.trim();
      if (opts.min !== undefined && trimmed.length < opts.min) {
        issues.push({ path, message: `must be at least ${opts.min} characters` });
      }
      if (opts.max !== undefined && trimmed.length > opts.max) {
        issues.push({ path, message: `must be at most ${opts.max} characters` });
      }
      if (opts.pattern && !opts.pattern.test(trimmed)) {
        issues.push({ path, message: `does not match ${opts.pattern.source}` });
      }
      return trimmed;
    };
  },

  integer(opts: { min?: number; max?: number } = {}): Validator<number> {
    return (value, path, issues) => {
      const n = typeof value === "string" ? Number(value) : value;
      if (typeof n !== "number" || !Number.isInteger(n)) {
        issues.push({ path, message: "expected an integer" });
        return undefined;
      }
      if (opts.min !== undefined && n < opts.min) {
        issues.push({ path, message: `must be >= ${opts.min}` });
      }
      if (opts.max !== undefined && n > opts.max) {
        issues.push({ path, message: `must be <= ${opts.max}` });
      }
      return n;
    };
  },

  optional<T>(inner: Validator<T>): Validator<T | undefined> {
    return (value, path, issues) => (value === undefined || value === null ? undefined : inner(value, path, issues));
  },

  oneOf<T extends string>(choices: readonly T[]): Validator<T> {
    return (value, path, issues) => {
      if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
        issues.push({ path, message: `must be one of: ${choices.join(", ")}` });
        return undefined;
      }
      return value as T;
    };
  },

  array<T>(inner: Validator<T>, opts: { min?: number; max?: number } = {}): Validator<T[]> {
    return (value, path, issues) => {
      if (!Array.isArray(value)) {
        issues.push({ path, message: "expected an array" });
        return undefined;
      }
      if (opts.min !== undefined && value.length < opts.min) {
        issues.push({ path, message: `must contain at least ${opts.min} element(s)` });
      }
      if (opts.max !== undefined && value.length > opts.max) {
        issues.push({ path, message: `must contain at most ${opts.max} element(s)` });
      }
      const out: T[] = [];
      value.forEach((v, i) => {
        const parsed = inner(v, `${path}[${i}]`, issues);
        if (parsed !== undefined) out.push(parsed);
      });
      return out;
    };
  },

  object<S extends Record<string, Validator<unknown>>>(
    shape: S,
  ): Validator<{ [K in keyof S]: S[K] extends Validator<infer U> ? U : never }> {
    return (value, path, issues) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        issues.push({ path, message: "expected an object" });
        return undefined;
      }
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(shape)) {
        const childPath = path ? `${path}.${key}` : key;
        const parsed = shape[key](record[key], childPath, issues);
        if (parsed !== undefined) out[key] = parsed;
      }
      for (const key of Object.keys(record)) {
        if (!(key in shape)) {
          issues.push({ path: path ? `${path}.${key}` : key, message: "unknown field" });
        }
      }
      return out as { [K in keyof S]: S[K] extends Validator<infer U> ? U : never };
    };
  },
};

function parse<T>(validator: Validator<T>, value: unknown): T {
  const issues: ValidationIssue[] = [];
  const result = validator(value, "", issues);
  if (issues.length > 0 || result === undefined) {
    throw new ValidationError(issues.length ? issues : [{ path: "", message: "invalid input" }]);
  }
  return result;
}

const COUNTRY_CODE = /^[A-Z]{2}$/;
const CURRENCY_CODE = /^[A-Z]{3}$/;
const SKU = /^[A-Z0-9][A-Z0-9-]{2,31}$/;

const lineItemSchema = validators.object({
  sku: validators.string({ pattern: SKU }),
  name: validators.string({ min: 1, max: 200 }),
  quantity: validators.integer({ min: 1, max: 999 }),
  unitPriceCents: validators.integer({ min: 0, max: 10_000_000 }),
});

const addressSchema = validators.object({
  name: validators.string({ min: 1, max: 120 }),
  line1: validators.string({ min: 1, max: 200 }),
  line2: validators.optional(validators.string({ max: 200 })),
  city: validators.string({ min: 1, max: 100 }),
  region: validators.string({ min: 1, max: 100 }),
  postalCode: validators.string({ min: 2, max: 16 }),
  country: validators.string({ pattern: COUNTRY_CODE }),
});

const createOrderSchema = validators.object({
  customerId: validators.string({ min: 3, max: 64 }),
  currency: validators.string({ pattern: CURRENCY_CODE }),
  items: validators.array(lineItemSchema, { min: 1, max: 50 }),
  shipping: addressSchema,
  notes: validators.optional(validators.string({ max: 1000 })),
});

const updateStatusSchema = validators.object({
  status: validators.oneOf(["pending", "paid", "fulfilled", "shipped", "delivered", "cancelled"] as const),
  expectedVersion: validators.integer({ min: 1 }),
  reason: validators.optional(validators.string({ max: 500 })),
});

const listQuerySchema = validators.object({
  customerId: validators.string({ min: 3, max: 64 }),
  limit: validators.optional(validators.integer({ min: 1, max: 100 })),
  cursor: validators.optional(validators.string({ max: 2048 })),
  status: validators.optional(
    validators.oneOf(["pending", "paid", "fulfilled", "shipped", "delivered", "cancelled"] as const),
  ),
});

// ---- Repository ----

function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  if (!key) return undefined;
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new HttpError(400, "bad_cursor", "The pagination cursor is malformed");
  }
}

class OrderRepository {
  private readonly doc: DynamoDBDocumentClient;

  constructor(private readonly tableName: string, region: string) {
    const base = new DynamoDBClient({ region, maxAttempts: 4 });
    this.doc = DynamoDBDocumentClient.from(base, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async get(orderId: string): Promise<Order | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `ORDER#${orderId}`, sk: "META" } }),
    );
    return res.Item ? this.fromItem(res.Item) : undefined;
  }

  async create(order: Order): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: this.toItem(order),
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
  }

  async listByCustomer(
    customerId: string,
    limit: number,
    cursor?: string,
    status?: OrderStatus,
  ): Promise<{ items: Order[]; nextCursor?: string }> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "byCustomer",
        KeyConditionExpression: "gsi1pk = :c",
        FilterExpression: status ? "#s = :s" : undefined,
        ExpressionAttributeNames: status ? { "#s": "status" } : undefined,
        ExpressionAttributeValues: {
          ":c": `CUSTOMER#${customerId}`,
          ...(status ? { ":s": status } : {}),
        },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    return {
      items: (res.Items ?? []).map((i) => this.fromItem(i)),
      nextCursor: encodeCursor(res.LastEvaluatedKey),
    };
  }

  async updateStatus(orderId: string, status: OrderStatus, expectedVersion: number): Promise<Order> {
    const now = new Date().toISOString();
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `ORDER#${orderId}`, sk: "META" },
          UpdateExpression: "SET #s = :s, updatedAt = :u, version = version + :one",
          ConditionExpression: "version = :v",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":s": status, ":u": now, ":v": expectedVersion, ":one": 1 },
          ReturnValues: "ALL_NEW",
        }),
      );
      return this.fromItem(res.Attributes ?? {});
    } catch (err) {
      if ((err as { name?: string }).name === "ConditionalCheckFailedException") {
        throw new HttpError(409, "version_conflict", `Order ${orderId} was modified concurrently`);
      }
      throw err;
    }
  }

  private toItem(order: Order): Record<string, unknown> {
    return {
      pk: `ORDER#${order.orderId}`,
      sk: "META",
      gsi1pk: `CUSTOMER#${order.customerId}`,
      gsi1sk: order.createdAt,
      ...order,
    };
  }

  private fromItem(item: Record<string, unknown>): Order {
    const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
    return rest as unknown as Order;
  }
}

// ---- Events ----

class OrderEvents {
  private readonly sqs: SQSClient;

  constructor(private readonly queueUrl: string | undefined, region: string) {
    this.sqs = new SQSClient({ region });
  }

  async publish(type: string, order: Order, extra: Record<string, unknown> = {}): Promise<void> {
    if (!this.queueUrl) return;
    const body = {
      type,
      orderId: order.orderId,
      customerId: order.customerId,
      status: order.status,
      occurredAt: new Date().toISOString(),
      ...extra,
    };
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(body),
        MessageAttributes: {
          eventType: { DataType: "String", StringValue: type },
        },
      }),
    );
  }
}

// ---- Middleware ----

type AsyncHandler = (req: Request, res: Response, next: NextFunction) => Promise<unknown>;

const wrap =
  (fn: AsyncHandler) =>
  (req: Request, res: Response, next: NextFunction): void => {
    fn(req, res, next).catch(next);
  };

function requestId(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.header("x-request-id");
  const id = incoming && incoming.length <= 128 ? incoming : randomUUID();
  res.locals.requestId = id;
  res.setHeader("x-request-id", id);
  next();
}

function accessLog(serviceName: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        level: res.statusCode >= 500 ? "error" : "info",
        service: serviceName,
        requestId: res.locals.requestId,
        method: req.method,
        path: req.originalUrl,
        status: res.statusCode,
        durationMs: Math.round(durationMs * 100) / 100,
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    });
    next();
  };
}

function cors(origins: string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.header("origin");
    if (origin && (origins.includes("*") || origins.includes(origin))) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Vary", "Origin");
      res.setHeader("Access-Control-Allow-Headers", "content-type,authorization,x-request-id");
      res.setHeader("Access-Control-Allow-Methods", "GET,POST,PATCH,DELETE,OPTIONS");
    }
    if (req.method === "OPTIONS") {
      res.status(204).end();
      return;
    }
    next();
  };
}

function requireAuth(req: Request, res: Response, next: NextFunction): void {
  const header = req.header("authorization") ?? "";
  const [scheme, token] = header.split(" ");
  if (scheme?.toLowerCase() !== "bearer" || !token) {
    next(new HttpError(401, "unauthorized", "Missing bearer token"));
    return;
  }
  // Signature is verified upstream by the gateway authorizer.
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    res.locals.principal = { sub: String(payload.sub), scopes: String(payload.scope ?? "").split(" ") };
    next();
  } catch {
    next(new HttpError(401, "unauthorized", "Malformed token"));
  }
}

function requireScope(scope: string) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const scopes: string[] = res.locals.principal?.scopes ?? [];
    if (!scopes.includes(scope)) {
      next(new HttpError(403, "forbidden", `Missing scope ${scope}`));
      return;
    }
    next();
  };
}

function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (err instanceof HttpError) {
    res.status(err.status).json({
      error: { code: err.code, message: err.message, details: err.details },
      requestId: res.locals.requestId,
    });
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    `${JSON.stringify({ level: "error", requestId: res.locals.requestId, message, stack: (err as Error)?.stack })}\n`,
  );
  res.status(500).json({
    error: { code: "internal", message: "An unexpected error occurred" },
    requestId: res.locals.requestId,
  });
}

// ---- Routes ----

function computeTotal(items: LineItem[]): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
}

function ordersRouter(repo: OrderRepository, events: OrderEvents, config: AppConfig): Router {
  const router = Router();

  router.post(
    "/",
    requireScope("orders:write"),
    wrap(async (req, res) => {
      const input = parse(createOrderSchema, req.body);
      const now = new Date().toISOString();
      const order: Order = {
        orderId: randomUUID(),
        customerId: input.customerId,
        status: "pending",
        currency: input.currency,
        items: input.items,
        shipping: input.shipping,
        totalCents: computeTotal(input.items),
        notes: input.notes,
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      await repo.create(order);
      await events.publish("order.created", order, { totalCents: order.totalCents });
      res.status(201).location(`/v1/orders/${order.orderId}`).json(order);
    }),
  );

  router.get(
    "/",
    requireScope("orders:read"),
    wrap(async (req, res) => {
      const q = parse(listQuerySchema, req.query);
      const limit = Math.min(q.limit ?? 25, config.maxPageSize);
      const page = await repo.listByCustomer(q.customerId, limit, q.cursor, q.status);
      res.json({
        data: page.items,
        pagination: {
          limit,
          nextCursor: page.nextCursor ?? null,
          next: page.nextCursor
            ? `/v1/orders?customerId=${encodeURIComponent(q.customerId)}&limit=${limit}&cursor=${page.nextCursor}`
            : null,
        },
      });
    }),
  );

  router.get(
    "/:orderId",
    requireScope("orders:read"),
    wrap(async (req, res) => {
      const order = await repo.get(req.params.orderId);
      if (!order) {
        throw new HttpError(404, "not_found", `Order ${req.params.orderId} not found`);
      }
      res.setHeader("ETag", `W/"${order.version}"`);
      res.json(order);
    }),
  );

  router.patch(
    "/:orderId/status",
    requireScope("orders:write"),
    wrap(async (req, res) => {
      const input = parse(updateStatusSchema, req.body);
      const current = await repo.get(req.params.orderId);
      if (!current) {
        throw new HttpError(404, "not_found", `Order ${req.params.orderId} not found`);
      }
      const allowed = ALLOWED_TRANSITIONS[current.status];
      if (!allowed.includes(input.status)) {
        throw new HttpError(
          422,
          "invalid_transition",
          `Cannot move order from ${current.status} to ${input.status}`,
          { allowed },
        );
      }
      const updated = await repo.updateStatus(current.orderId, input.status, input.expectedVersion);
      await events.publish(`order.${input.status}`, updated, { reason: input.reason });
      res.json(updated);
    }),
  );

  router.delete(
    "/:orderId",
    requireScope("orders:write"),
    wrap(async (req, res) => {
      const current = await repo.get(req.params.orderId);
      if (!current) {
        throw new HttpError(404, "not_found", `Order ${req.params.orderId} not found`);
      }
      if (!ALLOWED_TRANSITIONS[current.status].includes("cancelled")) {
        throw new HttpError(422, "not_cancellable", `Order in status ${current.status} cannot be cancelled`);
      }
      const updated = await repo.updateStatus(current.orderId, "cancelled", current.version);
      await events.publish("order.cancelled", updated, { cancelledBy: res.locals.principal?.sub });
      res.status(204).end();
    }),
  );

  return router;
}

function opsRouter(config: AppConfig): Router {
  const router = Router();
  const startedAt = new Date();

  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  router.get("/info", (_req, res) => {
    res.json({
      name: config.serviceName,
      version: config.version,
      region: config.region,
      startedAt: startedAt.toISOString(),
      node: process.version,
    });
  });

  return router;
}

// ---- Bootstrap ----

export function createApp(config: AppConfig = loadConfig()) {
  const app = express();
  const repo = new OrderRepository(config.tableName, config.region);
  const events = new OrderEvents(config.eventsQueueUrl, config.region);

  app.disable("x-powered-by");
  app.set("trust proxy", true);
  app.use(express.json({ limit: "256kb" }));
  app.use(requestId);
  app.use(accessLog(config.serviceName));
  app.use(cors(config.corsOrigins));

  app.use("/", opsRouter(config));
  app.use("/v1/orders", requireAuth, ordersRouter(repo, events, config));

  app.use((req, _res, next) => next(new HttpError(404, "not_found", `No route for ${req.method} ${req.path}`)));
  app.use(errorHandler);
  return app;
}

if (require.main === module) {
  const config = loadConfig();
  const app = createApp(config);
  const server = app.listen(config.port, () => {
    console.log(`${config.serviceName}@${config.version} listening on :${config.port} (region ${config.region})`);
  });

  const shutdown = (signal: string) => {
    console.log(`received ${signal}, draining connections`);
    server.close((err) => {
      if (err) console.error("error during shutdown", err);
      process.exit(err ? 1 : 0);
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => shutdown(sig));
}
