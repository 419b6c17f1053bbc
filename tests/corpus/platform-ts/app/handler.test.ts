import { Cart, CartStore, makeHandler, total } from "./handler";

// Tests of the checkout function, run with `npm test` after `npm run build:app`.
class MemoryStore implements CartStore {
    readonly carts = new Map<string, Cart>();
    async get(cartId: string) { return this.carts.get(cartId); }
    async put(cart: Cart) { this.carts.set(cart.cartId, cart); }
}

function assert(condition: boolean, message: string): void {
    if (!condition) {
        throw new Error(message);
    }
}

async function createsAndReadsACart(): Promise<void> {
    const store = new MemoryStore();
    const handler = makeHandler(store, () => 1_700_000_000_000);
    const items = [{ sku: "tee-blue-m", quantity: 2, unitPrice: 19.5 }];
    const created = await handler({
        httpMethod: "POST",
        body: JSON.stringify(items),
        requestContext: { identity: { user: "c-42" } },
    });
    assert(created.statusCode === 201, `POST answered ${created.statusCode}: ${created.body}`);
    const { cartId } = JSON.parse(created.body);
    const read = await handler({ httpMethod: "GET", body: null, pathParameters: { cartId } });
    const cart = JSON.parse(read.body);
    assert(cart.total === 39, `unexpected total in ${read.body}`);
    assert(total(store.carts.get(cartId)!) === 39, `store holds ${JSON.stringify([...store.carts.values()])}`);
}

async function refusesUnknownMethods(): Promise<void> {
    const handler = makeHandler(new MemoryStore());
    const response = await handler({ httpMethod: "DELETE", body: null });
    assert(response.statusCode === 405, `DELETE answered ${response.statusCode}`);
}

void createsAndReadsACart();
void refusesUnknownMethods();
