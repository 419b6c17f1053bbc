import { handler } from "./handler";

// A test of the handler, as real repositories have next to their infrastructure.
async function ordersAreEchoed(): Promise<void> {
    const order = { id: "o-1", name: "first", items: [{ sku: "a", quantity: 2 }] };
    const response = await handler({ body: JSON.stringify(order) });
    const body = JSON.parse(response.body);
    if (body.id !== order.id || body.count !== 1) {
        throw new Error(`unexpected body ${response.body} for ${order.name}`);
    }
}

void ordersAreEchoed();
