import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";

const config = new pulumi.Config();
const environmentSuffix = config.get("environmentSuffix") || "dev";
const tags = { Project: "warehouse", Environment: environmentSuffix };

// Network, with its traffic recorded.
const vpc = new aws.ec2.Vpc(`warehouse-vpc-${environmentSuffix}`, {
    cidrBlock: "10.20.0.0/16",
    enableDnsHostnames: true,
    enableDnsSupport: true,
    tags,
});

const flowLogGroup = new aws.cloudwatch.LogGroup(`warehouse-flow-logs-${environmentSuffix}`, {
    retentionInDays: 30,
    tags,
});

const flowLogRole = new aws.iam.Role(`warehouse-flow-logs-${environmentSuffix}`, {
    assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
            Action: "sts:AssumeRole",
        }],
    }),
    tags,
});

new aws.iam.RolePolicy(`warehouse-flow-logs-${environmentSuffix}`, {
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

new aws.ec2.FlowLog(`warehouse-vpc-${environmentSuffix}`, {
    vpcId: vpc.id,
    trafficType: "ALL",
    logDestination: flowLogGroup.arn,
    iamRoleArn: flowLogRole.arn,
    maxAggregationInterval: 60,
    tags,
});

const subnets = ["10.20.1.0/24", "10.20.2.0/24"].map((cidr, i) =>
    new aws.ec2.Subnet(`warehouse-db-${i}-${environmentSuffix}`, {
        vpcId: vpc.id,
        cidrBlock: cidr,
        availabilityZone: aws.getAvailabilityZonesOutput().names[i],
        tags,
    }));

const nat = new aws.ec2.Eip(`warehouse-nat-${environmentSuffix}`, { domain: "vpc", tags });

// Aurora PostgreSQL, on a version RDS offers, with a generated password.
const subnetGroup = new aws.rds.SubnetGroup(`warehouse-db-${environmentSuffix}`, {
    subnetIds: subnets.map(s => s.id),
    tags,
});

const masterPassword = new random.RandomPassword(`warehouse-db-${environmentSuffix}`, {
    length: 32,
    special: false,
});

const cluster = new aws.rds.Cluster(`warehouse-db-${environmentSuffix}`, {
    engine: "aurora-postgresql",
    engineVersion: "15.8",
    databaseName: "warehouse",
    masterUsername: "dbadmin",
    masterPassword: masterPassword.result,
    dbSubnetGroupName: subnetGroup.name,
    skipFinalSnapshot: true,
    tags,
});

const writer = new aws.rds.ClusterInstance(`warehouse-db-writer-${environmentSuffix}`, {
    clusterIdentifier: cluster.id,
    instanceClass: "db.t3.medium",
    engine: "aurora-postgresql",
    engineVersion: cluster.engineVersion,
    tags,
});

// Private DNS for the database, on a domain the company owns.
const zone = new aws.route53.Zone(`warehouse-zone-${environmentSuffix}`, {
    name: `warehouse-${environmentSuffix}.acme-analytics.net`,
    vpcs: [{ vpcId: vpc.id }],
    tags,
});

new aws.route53.Record(`warehouse-writer-${environmentSuffix}`, {
    zoneId: zone.zoneId,
    name: `writer.warehouse-${environmentSuffix}.acme-analytics.net`,
    type: "CNAME",
    ttl: 300,
    records: [writer.endpoint],
});

// Archive bucket, replicated to a second region, with its settings as separate resources.
const replicaProvider = new aws.Provider("replica", { region: "us-west-2" });

const archive = new aws.s3.Bucket(`warehouse-archive-${environmentSuffix}`, {
    forceDestroy: true,
    tags,
});
const replica = new aws.s3.Bucket(`warehouse-archive-replica-${environmentSuffix}`, {
    forceDestroy: true,
    tags,
}, { provider: replicaProvider });
const replicaEncryption = new aws.s3.BucketServerSideEncryptionConfiguration(`warehouse-archive-replica-${environmentSuffix}`, {
    bucket: replica.id,
    rules: [{
        applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
    }],
}, { provider: replicaProvider });

for (const [name, bucket, opts] of [
    ["archive", archive, {}],
    ["replica", replica, { provider: replicaProvider }],
] as const) {
    new aws.s3.BucketVersioning(`warehouse-${name}-${environmentSuffix}`, {
        bucket: bucket.id,
        versioningConfiguration: { status: "Enabled" },
    }, opts);
    new aws.s3.BucketPublicAccessBlock(`warehouse-${name}-${environmentSuffix}`, {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
    }, opts);
}

new aws.s3.BucketServerSideEncryptionConfiguration(`warehouse-archive-${environmentSuffix}`, {
    bucket: archive.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
});

new aws.s3.BucketLifecycleConfiguration(`warehouse-archive-${environmentSuffix}`, {
    bucket: archive.id,
    rules: [{
        id: "expire-old-versions",
        status: "Enabled",
        filter: { prefix: "exports/" },
        noncurrentVersionExpiration: { noncurrentDays: 90 },
    }],
});

const replicaKey = new aws.kms.Key(`warehouse-replica-${environmentSuffix}`, {
    description: "Replica encryption",
    deletionWindowInDays: 7,
}, { provider: replicaProvider });

const replicationRole = new aws.iam.Role(`warehouse-replication-${environmentSuffix}`, {
    assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "s3.amazonaws.com" }),
    tags,
});

new aws.iam.RolePolicy(`warehouse-replication-${environmentSuffix}`, {
    role: replicationRole.id,
    policy: pulumi.all([archive.arn, replica.arn]).apply(([source, destination]) =>
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: source },
                { Effect: "Allow", Action: ["s3:GetObjectVersionForReplication"], Resource: `${source}/*` },
                { Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete"], Resource: `${destination}/*` },
            ],
        })),
});

new aws.s3.BucketReplicationConfig(`warehouse-archive-replication-${environmentSuffix}`, {
    bucket: archive.id,
    role: replicationRole.arn,
    rules: [{
        id: "everything",
        status: "Enabled",
        filter: {},
        deleteMarkerReplication: { status: "Enabled" },
        sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
        destination: {
            bucket: replica.arn,
            storageClass: "STANDARD_IA",
            encryptionConfiguration: { replicaKmsKeyId: replicaKey.arn },
        },
    }],
});

export const vpcId = vpc.id;
export const natAddress = nat.publicIp;
export const databaseEndpoint = cluster.endpoint;
export const databaseUrl = pulumi.interpolate`postgresql://dbadmin@${cluster.endpoint}:5432/warehouse`;
export const archiveBucket = archive.bucket;
export const summary = `warehouse stack ${environmentSuffix} in ${pulumi.getStack()}`;
