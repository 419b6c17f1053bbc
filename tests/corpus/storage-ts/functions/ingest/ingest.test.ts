import { renditionSizes, requestsFor, S3Record } from "./ingest";

// Tests of the ingest function, run with `npm test` after `npm run build:functions`.
function check(condition: boolean, message: string): void {
    if (!condition) {
        throw new Error(message);
    }
}

const upload: S3Record = {
    eventName: "ObjectCreated:Put",
    s3: { bucket: { name: "media-uploads-dev" }, object: { key: "incoming/summer+trip/beach.JPG", size: 2048 } },
};

const requests = requestsFor(upload, renditionSizes("320, 1280"));
check(requests.length === 2, `expected two requests, got ${JSON.stringify(requests)}`);
check(requests[0].output === "renditions/summer trip/beach/320w.webp", `unexpected output ${requests[0].output}`);
check(requestsFor({ ...upload, s3: { ...upload.s3, object: { key: "incoming/notes.txt", size: 10 } } }, [320]).length === 0,
    "text files get no renditions");
check(renditionSizes(undefined).join() === "320", "default size");
