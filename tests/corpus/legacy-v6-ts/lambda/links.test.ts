import { makeHandler, reportKey } from "./links";

function expect(condition: boolean, message: string): void {
    if (!condition) {
        throw new Error(message);
    }
}

async function main(): Promise<void> {
    expect(reportKey("2024-03") === "monthly/2024/03/report.pdf", "key of March 2024");
    expect(reportKey("2024-13") === undefined, "no 13th month");

    const handler = makeHandler(async (bucket, key, ttl) => `https://signed/${bucket}/${key}?ttl=${ttl}`, "reports-test", 60);
    const ok = await handler({ pathParameters: { month: "2024-01" } });
    expect(ok.statusCode === 200 && JSON.parse(ok.body).url === "https://signed/reports-test/monthly/2024/01/report.pdf?ttl=60",
        `unexpected answer ${ok.body}`);
    const bad = await handler({ pathParameters: { month: "last" } });
    expect(bad.statusCode === 400, `unexpected status ${bad.statusCode}`);
}

void main();
