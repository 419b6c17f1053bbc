import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { CatalogDatabase } from "./database";
import { SecureBucket } from "./secureBucket";

const config = new pulumi.Config();
const environmentSuffix = config.get("environmentSuffix") || "dev";
const retainUploadsDays = config.getNumber("retainUploadsDays") ?? 90;
const tags = { Project: "media-library", Environment: environmentSuffix, CostCenter: "media" };

// Network: private subnets only, reaching S3 and Secrets Manager through endpoints.
const vpc = new aws.ec2.Vpc(`media-vpc-${environmentSuffix}`, {
    cidrBlock: "10.60.0.0/16",
    enableDnsHostnames: true,
    enableDnsSupport: true,
    tags: { ...tags, Name: `media-vpc-${environmentSuffix}` },
});

const flowLogGroup = new aws.cloudwatch.LogGroup(`media-vpc-flow-logs-${environmentSuffix}`, {
    retentionInDays: 365,
    tags,
});
const flowLogRole = new aws.iam.Role(`media-vpc-flow-logs-${environmentSuffix}`, {
    assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "vpc-flow-logs.amazonaws.com" }),
    tags,
});
new aws.iam.RolePolicy(`media-vpc-flow-logs-${environmentSuffix}`, {
    role: flowLogRole.id,
    policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: pulumi.interpolate`${flowLogGroup.arn}:*`,
        }],
    }),
});
new aws.ec2.FlowLog(`media-vpc-${environmentSuffix}`, {
    vpcId: vpc.id,
    trafficType: "REJECT",
    logDestination: flowLogGroup.arn,
    iamRoleArn: flowLogRole.arn,
    maxAggregationInterval: 60,
    tags,
});

const zones = aws.getAvailabilityZonesOutput({ state: "available" });
const privateSubnets = [0, 1, 2].map(i =>
    new aws.ec2.Subnet(`media-private-${i}-${environmentSuffix}`, {
        vpcId: vpc.id,
        cidrBlock: `10.60.${i * 16}.0/20`,
        availabilityZone: zones.names[i],
        tags: { ...tags, Name: `media-private-${i}-${environmentSuffix}` },
    }));
const privateRoutes = new aws.ec2.RouteTable(`media-private-${environmentSuffix}`, { vpcId: vpc.id, tags });
privateSubnets.forEach((subnet, i) =>
    new aws.ec2.RouteTableAssociation(`media-private-${i}-${environmentSuffix}`, {
        subnetId: subnet.id,
        routeTableId: privateRoutes.id,
    }));

const region = aws.getRegionOutput().region;
new aws.ec2.VpcEndpoint(`media-s3-${environmentSuffix}`, {
    vpcId: vpc.id,
    serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
    vpcEndpointType: "Gateway",
    routeTableIds: [privateRoutes.id],
    tags,
});
const functionSecurityGroup = new aws.ec2.SecurityGroup(`media-ingest-${environmentSuffix}`, {
    vpcId: vpc.id,
    description: "Ingest function",
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
    tags,
});
const endpointSecurityGroup = new aws.ec2.SecurityGroup(`media-endpoints-${environmentSuffix}`, {
    vpcId: vpc.id,
    description: "HTTPS to the interface endpoints",
    ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: [functionSecurityGroup.id] }],
    tags,
});
new aws.ec2.VpcEndpoint(`media-secretsmanager-${environmentSuffix}`, {
    vpcId: vpc.id,
    serviceName: pulumi.interpolate`com.amazonaws.${region}.secretsmanager`,
    vpcEndpointType: "Interface",
    privateDnsEnabled: true,
    subnetIds: privateSubnets.map(s => s.id),
    securityGroupIds: [endpointSecurityGroup.id],
    tags,
});

// One key for the buckets and the database.
const key = new aws.kms.Key(`media-${environmentSuffix}`, {
    description: `Media library data (${environmentSuffix})`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    tags,
});
new aws.kms.Alias(`media-${environmentSuffix}`, {
    name: `alias/media-${environmentSuffix}`,
    targetKeyId: key.keyId,
});

// Access logs: S3 log delivery writes with the bucket ACL, which needs ACLs enabled.
const accessLogs = new aws.s3.Bucket(`media-access-logs-${environmentSuffix}`, {
    forceDestroy: environmentSuffix !== "prod",
    tags,
});
const accessLogsOwnership = new aws.s3.BucketOwnershipControls(`media-access-logs-${environmentSuffix}`, {
    bucket: accessLogs.id,
    rule: { objectOwnership: "BucketOwnerPreferred" },
});
const accessLogsPublicAccess = new aws.s3.BucketPublicAccessBlock(`media-access-logs-${environmentSuffix}`, {
    bucket: accessLogs.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
});
new aws.s3.BucketAcl(`media-access-logs-${environmentSuffix}`, {
    bucket: accessLogs.id,
    acl: "log-delivery-write",
}, { dependsOn: [accessLogsOwnership, accessLogsPublicAccess] });
new aws.s3.BucketServerSideEncryptionConfiguration(`media-access-logs-${environmentSuffix}`, {
    bucket: accessLogs.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
});
new aws.s3.BucketLifecycleConfiguration(`media-access-logs-${environmentSuffix}`, {
    bucket: accessLogs.id,
    rules: [{
        id: "expire-access-logs",
        status: "Enabled",
        filter: { prefix: "s3/" },
        expiration: { days: 365 },
    }],
});

