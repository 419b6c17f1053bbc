/**
 * A deliberately small data-mapper layer.
 *
 * Models declare a schema of typed fields; repositories persist them through a
 * pluggable `Driver` (an in-memory driver ships here for tests, the Postgres
 * driver lives in services/orders-api). Queries are built with a fluent,
 * type-checked builder that compiles to parameterised SQL.
 */

// ---- field definitions -------------------------------------------------

type Primitive = string | number | boolean | Date | null;

interface FieldOptions<T> {
  nullable?: boolean;
  default?: T | (() => T);
  column?: string;
  primaryKey?: boolean;
  unique?: boolean;
  validate?: (value: T) => string | null;
}

export abstract class Field<T> {
  readonly options: FieldOptions<T>;
  abstract readonly sqlType: string;

  constructor(options: FieldOptions<T> = {}) {
    this.options = options;
  }

  abstract coerce(raw: unknown): T;

  serialize(value: T): Primitive {
    return value as unknown as Primitive;
  }

  defaultValue(): T | undefined {
    const d = this.options.default;
    return typeof d === "function" ? (d as () => T)() : d;
  }

  check(name: string, value: T | null | undefined): string | null {
    if (value === null || value === undefined) {
      return this.options.nullable || this.options.primaryKey ? null : `${name} is required`;
    }
    return this.options.validate?.(value) ?? null;
  }
}

export class StringField extends Field<string> {
  readonly sqlType: string;
  constructor(private readonly maxLength = 255, options: FieldOptions<string> = {}) {
    super(options);
    this.sqlType = maxLength > 10_000 ? "text" : `varchar(${maxLength})`;
  }
  coerce(raw: unknown): string {
    if (raw === null || raw === undefined) return raw as unknown as string;
    return String(raw);
  }
  check(name: string, value: string | null | undefined): string | null {
    const base = super.check(name, value);
    if (base) return base;
    if (typeof value === "string" && value.length > this.maxLength) {
      return `${name} must be at most ${this.maxLength} characters`;
    }
    return null;
  }
}

export class IntField extends Field<number> {
  readonly sqlType = "integer";
  coerce(raw: unknown): number {
    if (raw === null || raw === undefined) return raw as unknown as number;
    const n = typeof raw === "bigint" ? Number(raw) : Number(raw);
    if (!Number.isInteger(n)) throw new TypeError(`expected integer, got ${String(raw)}`);
    return n;
  }
}

export class BoolField extends Field<boolean> {
  readonly sqlType = "boolean";
  coerce(raw: unknown): boolean {
    if (typeof raw === "string") return raw === "t" || raw === "true" || raw === "1";
    return Boolean(raw);
  }
}

export class DateField extends Field<Date> {
  readonly sqlType = "timestamptz";
  coerce(raw: unknown): Date {
    if (raw === null || raw === undefined) return raw as unknown as Date;
    const d = raw instanceof Date ? raw : new Date(String(raw));
    if (Number.isNaN(d.getTime())) throw new TypeError(`invalid date ${String(raw)}`);
    return d;
  }
  serialize(value: Date): Primitive {
    return value ? value.toISOString() : null;
  }
}

export class JsonField<T> extends Field<T> {
  readonly sqlType = "jsonb";
  coerce(raw: unknown): T {
    return (typeof raw === "string" ? JSON.parse(raw) : raw) as T;
  }
  serialize(value: T): Primitive {
    return value === undefined ? null : JSON.stringify(value);
  }
}

export class EnumField<E extends string> extends Field<E> {
  readonly sqlType = "text";
  constructor(private readonly values: readonly E[], options: FieldOptions<E> = {}) {
    super(options);
  }
  coerce(raw: unknown): E {
    const s = String(raw) as E;
    if (!this.values.includes(s)) throw new TypeError(`'${s}' is not one of ${this.values.join("|")}`);
    return s;
  }
}

export const fields = {
  string: (max?: number, o?: FieldOptions<string>) => new StringField(max, o),
  text: (o?: FieldOptions<string>) => new StringField(1_000_000, o),
  int: (o?: FieldOptions<number>) => new IntField(o),
  bool: (o?: FieldOptions<boolean>) => new BoolField(o),
  date: (o?: FieldOptions<Date>) => new DateField(o),
  json: <T>(o?: FieldOptions<T>) => new JsonField<T>(o),
  enum: <E extends string>(values: readonly E[], o?: FieldOptions<E>) => new EnumField<E>(values, o),
};

// ---- schema & model types --------------------------------------------------

export type Schema = Record<string, Field<any>>;
export type FieldType<F> = F extends Field<infer T> ? T : never;
export type Attributes<S extends Schema> = { [K in keyof S]: FieldType<S[K]> };
export type CreateInput<S extends Schema> = Partial<Attributes<S>>;

