// The Lambda function's own code: plain TypeScript, no Pulumi. JSON.stringify and template
// literals over ordinary objects here are correct and must stay as they are.
interface Order {
    id: string;
    name: string;
    arn?: string;
    items: { sku: string; quantity: number }[];
}

interface ApiEvent {
    body: string | null;
    pathParameters?: { id?: string };
}

export async function handler(event: ApiEvent): Promise<{ statusCode: number; body: string }> {
    const order: Order = JSON.parse(event.body ?? "{}");
    const region = process.env.AWS_REGION ?? "us-east-1";
    const table = process.env.TABLE_NAME;
    console.log(`order ${order.id} (${order.name}) in ${region} for ${table}`);
    return {
        statusCode: 200,
        body: JSON.stringify({ id: order.id, name: order.name, arn: order.arn, count: order.items.length }),
    };
}
