import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface OrdersServiceArgs {
    environmentSuffix: string;
}

/** The orders function, its table, image repository, alarms and deploy pipeline. */
export class OrdersService extends pulumi.ComponentResource {
    public readonly handler: aws.lambda.Function;
    public readonly repository: aws.ecr.Repository;

    constructor(name: string, args: OrdersServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("acme:orders:Service", name, {}, opts);
        const suffix = args.environmentSuffix;

        const table = new aws.dynamodb.Table(`${name}-orders`, {
            attributes: [{ name: "id", type: "S" }],
            hashKey: "id",
            billingMode: "PAY_PER_REQUEST",
        }, { parent: this });

        this.repository = new aws.ecr.Repository(`${name}-images`, {
            forceDelete: true,
        }, { parent: this });

        const role = new aws.iam.Role(`${name}-handler`, {
            assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
        }, { parent: this });
        new aws.iam.RolePolicyAttachment(`${name}-handler-logs`, {
            role: role.name,
            policyArn: aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole,
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-handler-table`, {
            role: role.id,
            policy: table.arn.apply(arn => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: ["dynamodb:PutItem", "dynamodb:GetItem"], Resource: arn }],
            })),
        }, { parent: this });

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-handler`, {
            name: `/aws/lambda/orders-handler-${suffix}`,
            retentionInDays: 14,
        }, { parent: this });

        this.handler = new aws.lambda.Function(`${name}-handler`, {
            name: `orders-handler-${suffix}`,
            runtime: aws.lambda.Runtime.NodeJS20dX,
            handler: "handler.handler",
            role: role.arn,
            code: new pulumi.asset.FileArchive("../app"),
            timeout: 10,
            environment: {
                variables: {
                    TABLE_NAME: table.name,
                    LOG_LEVEL: "info",
                    NODE_OPTIONS: "--enable-source-maps",
                },
            },
        }, { parent: this, dependsOn: [logGroup] });

        const errors = new aws.cloudwatch.MetricAlarm(`${name}-errors`, {
            name: `orders-handler-errors-${suffix}`,
            comparisonOperator: "GreaterThanThreshold",
            evaluationPeriods: 1,
            metricName: "Errors",
            namespace: "AWS/Lambda",
            period: 300,
            statistic: "Sum",
            threshold: 0,
            dimensions: { FunctionName: this.handler.name },
        }, { parent: this });

        // Builds the image on every push to the repository.
        const artifacts = new aws.s3.Bucket(`${name}-artifacts`, { forceDestroy: true }, { parent: this });
        const artifactsPublicAccessBlock = new aws.s3.BucketPublicAccessBlock(`${name}-artifacts`, {
            bucket: artifacts.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, { parent: this });
        const artifactsEncryption = new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-artifacts`, {
            bucket: artifacts.id,
            rules: [{
                applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
            }],
        }, { parent: this });
        const pipelineRole = new aws.iam.Role(`${name}-pipeline`, {
            assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "codepipeline.amazonaws.com" }),
        }, { parent: this });
        new aws.codepipeline.Pipeline(`${name}-pipeline`, {
            roleArn: pipelineRole.arn,
            artifactStores: [{ location: artifacts.bucket, type: "S3" }],
            stages: [
                {
                    name: "Source",
                    actions: [{
                        name: "Source",
                        category: "Source",
                        owner: "AWS",
                        provider: "ECR",
                        version: "1",
                        outputArtifacts: ["image"],
                        configuration: { RepositoryName: this.repository.name, ImageTag: "latest" },
                    }],
                },
                {
                    name: "Deploy",
                    actions: [{
                        name: "Deploy",
                        category: "Deploy",
                        owner: "AWS",
                        provider: "ECS",
                        version: "1",
                        inputArtifacts: ["image"],
                        configuration: { ClusterName: `orders-${suffix}`, ServiceName: `orders-${suffix}` },
                    }],
                },
            ],
        }, { parent: this });

        this.registerOutputs({ handler: this.handler.arn, alarm: errors.arn });
    }
}