export interface ModelDefinition<S extends Schema> {
  table: string;
  schema: S;
  primaryKey: keyof S & string;
  timestamps?: boolean;
  hooks?: {
    beforeSave?: (attrs: Attributes<S>) => void | Promise<void>;
    afterLoad?: (attrs: Attributes<S>) => void;
  };
}

export class ValidationFailed extends Error {
  constructor(readonly table: string, readonly problems: string[]) {
    super(`${table}: ${problems.join("; ")}`);
    this.name = "ValidationFailed";
  }
}

export function defineModel<S extends Schema>(def: ModelDefinition<S>): ModelDefinition<S> {
  const pk = def.schema[def.primaryKey];
  if (!pk) throw new Error(`${def.table}: primary key '${def.primaryKey}' is not in the schema`);
  return def;
}

function columnName<S extends Schema>(def: ModelDefinition<S>, key: keyof S & string): string {
  return def.schema[key].options.column ?? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

// ---- query builder -----------------------------------------------------------

type Operator = "=" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "like" | "is null" | "is not null";

interface Condition<S extends Schema> {
  field: keyof S & string;
  op: Operator;
  value?: unknown;
}

export interface CompiledQuery {
  text: string;
  values: Primitive[];
}

export class Query<S extends Schema> {
  private conditions: Condition<S>[] = [];
  private ordering: Array<{ field: keyof S & string; dir: "asc" | "desc" }> = [];
  private limitValue?: number;
  private offsetValue?: number;
  private selected?: Array<keyof S & string>;

  constructor(private readonly def: ModelDefinition<S>) {}

  where<K extends keyof S & string>(field: K, op: Exclude<Operator, "in" | "is null" | "is not null">, value: FieldType<S[K]>): this;
  where<K extends keyof S & string>(field: K, op: "in", value: Array<FieldType<S[K]>>): this;
  where<K extends keyof S & string>(field: K, op: "is null" | "is not null"): this;
  where<K extends keyof S & string>(field: K, op: Operator, value?: unknown): this {
    this.conditions.push({ field, op, value });
    return this;
  }

  whereEq<K extends keyof S & string>(field: K, value: FieldType<S[K]>): this {
    return this.where(field, "=", value as any);
  }

  orderBy(field: keyof S & string, dir: "asc" | "desc" = "asc"): this {
    this.ordering.push({ field, dir });
    return this;
  }

  limit(n: number): this {
    this.limitValue = n;
    return this;
  }

  offset(n: number): this {
    this.offsetValue = n;
    return this;
  }

  select(...fields: Array<keyof S & string>): this {
    this.selected = fields;
    return this;
  }

  get conditionsList(): ReadonlyArray<Condition<S>> {
    return this.conditions;
  }

  get orderingList() {
    return this.ordering;
  }

  get window(): { limit?: number; offset?: number } {
    return { limit: this.limitValue, offset: this.offsetValue };
  }

  toSQL(): CompiledQuery {
    const values: Primitive[] = [];
    const param = (v: unknown, field: keyof S & string) => {
      values.push(this.def.schema[field].serialize(v));
      return `$${values.length}`;
    };
    const cols = (this.selected ?? (Object.keys(this.def.schema) as Array<keyof S & string>))
      .map((k) => `"${columnName(this.def, k)}"`)
      .join(", ");
    let text = `SELECT ${cols} FROM "${this.def.table}"`;
    if (this.conditions.length > 0) {
      const parts = this.conditions.map((c) => {
        const col = `"${columnName(this.def, c.field)}"`;
        switch (c.op) {
          case "is null":
          case "is not null":
            return `${col} ${c.op.toUpperCase()}`;
          case "in": {
            const list = (c.value as unknown[]).map((v) => param(v, c.field));
            return list.length === 0 ? "FALSE" : `${col} IN (${list.join(", ")})`;
          }
          case "like":
            return `${col} LIKE ${param(c.value, c.field)}`;
          default:
            return `${col} ${c.op} ${param(c.value, c.field)}`;
        }
      });
      text += ` WHERE ${parts.join(" AND ")}`;
    }
    if (this.ordering.length > 0) {
      text += ` ORDER BY ${this.ordering.map((o) => `"${columnName(this.def, o.field)}" ${o.dir.toUpperCase()}`).join(", ")}`;
    }
    if (this.limitValue !== undefined) text += ` LIMIT ${Math.floor(this.limitValue)}`;
    if (this.offsetValue !== undefined) text += ` OFFSET ${Math.floor(this.offsetValue)}`;
    return { text, values };
  }
}

// ---- drivers -----------------------------------------------------------------

export interface Driver {
  find<S extends Schema>(def: ModelDefinition<S>, query: Query<S>): Promise<Array<Record<string, unknown>>>;
  insert<S extends Schema>(def: ModelDefinition<S>, row: Record<string, Primitive>): Promise<Record<string, unknown>>;
  update<S extends Schema>(def: ModelDefinition<S>, id: unknown, patch: Record<string, Primitive>): Promise<number>;
  delete<S extends Schema>(def: ModelDefinition<S>, id: unknown): Promise<number>;
  transaction<T>(fn: (driver: Driver) => Promise<T>): Promise<T>;
}

/** In-memory driver, good enough for unit tests and local prototyping. */
export class MemoryDriver implements Driver {
  private tables = new Map<string, Map<string, Record<string, unknown>>>();
  private sequence = 0;

  private table(name: string): Map<string, Record<string, unknown>> {
    let t = this.tables.get(name);
    if (!t) {
      t = new Map();
      this.tables.set(name, t);
    }
    return t;
  }

  async find<S extends Schema>(def: ModelDefinition<S>, query: Query<S>): Promise<Array<Record<string, unknown>>> {
    let rows = [...this.table(def.table).values()];
    for (const c of query.conditionsList) {
      rows = rows.filter((r) => matches(r[c.field], c.op, c.value));
    }
    for (const o of [...query.orderingList].reverse()) {
      rows.sort((a, b) => {
        const av = a[o.field] as any;
        const bv = b[o.field] as any;
        const cmp = av < bv ? -1 : av > bv ? 1 : 0;
        return o.dir === "asc" ? cmp : -cmp;
      });
    }
    const { limit, offset = 0 } = query.window;
    return rows.slice(offset, limit === undefined ? undefined : offset + limit).map((r) => ({ ...r }));
  }

  async insert<S extends Schema>(def: ModelDefinition<S>, row: Record<string, Primitive>): Promise<Record<string, unknown>> {
    const t = this.table(def.table);
    const pk = def.primaryKey;
    const id = row[pk] ?? ++this.sequence;
    const key = String(id);
    if (t.has(key)) throw new Error(`duplicate key ${def.table}.${pk}=${key}`);
    const stored = { ...row, [pk]: id };
    t.set(key, stored);
    return { ...stored };
  }

  async update<S extends Schema>(def: ModelDefinition<S>, id: unknown, patch: Record<string, Primitive>): Promise<number> {
    const t = this.table(def.table);
    const existing = t.get(String(id));
    if (!existing) return 0;
    t.set(String(id), { ...existing, ...patch });
    return 1;
  }

  async delete<S extends Schema>(def: ModelDefinition<S>, id: unknown): Promise<number> {
    return this.table(def.table).delete(String(id)) ? 1 : 0;
  }

  async transaction<T>(fn: (driver: Driver) => Promise<T>): Promise<T> {
    const snapshot = new Map([...this.tables].map(([k, v]) => [k, new Map([...v].map(([rk, rv]) => [rk, { ...rv }]))]));
    try {
      return await fn(this);
    } catch (e) {
      this.tables = snapshot;
      throw e;
    }
  }
}

function matches(actual: unknown, op: Operator, expected: unknown): boolean {
  const a = actual instanceof Date ? actual.getTime() : actual;
  const e = expected instanceof Date ? expected.getTime() : expected;
  switch (op) {
    case "=":
      return a === e;
    case "!=":
      return a !== e;
    case "<":
      return (a as any) < (e as any);
    case "<=":
      return (a as any) <= (e as any);
    case ">":
      return (a as any) > (e as any);
    case ">=":
      return (a as any) >= (e as any);
    case "in":
      return (expected as unknown[]).includes(actual);
    case "like": {
      const pattern = String(expected).replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".");
      return new RegExp(`^${pattern}$`, "i").test(String(actual));
    }
    case "is null":
      return actual === null || actual === undefined;
    case "is not null":
      return actual !== null && actual !== undefined;
  }
}

