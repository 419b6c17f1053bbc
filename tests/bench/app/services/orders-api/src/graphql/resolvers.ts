/**
 * GraphQL schema and resolvers for the storefront back-office.
 *
 * Served by Apollo Server from `graphql/server.ts`. Data access goes through
 * per-request DataLoaders (see `createLoaders`) so that nested fields such as
 * `Order.customer` or `Customer.orders` do not fan out into N+1 queries.
 */
import DataLoader from "dataloader";
import { GraphQLError, GraphQLScalarType, Kind } from "graphql";
import { PubSub, withFilter } from "graphql-subscriptions";
import gql from "graphql-tag";

// ---- schema ------------------------------------------------------------

export const typeDefs = gql`
  scalar DateTime
  scalar Money

  enum OrderStatus {
    PENDING
    PAID
    FULFILLED
    SHIPPED
    DELIVERED
    CANCELLED
  }

  enum SortOrder {
    ASC
    DESC
  }

  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }

  type Customer {
    id: ID!
    email: String!
    name: String!
    tier: String!
    createdAt: DateTime!
    orders(first: Int = 10, after: String, status: OrderStatus): OrderConnection!
    lifetimeValue: Money!
  }

  type LineItem {
    sku: String!
    name: String!
    quantity: Int!
    unitPrice: Money!
    subtotal: Money!
  }

  type Shipment {
    carrier: String!
    trackingNumber: String!
    trackingUrl: String
    shippedAt: DateTime!
  }

  type Order {
    id: ID!
    number: String!
    status: OrderStatus!
    customer: Customer!
    items: [LineItem!]!
    total: Money!
    shipment: Shipment
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type OrderEdge {
    node: Order!
    cursor: String!
  }

  type OrderConnection {
    edges: [OrderEdge!]!
    pageInfo: PageInfo!
    totalCount: Int!
  }

  input OrderFilter {
    status: [OrderStatus!]
    customerId: ID
    createdAfter: DateTime
    createdBefore: DateTime
    search: String
  }

  input LineItemInput {
    sku: String!
    quantity: Int!
  }

  input CreateOrderInput {
    customerId: ID!
    items: [LineItemInput!]!
    note: String
  }

  input ShipOrderInput {
    orderId: ID!
    carrier: String!
    trackingNumber: String!
  }

  type Query {
    order(id: ID!): Order
    orders(filter: OrderFilter, first: Int = 20, after: String, sort: SortOrder = DESC): OrderConnection!
    customer(id: ID!): Customer
    searchCustomers(query: String!, limit: Int = 10): [Customer!]!
  }

  type Mutation {
    createOrder(input: CreateOrderInput!): Order!
    shipOrder(input: ShipOrderInput!): Order!
    cancelOrder(id: ID!, reason: String): Order!
  }

  type Subscription {
    orderStatusChanged(customerId: ID): Order!
  }
`;

// ---- domain & data sources ------------------------------------------------

export type OrderStatus = "PENDING" | "PAID" | "FULFILLED" | "SHIPPED" | "DELIVERED" | "CANCELLED";

export interface Money {
  amount: number; // minor units
  currency: string;
}

export interface CustomerRow {
  id: string;
  email: string;
  name: string;
  tier: "free" | "pro" | "enterprise";
  createdAt: Date;
}

