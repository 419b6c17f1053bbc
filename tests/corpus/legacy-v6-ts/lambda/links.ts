// The links function's own code (plain TypeScript, no Pulumi): validates the month and answers
// with where the report is. Signing is done by the S3 client in production; tests use a fake.
export type Signer = (bucket: string, key: string, expiresIn: number) => Promise<string>;

interface ApiEvent {
    pathParameters?: { month?: string } | null;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function reportKey(month: string): string | undefined {
    const match = MONTH.exec(month);
    return match ? `monthly/${match[1]}/${match[2]}/report.pdf` : undefined;
}

export function makeHandler(sign: Signer, bucket: string, ttl: number) {
    return async (event: ApiEvent) => {
        const month = event.pathParameters?.month ?? "";
        const key = reportKey(month);
        if (!key) {
            return { statusCode: 400, body: JSON.stringify({ message: `not a month: ${month}` }) };
        }
        const url = await sign(bucket, key, ttl);
        return { statusCode: 200, body: JSON.stringify({ month, url, expiresIn: ttl }) };
    };
}

const unsignedLink: Signer = async (bucket, key) => `https://${bucket}.s3.amazonaws.com/${key}`;

export const handler = makeHandler(
    unsignedLink,
    process.env.REPORTS_BUCKET ?? "",
    Number(process.env.LINK_TTL_SECONDS ?? "900"),
);