// ---- repository ----------------------------------------------------------------

export class Repository<S extends Schema> {
  constructor(readonly def: ModelDefinition<S>, private readonly driver: Driver) {}

  query(): Query<S> {
    return new Query(this.def);
  }

  private hydrate(row: Record<string, unknown>): Attributes<S> {
    const out = {} as Attributes<S>;
    for (const key of Object.keys(this.def.schema) as Array<keyof S & string>) {
      const raw = row[key] ?? row[columnName(this.def, key)];
      out[key] = raw === undefined || raw === null ? (raw as any) : this.def.schema[key].coerce(raw);
    }
    this.def.hooks?.afterLoad?.(out);
    return out;
  }

  private dehydrate(attrs: Partial<Attributes<S>>): Record<string, Primitive> {
    const out: Record<string, Primitive> = {};
    for (const [key, value] of Object.entries(attrs)) {
      const f = this.def.schema[key];
      if (f && value !== undefined) out[key] = value === null ? null : f.serialize(value);
    }
    return out;
  }

  validate(attrs: Partial<Attributes<S>>, partial = false): void {
    const problems: string[] = [];
    for (const key of Object.keys(this.def.schema) as Array<keyof S & string>) {
      if (partial && !(key in attrs)) continue;
      const problem = this.def.schema[key].check(key, attrs[key]);
      if (problem) problems.push(problem);
    }
    if (problems.length > 0) throw new ValidationFailed(this.def.table, problems);
  }