// The media buckets.
const buckets: Record<string, SecureBucket> = {};
for (const [purpose, lifecycle] of [
    ["uploads", [{ id: "expire-incoming", prefix: "incoming/", expireAfterDays: retainUploadsDays }]],
    ["renditions", [
        { id: "expire-previews", prefix: "previews/", expireAfterDays: 30 },
        { id: "expire-thumbnails", prefix: "thumbnails/", expireAfterDays: 180 },
    ]],
] as const) {
    buckets[purpose] = new SecureBucket(`media-${purpose}-${environmentSuffix}`, {
        kmsKeyArn: key.arn,
        accessLogs: { bucket: accessLogs.id, prefix: `s3/${purpose}/` },
        lifecycle: [...lifecycle],
        forceDestroy: environmentSuffix !== "prod",
        tags: { ...tags, Purpose: purpose },
    });
}
const uploads = buckets["uploads"].bucket;
const renditions = buckets["renditions"].bucket;

// The public gallery: a static website bucket readable by anyone.
const site = new aws.s3.Bucket(`media-gallery-${environmentSuffix}`, {
    forceDestroy: true,
    tags,
});
const siteEncryption = new aws.s3.BucketServerSideEncryptionConfiguration(`media-gallery-${environmentSuffix}`, {
    bucket: site.id,
    rules: [{
        applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
    }],
});
const gallery = new aws.s3.BucketWebsiteConfiguration(`media-gallery-${environmentSuffix}`, {
    bucket: site.id,
    indexDocument: { suffix: "index.html" },
    errorDocument: { key: "404.html" },
    routingRules: [{
        condition: { keyPrefixEquals: "albums/" },
        redirect: { replaceKeyPrefixWith: "gallery/" },
    }],
});
const sitePublicAccess = new aws.s3.BucketPublicAccessBlock(`media-gallery-${environmentSuffix}`, {
    bucket: site.id,
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: false,
    restrictPublicBuckets: false,
});
new aws.s3.BucketPolicy(`media-gallery-${environmentSuffix}`, {
    bucket: site.id,
    policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{
            Sid: "PublicRead",
            Effect: "Allow",
            Principal: "*",
            Action: "s3:GetObject",
            Resource: pulumi.interpolate`${site.arn}/*`,
        }],
    }),
}, { dependsOn: [sitePublicAccess] });
new aws.s3.BucketLogging(`media-gallery-${environmentSuffix}`, {
    bucket: site.id,
    targetBucket: accessLogs.id,
    targetPrefix: "s3/gallery/",
});

// The ingest function: records each upload in the catalogue and writes a rendition request.
const ingestRole = new aws.iam.Role(`media-ingest-${environmentSuffix}`, {
    assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
    tags,
});
new aws.iam.RolePolicyAttachment(`media-ingest-vpc-${environmentSuffix}`, {
    role: ingestRole.name,
    policyArn: aws.iam.ManagedPolicy.AWSLambdaVPCAccessExecutionRole,
});

const database = new CatalogDatabase(`media-catalog-${environmentSuffix}`, {
    environmentSuffix,
    vpcId: vpc.id,
    subnetIds: privateSubnets.map(s => s.id),
    clientSecurityGroupIds: [functionSecurityGroup.id],
    kmsKeyArn: key.arn,
    instanceCount: environmentSuffix === "prod" ? 2 : 1,
    tags,
});

new aws.iam.RolePolicy(`media-ingest-${environmentSuffix}`, {
    role: ingestRole.id,
    policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectTagging"], Resource: pulumi.interpolate`${uploads.arn}/incoming/*` },
            { Effect: "Allow", Action: "s3:PutObject", Resource: pulumi.interpolate`${renditions.arn}/requests/*` },
            { Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: key.arn },
            { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: database.secretArn },
        ],
    }),
});

const ingestLogs = new aws.cloudwatch.LogGroup(`media-ingest-${environmentSuffix}`, {
    name: `/aws/lambda/media-ingest-${environmentSuffix}`,
    retentionInDays: 30,
    tags,
});
const ingest = new aws.lambda.Function(`media-ingest-${environmentSuffix}`, {
    name: `media-ingest-${environmentSuffix}`,
    runtime: aws.lambda.Runtime.NodeJS20dX,
    handler: "ingest.handler",
    role: ingestRole.arn,
    code: new pulumi.asset.FileArchive("./functions/ingest/dist"),
    memorySize: 512,
    timeout: 60,
    vpcConfig: {
        subnetIds: privateSubnets.map(s => s.id),
        securityGroupIds: [functionSecurityGroup.id],
    },
    environment: {
        variables: {
            RENDITIONS_BUCKET: renditions.bucket,
            CATALOG_SECRET_ARN: database.secretArn,
            RENDITION_SIZES: "320,1280,2560",
        },
    },
    tags,
}, { dependsOn: [ingestLogs] });

const allowS3 = new aws.lambda.Permission(`media-ingest-${environmentSuffix}`, {
    action: "lambda:InvokeFunction",
    function: ingest.name,
    principal: "s3.amazonaws.com",
    sourceArn: uploads.arn,
});
new aws.s3.BucketNotification(`media-uploads-${environmentSuffix}`, {
    bucket: uploads.id,
    lambdaFunctions: [{
        lambdaFunctionArn: ingest.arn,
        events: ["s3:ObjectCreated:*"],
        filterPrefix: "incoming/",
    }],
}, { dependsOn: [allowS3] });

export const uploadsBucket = uploads.bucket;
export const renditionsBucket = renditions.bucket;
export const accessLogsBucket = accessLogs.bucket;
export const galleryUrl = pulumi.interpolate`http://${gallery.websiteEndpoint}`;
export const catalogEndpoint = database.cluster.endpoint;
export const catalogReaderEndpoint = database.cluster.readerEndpoint;
export const catalogSecretArn = database.secretArn;
