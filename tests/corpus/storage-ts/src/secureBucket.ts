import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface LifecycleRule {
    id: string;
    prefix: string;
    expireAfterDays: number;
}

export interface SecureBucketArgs {
    kmsKeyArn?: pulumi.Input<string>;
    /** Bucket receiving this bucket's server access logs. */
    accessLogs?: { bucket: pulumi.Input<string>; prefix: string };
    lifecycle?: LifecycleRule[];
    forceDestroy?: boolean;
    tags: Record<string, string>;
}

/**
 * A private, versioned, encrypted bucket that refuses plain HTTP. Every setting is its own
 * resource, as the S3 API has them.
 */
export class SecureBucket extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("acme:storage:SecureBucket", name, {}, opts);

        this.bucket = new aws.s3.Bucket(name, {
            forceDestroy: args.forceDestroy ?? false,
            tags: args.tags,
        }, { parent: this });
        const bucketId = this.bucket.id;

        new aws.s3.BucketOwnershipControls(name, {
            bucket: bucketId,
            rule: { objectOwnership: "BucketOwnerEnforced" },
        }, { parent: this });

        new aws.s3.BucketPublicAccessBlock(name, {
            bucket: bucketId,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, { parent: this });

        const versioning = new aws.s3.BucketVersioning(name, {
            bucket: bucketId,
            versioningConfiguration: { status: "Enabled" },
        }, { parent: this });

        new aws.s3.BucketServerSideEncryptionConfiguration(name, {
            bucket: bucketId,
            rules: [{
                applyServerSideEncryptionByDefault: args.kmsKeyArn
                    ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }
                    : { sseAlgorithm: "AES256" },
                bucketKeyEnabled: args.kmsKeyArn !== undefined,
            }],
        }, { parent: this });

        if (args.lifecycle && args.lifecycle.length > 0) {
            new aws.s3.BucketLifecycleConfiguration(name, {
                bucket: bucketId,
                rules: [
                    ...args.lifecycle.map(rule => ({
                        id: rule.id,
                        status: "Enabled",
                        filter: { prefix: rule.prefix },
                        expiration: { days: rule.expireAfterDays },
                    })),
                    {
                        id: "old-versions",
                        status: "Enabled",
                        filter: {},
                        noncurrentVersionExpiration: { noncurrentDays: 30 },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    },
                ],
            }, { parent: this, dependsOn: [versioning] });
        }

        if (args.accessLogs) {
            new aws.s3.BucketLogging(name, {
                bucket: bucketId,
                targetBucket: args.accessLogs.bucket,
                targetPrefix: args.accessLogs.prefix,
            }, { parent: this });
        }

        new aws.s3.BucketPolicy(name, {
            bucket: bucketId,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                }],
            }),
        }, { parent: this });

        this.registerOutputs({ bucket: this.bucket.bucket, arn: this.bucket.arn });
    }
}