  async find(q: Query<S> = this.query()): Promise<Array<Attributes<S>>> {
    const rows = await this.driver.find(this.def, q);
    return rows.map((r) => this.hydrate(r));
  }

  async first(q: Query<S>): Promise<Attributes<S> | null> {
    const [row] = await this.find(q.limit(1));
    return row ?? null;
  }

  async get(id: FieldType<S[keyof S]>): Promise<Attributes<S>> {
    const row = await this.first(this.query().whereEq(this.def.primaryKey, id as any));
    if (!row) throw new Error(`${this.def.table} ${String(id)} not found`);
    return row;
  }

  async create(input: CreateInput<S>): Promise<Attributes<S>> {
    const attrs = { ...input } as Attributes<S>;
    for (const key of Object.keys(this.def.schema) as Array<keyof S & string>) {
      if (attrs[key] === undefined) {
        const d = this.def.schema[key].defaultValue();
        if (d !== undefined) attrs[key] = d;
      }
    }
    if (this.def.timestamps) {
      const now = new Date();
      (attrs as Record<string, unknown>).createdAt ??= now;
      (attrs as Record<string, unknown>).updatedAt = now;
    }
    this.validate(attrs);
    await this.def.hooks?.beforeSave?.(attrs);
    const stored = await this.driver.insert(this.def, this.dehydrate(attrs));
    return this.hydrate(stored);
  }

  async update(id: FieldType<S[keyof S]>, patch: Partial<Attributes<S>>): Promise<Attributes<S>> {
    const next = { ...patch };
    if (this.def.timestamps) (next as Record<string, unknown>).updatedAt = new Date();
    this.validate(next, true);
    const changed = await this.driver.update(this.def, id, this.dehydrate(next));
    if (changed === 0) throw new Error(`${this.def.table} ${String(id)} not found`);
    return this.get(id);
  }

  async delete(id: FieldType<S[keyof S]>): Promise<boolean> {
    return (await this.driver.delete(this.def, id)) > 0;
  }

  async count(q: Query<S> = this.query()): Promise<number> {
    return (await this.driver.find(this.def, q)).length;
  }

  async *batches(size = 500, q: Query<S> = this.query()): AsyncGenerator<Array<Attributes<S>>> {
    const pk = this.def.primaryKey;
    let last: unknown = undefined;
    for (;;) {
      const page = this.query().orderBy(pk).limit(size);
      for (const c of q.conditionsList) page.where(c.field, c.op as any, c.value as any);
      if (last !== undefined) page.where(pk, ">", last as any);
      const rows = await this.find(page);
      if (rows.length === 0) return;
      yield rows;
      last = rows[rows.length - 1][pk];
      if (rows.length < size) return;
    }
  }
}

// ---- example models ----------------------------------------------------------

export const Customer = defineModel({
  table: "customers",
  primaryKey: "id",
  timestamps: true,
  schema: {
    id: fields.int({ primaryKey: true }),
    email: fields.string(320, {
      unique: true,
      validate: (v) => (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v) ? null : "email is not valid"),
    }),
    name: fields.string(120),
    tier: fields.enum(["free", "pro", "enterprise"] as const, { default: "free" }),
    preferences: fields.json<{ locale: string; newsletter: boolean }>({
      default: () => ({ locale: "en-US", newsletter: false }),
    }),
    createdAt: fields.date({ nullable: true }),
    updatedAt: fields.date({ nullable: true }),
  },
  hooks: {
    beforeSave: (attrs) => {
      attrs.email = attrs.email.trim().toLowerCase();
    },
  },
});

export const Invoice = defineModel({
  table: "invoices",
  primaryKey: "number",
  schema: {
    number: fields.string(32, { primaryKey: true }),
    customerId: fields.int(),
    totalCents: fields.int({ validate: (v) => (v >= 0 ? null : "totalCents must be non-negative") }),
    currency: fields.string(3, { default: "USD" }),
    paid: fields.bool({ default: false }),
    dueAt: fields.date(),
    lines: fields.json<Array<{ description: string; amountCents: number }>>({ default: () => [] }),
  },
});

export type CustomerAttrs = Attributes<typeof Customer.schema>;
export type InvoiceAttrs = Attributes<typeof Invoice.schema>;

export async function overdueInvoices(repo: Repository<typeof Invoice.schema>, asOf = new Date()): Promise<InvoiceAttrs[]> {
  return repo.find(repo.query().where("paid", "=", false).where("dueAt", "<", asOf).orderBy("dueAt"));
}
