// The ingest function's own code: plain TypeScript, no Pulumi. It turns S3 "object created"
// notifications into rendition requests.
export interface S3Record {
    eventName: string;
    s3: { bucket: { name: string }; object: { key: string; size: number } };
}

export interface RenditionRequest {
    source: string;
    key: string;
    width: number;
    output: string;
}

const IMAGE_TYPES = [".jpg", ".jpeg", ".png", ".webp", ".heic"];

export function renditionSizes(setting: string | undefined): number[] {
    return (setting ?? "320")
        .split(",")
        .map(s => Number.parseInt(s.trim(), 10))
        .filter(n => Number.isFinite(n) && n > 0);
}

export function requestsFor(record: S3Record, sizes: number[]): RenditionRequest[] {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
    if (!record.eventName.startsWith("ObjectCreated") || !IMAGE_TYPES.some(t => key.toLowerCase().endsWith(t))) {
        return [];
    }
    const name = key.replace(/^incoming\//, "").replace(/\.[^.]+$/, "");
    return sizes.map(width => ({
        source: `s3://${record.s3.bucket.name}/${key}`,
        key,
        width,
        output: `renditions/${name}/${width}w.webp`,
    }));
}

export async function handler(event: { Records: S3Record[] }): Promise<{ requested: number }> {
    const sizes = renditionSizes(process.env.RENDITION_SIZES);
    const requests = event.Records.flatMap(r => requestsFor(r, sizes));
    for (const request of requests) {
        console.log(JSON.stringify({ bucket: process.env.RENDITIONS_BUCKET, ...request }));
    }
    return { requested: requests.length };
}
