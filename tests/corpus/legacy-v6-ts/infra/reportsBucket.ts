import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface ReportsBucketArgs {
    logBucketId: pulumi.Input<string>;
    retentionDays: number;
    tags: Record<string, string>;
}

/**
 * The reports bucket, on provider 6's S3 resources: `BucketV2` and the `...V2` resources that
 * configure it.
 */
export class ReportsBucket extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.BucketV2;

    constructor(name: string, args: ReportsBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("reports:infra:ReportsBucket", name, {}, opts);

        this.bucket = new aws.s3.BucketV2(name, { tags: args.tags }, { parent: this });

        new aws.s3.BucketPublicAccessBlock(name, {
            bucket: this.bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, { parent: this });

        const versioning = new aws.s3.BucketVersioningV2(name, {
            bucket: this.bucket.id,
            versioningConfiguration: { status: "Enabled" },
        }, { parent: this });

        new aws.s3.BucketServerSideEncryptionConfigurationV2(name, {
            bucket: this.bucket.id,
            rules: [{
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" },
                bucketKeyEnabled: true,
            }],
        }, { parent: this });

        new aws.s3.BucketLifecycleConfigurationV2(name, {
            bucket: this.bucket.id,
            rules: [
                {
                    id: "expire-monthly-reports",
                    status: "Enabled",
                    filter: { prefix: "monthly/" },
                    expiration: { days: args.retentionDays },
                    noncurrentVersionExpiration: { noncurrentDays: 30 },
                },
                {
                    id: "expire-exports",
                    status: "Enabled",
                    filter: { prefix: "exports/" },
                    expiration: { days: 7 },
                },
            ],
        }, { parent: this, dependsOn: [versioning] });

        new aws.s3.BucketLoggingV2(name, {
            bucket: this.bucket.id,
            targetBucket: args.logBucketId,
            targetPrefix: "reports/",
        }, { parent: this });

        new aws.s3.BucketPolicy(name, {
            bucket: this.bucket.id,
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

        this.registerOutputs({ bucket: this.bucket.bucket });
    }
}