export interface OrderRow {
  id: string;
  number: string;
  status: OrderStatus;
  customerId: string;
  currency: string;
  items: Array<{ sku: string; name: string; quantity: number; unitPriceCents: number }>;
  shipment: { carrier: string; trackingNumber: string; shippedAt: Date } | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProductRow {
  sku: string;
  name: string;
  priceCents: number;
  currency: string;
  active: boolean;
}

export interface OrderQuery {
  status?: OrderStatus[];
  customerIds?: string[];
  createdAfter?: Date;
  createdBefore?: Date;
  search?: string;
  limit: number;
  afterKey?: { createdAt: string; id: string };
  sort: "ASC" | "DESC";
}

/** Implemented by the Postgres data source; mocked in tests. */
export interface DataSources {
  customers: {
    byIds(ids: readonly string[]): Promise<Array<CustomerRow | null>>;
    search(query: string, limit: number): Promise<CustomerRow[]>;
    lifetimeValueCents(ids: readonly string[]): Promise<Map<string, number>>;
  };
  orders: {
    byIds(ids: readonly string[]): Promise<Array<OrderRow | null>>;
    query(q: OrderQuery): Promise<{ rows: OrderRow[]; total: number }>;
    insert(row: Omit<OrderRow, "id" | "number" | "createdAt" | "updatedAt">): Promise<OrderRow>;
    update(id: string, patch: Partial<OrderRow>, expectedStatus: OrderStatus[]): Promise<OrderRow | null>;
  };
  products: {
    bySkus(skus: readonly string[]): Promise<Array<ProductRow | null>>;
  };
}

export interface Viewer {
  userId: string;
  roles: Array<"admin" | "support" | "warehouse" | "customer">;
  customerId?: string;
}

export interface Context {
  viewer: Viewer | null;
  dataSources: DataSources;
  loaders: Loaders;
  pubsub: PubSub;
  requestId: string;
}

// ---- loaders -----------------------------------------------------------------

export interface Loaders {
  customer: DataLoader<string, CustomerRow | null>;
  order: DataLoader<string, OrderRow | null>;
  product: DataLoader<string, ProductRow | null>;
  lifetimeValue: DataLoader<string, number>;
}

export function createLoaders(ds: DataSources): Loaders {
  return {
    customer: new DataLoader((ids) => ds.customers.byIds(ids), { maxBatchSize: 200 }),
    order: new DataLoader((ids) => ds.orders.byIds(ids), { maxBatchSize: 200 }),
    product: new DataLoader((skus) => ds.products.bySkus(skus)),
    lifetimeValue: new DataLoader(async (ids) => {
      const values = await ds.customers.lifetimeValueCents(ids);
      return ids.map((id) => values.get(id) ?? 0);
    }),
  };
}

// ---- scalars -------------------------------------------------------------------

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  description: "ISO-8601 timestamp in UTC",
  serialize(value) {
    const d = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(d.getTime())) throw new GraphQLError(`DateTime cannot represent ${String(value)}`);
    return d.toISOString();
  },
  parseValue(value) {
    const d = new Date(value as string);
    if (typeof value !== "string" || Number.isNaN(d.getTime())) {
      throw new GraphQLError(`DateTime expects an ISO-8601 string, got ${JSON.stringify(value)}`);
    }
    return d;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError("DateTime literal must be a string");
    const d = new Date(ast.value);
    if (Number.isNaN(d.getTime())) throw new GraphQLError(`Invalid DateTime literal ${ast.value}`);
    return d;
  },
});

export const MoneyScalar = new GraphQLScalarType<Money, { amount: string; currency: string; formatted: string }>({
  name: "Money",
  description: "Monetary amount serialised as decimal string plus currency",
  serialize(value) {
    const m = value as Money;
    const decimals = m.currency === "JPY" ? 0 : 2;
    const amount = (m.amount / 10 ** decimals).toFixed(decimals);
    const formatted = new Intl.NumberFormat("en-US", { style: "currency", currency: m.currency }).format(Number(amount));
    return { amount, currency: m.currency, formatted };
  },
  parseValue() {
    throw new GraphQLError("Money is an output-only scalar");
  },
});

// ---- helpers ---------------------------------------------------------------------

const ORDER_STATUS_CHANGED = "ORDER_STATUS_CHANGED";

function requireViewer(ctx: Context): Viewer {
  if (!ctx.viewer) {
    throw new GraphQLError("Authentication required", { extensions: { code: "UNAUTHENTICATED" } });
  }
  return ctx.viewer;
}

function requireRole(ctx: Context, ...roles: Viewer["roles"]): Viewer {
  const viewer = requireViewer(ctx);
  if (!viewer.roles.some((r) => roles.includes(r))) {
    throw new GraphQLError(`Requires one of: ${roles.join(", ")}`, { extensions: { code: "FORBIDDEN" } });
  }
  return viewer;
}

function canSeeCustomer(viewer: Viewer, customerId: string): boolean {
  if (viewer.roles.includes("admin") || viewer.roles.includes("support")) return true;
  return viewer.customerId === customerId;
}

function userInputError(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", field } });
}

export function encodeCursor(row: Pick<OrderRow, "createdAt" | "id">): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!createdAt || !id || Number.isNaN(Date.parse(createdAt))) throw userInputError("Invalid cursor", "after");
  return { createdAt, id };
}

function clampFirst(first: number | null | undefined, max = 100): number {
  const n = first ?? 20;
  if (n < 0) throw userInputError("first must be non-negative", "first");
  return Math.min(n, max);
}

async function connection(ctx: Context, q: OrderQuery) {
  // Fetch one extra row to learn whether there is a next page.
  const { rows, total } = await ctx.dataSources.orders.query({ ...q, limit: q.limit + 1 });
  const hasNextPage = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  page.forEach((row) => ctx.loaders.order.prime(row.id, row));
  return {
    edges: page.map((node) => ({ node, cursor: encodeCursor(node) })),
    pageInfo: { hasNextPage, endCursor: page.length ? encodeCursor(page[page.length - 1]) : null },
    totalCount: total,
  };
}

