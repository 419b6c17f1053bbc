import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();
const environmentSuffix = config.get("environmentSuffix") || "dev";
const tags = { Project: "trading", Environment: environmentSuffix };

// Network for the database tier.
const vpc = new aws.ec2.Vpc(`trading-vpc-${environmentSuffix}`, {
    cidrBlock: "10.0.0.0/16",
    enableDnsHostnames: true,
    enableDnsSupport: true,
    tags,
});

const dbSubnets = ["10.0.1.0/24", "10.0.2.0/24"].map((cidr, i) =>
    new aws.ec2.Subnet(`trading-db-${i}-${environmentSuffix}`, {
        vpcId: vpc.id,
        cidrBlock: cidr,
        availabilityZone: aws.getAvailabilityZonesOutput().names[i],
        tags,
    }));

const subnetGroup = new aws.rds.SubnetGroup(`trading-db-${environmentSuffix}`, {
    subnetIds: dbSubnets.map(s => s.id),
    tags,
});

// Aurora PostgreSQL for the order book.
const cluster = new aws.rds.Cluster(`trading-db-${environmentSuffix}`, {
    engine: "aurora-postgresql",
    engineVersion: "15.4",
    databaseName: "orders",
    masterUsername: "trader",
    masterPassword: "Tr4d1ng-Pa55w0rd",
    dbSubnetGroupName: subnetGroup.name,
    skipFinalSnapshot: true,
    tags,
});

// Private DNS for the database endpoint.
const zone = new aws.route53.Zone(`trading-zone-${environmentSuffix}`, {
    name: `tradingdb-${environmentSuffix}.example.com`,
    vpcs: [{ vpcId: vpc.id }],
    tags,
});

new aws.route53.Record(`trading-db-cname-${environmentSuffix}`, {
    zoneId: zone.zoneId,
    name: `writer.tradingdb-${environmentSuffix}.example.com`,
    type: "CNAME",
    ttl: 300,
    records: [cluster.endpoint],
});

// Trade archive, replicated to a second bucket with its own KMS key.
const archive = new aws.s3.Bucket(`trading-archive-${environmentSuffix}`, { tags });
const archiveReplica = new aws.s3.Bucket(`trading-archive-replica-${environmentSuffix}`, { tags });
const replicaKey = new aws.kms.Key(`trading-replica-key-${environmentSuffix}`, {
    description: "Encrypts replicated trade archives",
    deletionWindowInDays: 7,
});

const replicationRole = new aws.iam.Role(`trading-replication-${environmentSuffix}`, {
    assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "s3.amazonaws.com" },
            Action: "sts:AssumeRole",
        }],
    }),
});

new aws.s3.BucketReplication(`trading-archive-replication-${environmentSuffix}`, {
    role: replicationRole.arn,
    bucket: archive.id,
    rules: [{
        id: "archive",
        status: "Enabled",
        destination: {
            bucket: archiveReplica.arn,
            storageClass: "STANDARD_IA",
            replicaKmsKeyId: replicaKey.arn,
        },
    }],
});

export const clusterEndpoint = cluster.endpoint;
export const zoneId = zone.zoneId;