const TRACKING_URLS: Record<string, (n: string) => string> = {
  ups: (n) => `https://www.ups.com/track?tracknum=${encodeURIComponent(n)}`,
  fedex: (n) => `https://www.fedex.com/fedextrack/?trknbr=${encodeURIComponent(n)}`,
  usps: (n) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${encodeURIComponent(n)}`,
  dhl: (n) => `https://www.dhl.com/en/express/tracking.html?AWB=${encodeURIComponent(n)}`,
};

// ---- resolvers ---------------------------------------------------------------------

interface OrdersArgs {
  filter?: {
    status?: OrderStatus[];
    customerId?: string;
    createdAfter?: Date;
    createdBefore?: Date;
    search?: string;
  };
  first?: number;
  after?: string;
  sort?: "ASC" | "DESC";
}

export const resolvers = {
  DateTime: DateTimeScalar,
  Money: MoneyScalar,

  Query: {
    async order(_: unknown, { id }: { id: string }, ctx: Context) {
      const viewer = requireViewer(ctx);
      const order = await ctx.loaders.order.load(id);
      if (!order || !canSeeCustomer(viewer, order.customerId)) return null;
      return order;
    },

    async orders(_: unknown, args: OrdersArgs, ctx: Context) {
      const viewer = requireViewer(ctx);
      let customerIds = args.filter?.customerId ? [args.filter.customerId] : undefined;
      if (!viewer.roles.includes("admin") && !viewer.roles.includes("support") && !viewer.roles.includes("warehouse")) {
        if (!viewer.customerId) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 };
        customerIds = [viewer.customerId];
      }
      const search = args.filter?.search?.trim();
      if (search && search.length < 2) throw userInputError("search must be at least 2 characters", "filter.search");
      return connection(ctx, {
        status: args.filter?.status,
        customerIds,
        createdAfter: args.filter?.createdAfter,
        createdBefore: args.filter?.createdBefore,
        search,
        limit: clampFirst(args.first),
        afterKey: args.after ? decodeCursor(args.after) : undefined,
        sort: args.sort ?? "DESC",
      });
    },

    async customer(_: unknown, { id }: { id: string }, ctx: Context) {
      const viewer = requireViewer(ctx);
      if (!canSeeCustomer(viewer, id)) return null;
      return ctx.loaders.customer.load(id);
    },

    async searchCustomers(_: unknown, { query, limit }: { query: string; limit: number }, ctx: Context) {
      requireRole(ctx, "admin", "support");
      const q = query.trim();
      if (q.length < 3) throw userInputError("query must be at least 3 characters", "query");
      const rows = await ctx.dataSources.customers.search(q, Math.min(limit, 50));
      rows.forEach((row) => ctx.loaders.customer.prime(row.id, row));
      return rows;
    },
  },

  Mutation: {
    async createOrder(
      _: unknown,
      { input }: { input: { customerId: string; items: Array<{ sku: string; quantity: number }>; note?: string } },
      ctx: Context,
    ) {
      const viewer = requireViewer(ctx);
      if (!canSeeCustomer(viewer, input.customerId)) {
        throw new GraphQLError("Cannot create orders for another customer", { extensions: { code: "FORBIDDEN" } });
      }
      if (input.items.length === 0) throw userInputError("An order needs at least one item", "items");
      const bad = input.items.find((i) => !Number.isInteger(i.quantity) || i.quantity < 1 || i.quantity > 100);
      if (bad) throw userInputError(`Invalid quantity ${bad.quantity} for ${bad.sku}`, "items");

      const customer = await ctx.loaders.customer.load(input.customerId);
      if (!customer) throw userInputError(`Unknown customer ${input.customerId}`, "customerId");

      const products = await ctx.loaders.product.loadMany(input.items.map((i) => i.sku));
      const items = input.items.map((item, idx) => {
        const p = products[idx];
        if (!p || p instanceof Error || !p.active) throw userInputError(`Unknown or inactive SKU ${item.sku}`, "items");
        return { sku: p.sku, name: p.name, quantity: item.quantity, unitPriceCents: p.priceCents, currency: p.currency };
      });
      const currencies = new Set(items.map((i) => i.currency));
      if (currencies.size > 1) throw userInputError("All items must be priced in the same currency", "items");

      const order = await ctx.dataSources.orders.insert({
        status: "PENDING",
        customerId: customer.id,
        currency: items[0].currency,
        items: items.map(({ currency: _c, ...rest }) => rest),
        shipment: null,
      });
      ctx.loaders.order.prime(order.id, order);
      await ctx.pubsub.publish(ORDER_STATUS_CHANGED, { orderStatusChanged: order });
      return order;
    },

    async shipOrder(
      _: unknown,
      { input }: { input: { orderId: string; carrier: string; trackingNumber: string } },
      ctx: Context,
    ) {
      requireRole(ctx, "admin", "warehouse");
      const carrier = input.carrier.toLowerCase();
      if (!TRACKING_URLS[carrier]) throw userInputError(`Unsupported carrier ${input.carrier}`, "carrier");
      if (!/^[A-Z0-9]{8,40}$/i.test(input.trackingNumber)) throw userInputError("Invalid tracking number", "trackingNumber");

      const updated = await ctx.dataSources.orders.update(
        input.orderId,
        {
          status: "SHIPPED",
          shipment: { carrier, trackingNumber: input.trackingNumber.toUpperCase(), shippedAt: new Date() },
        },
        ["PAID", "FULFILLED"],
      );
      if (!updated) {
        throw new GraphQLError(`Order ${input.orderId} cannot be shipped in its current state`, {
          extensions: { code: "CONFLICT" },
        });
      }
      ctx.loaders.order.clear(updated.id).prime(updated.id, updated);
      await ctx.pubsub.publish(ORDER_STATUS_CHANGED, { orderStatusChanged: updated });
      return updated;
    },

    async cancelOrder(_: unknown, { id, reason }: { id: string; reason?: string }, ctx: Context) {
      const viewer = requireViewer(ctx);
      const existing = await ctx.loaders.order.load(id);
      if (!existing || !canSeeCustomer(viewer, existing.customerId)) {
        throw new GraphQLError(`Order ${id} not found`, { extensions: { code: "NOT_FOUND" } });
      }
      if (reason && reason.length > 500) throw userInputError("reason is too long", "reason");
      const updated = await ctx.dataSources.orders.update(id, { status: "CANCELLED" }, ["PENDING", "PAID"]);
      if (!updated) {
        throw new GraphQLError(`Order ${existing.number} can no longer be cancelled`, { extensions: { code: "CONFLICT" } });
      }
      ctx.loaders.order.clear(id).prime(id, updated);
      await ctx.pubsub.publish(ORDER_STATUS_CHANGED, { orderStatusChanged: updated });
      return updated;
    },
  },

  Subscription: {
    orderStatusChanged: {
      subscribe: withFilter(
        (_: unknown, __: unknown, ctx: Context) => {
          requireViewer(ctx);
          return ctx.pubsub.asyncIterator([ORDER_STATUS_CHANGED]);
        },
        (payload: { orderStatusChanged: OrderRow }, args: { customerId?: string }, ctx: Context) => {
          const viewer = ctx.viewer;
          if (!viewer) return false;
          const order = payload.orderStatusChanged;
          if (!canSeeCustomer(viewer, order.customerId)) return false;
          return !args.customerId || args.customerId === order.customerId;
        },
      ),
    },
  },

  Customer: {
    orders(parent: CustomerRow, args: { first?: number; after?: string; status?: OrderStatus }, ctx: Context) {
      return connection(ctx, {
        customerIds: [parent.id],
        status: args.status ? [args.status] : undefined,
        limit: clampFirst(args.first, 50),
        afterKey: args.after ? decodeCursor(args.after) : undefined,
        sort: "DESC",
      });
    },
    async lifetimeValue(parent: CustomerRow, _: unknown, ctx: Context): Promise<Money> {
      return { amount: await ctx.loaders.lifetimeValue.load(parent.id), currency: "USD" };
    },
  },

  Order: {
    async customer(parent: OrderRow, _: unknown, ctx: Context) {
      const c = await ctx.loaders.customer.load(parent.customerId);
      if (!c) throw new GraphQLError(`Dangling customer reference ${parent.customerId}`);
      return c;
    },
    items(parent: OrderRow) {
      return parent.items.map((i) => ({ ...i, currency: parent.currency }));
    },
    total(parent: OrderRow): Money {
      return {
        amount: parent.items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0),
        currency: parent.currency,
      };
    },
  },

  LineItem: {
    unitPrice(parent: { unitPriceCents: number; currency: string }): Money {
      return { amount: parent.unitPriceCents, currency: parent.currency };
    },
    subtotal(parent: { unitPriceCents: number; quantity: number; currency: string }): Money {
      return { amount: parent.unitPriceCents * parent.quantity, currency: parent.currency };
    },
  },

  Shipment: {
    trackingUrl(parent: { carrier: string; trackingNumber: string }) {
      return TRACKING_URLS[parent.carrier]?.(parent.trackingNumber) ?? null;
    },
  },
};

export function buildContext(
  dataSources: DataSources,
  pubsub: PubSub,
  viewer: Viewer | null,
  requestId: string,
): Context {
  return { viewer, dataSources, loaders: createLoaders(dataSources), pubsub, requestId };
}
