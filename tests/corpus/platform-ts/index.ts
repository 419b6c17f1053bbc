import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { CheckoutApi } from "./components/checkoutApi";
import { Network } from "./components/network";
import { DeployPipeline } from "./components/pipeline";
import { WebService } from "./components/webService";

const config = new pulumi.Config();
const environmentSuffix = config.get("environmentSuffix") || "dev";
const domain = config.get("domain") || "shop.acme-retail.com";
const repository = config.get("repository") || "acme-retail/storefront";
const desiredCount = config.getNumber("desiredCount") ?? 2;
const tags = {
    Project: "storefront",
    Environment: environmentSuffix,
    ManagedBy: "pulumi",
    Stack: pulumi.getStack(),
};

const network = new Network(`storefront-${environmentSuffix}`, {
    cidrBlock: "10.40.0.0/16",
    azCount: 2,
    tags,
});

const alarms = new aws.sns.Topic(`storefront-alarms-${environmentSuffix}`, { tags });
for (const address of config.getObject<string[]>("alarmEmails") ?? []) {
    new aws.sns.TopicSubscription(`storefront-alarms-${address.split("@")[0]}-${environmentSuffix}`, {
        topic: alarms.arn,
        protocol: "email",
        endpoint: address,
    });
}

const images = new aws.ecr.Repository(`storefront-${environmentSuffix}`, {
    imageTagMutability: "MUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    forceDelete: environmentSuffix !== "prod",
    tags,
});
new aws.ecr.LifecyclePolicy(`storefront-${environmentSuffix}`, {
    repository: images.name,
    policy: JSON.stringify({
        rules: [{
            rulePriority: 1,
            description: "Keep the last 30 images",
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 30 },
            action: { type: "expire" },
        }],
    }),
});

const web = new WebService(`storefront-${environmentSuffix}`, {
    serviceName: "storefront",
    environmentSuffix,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    image: pulumi.interpolate`${images.repositoryUrl}:latest`,
    containerPort: 8080,
    desiredCount,
    environment: {
        STOREFRONT_ENV: environmentSuffix,
        SESSION_STORE: "redis",
    },
    alarmTopicArn: alarms.arn,
    tags,
});

// Session cache: Redis with a replica in a second zone.
const cacheSubnets = new aws.elasticache.SubnetGroup(`storefront-cache-${environmentSuffix}`, {
    subnetIds: network.privateSubnetIds,
    tags,
});
const cacheSecurityGroup = new aws.ec2.SecurityGroup(`storefront-cache-${environmentSuffix}`, {
    vpcId: network.vpcId,
    description: "Storefront tasks to the session cache",
    ingress: [{ protocol: "tcp", fromPort: 6379, toPort: 6379, securityGroups: [web.securityGroupId] }],
    tags,
});
const sessions = new aws.elasticache.ReplicationGroup(`storefront-sessions-${environmentSuffix}`, {
    description: `Storefront sessions (${environmentSuffix})`,
    engine: "redis",
    engineVersion: "7.1",
    parameterGroupName: "default.redis7",
    nodeType: "cache.t4g.small",
    clusterMode: "disabled",
    numCacheClusters: 2,
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    subnetGroupName: cacheSubnets.name,
    securityGroupIds: [cacheSecurityGroup.id],
    atRestEncryptionEnabled: true,
    transitEncryptionEnabled: true,
    snapshotRetentionLimit: 3,
    tags,
});

// DNS: the load balancer while it is healthy, a static maintenance page when it is not.
const zone = aws.route53.getZoneOutput({ name: domain });
const hostname = `${environmentSuffix === "prod" ? "www" : environmentSuffix}.${domain}`;

const health = new aws.route53.HealthCheck(`storefront-${environmentSuffix}`, {
    fqdn: web.loadBalancer.dnsName,
    port: 80,
    type: "HTTP",
    resourcePath: "/healthz",
    failureThreshold: 3,
    requestInterval: 30,
    tags: { ...tags, Name: `storefront-${environmentSuffix}` },
});

const maintenance = new aws.s3.Bucket(`storefront-maintenance-${environmentSuffix}`, {
    bucket: hostname,
    forceDestroy: true,
    tags,
});
const maintenanceEncryption = new aws.s3.BucketServerSideEncryptionConfiguration(`storefront-maintenance-${environmentSuffix}`, {
    bucket: maintenance.id,
    rules: [{
        applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
    }],
});
const maintenanceWebsite = new aws.s3.BucketWebsiteConfiguration(`storefront-maintenance-${environmentSuffix}`, {
    bucket: maintenance.id,
    indexDocument: { suffix: "index.html" },
});
const maintenanceAccess = new aws.s3.BucketPublicAccessBlock(`storefront-maintenance-${environmentSuffix}`, {
    bucket: maintenance.id,
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: false,
    restrictPublicBuckets: false,
});
new aws.s3.BucketPolicy(`storefront-maintenance-${environmentSuffix}`, {
    bucket: maintenance.id,
    policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{
            Sid: "PublicReadMaintenancePage",
            Effect: "Allow",
            Principal: "*",
            Action: "s3:GetObject",
            Resource: pulumi.interpolate`${maintenance.arn}/*`,
        }],
    }),
}, { dependsOn: [maintenanceAccess] });
new aws.s3.BucketObjectv2(`storefront-maintenance-${environmentSuffix}`, {
    bucket: maintenance.id,
    key: "index.html",
    contentType: "text/html",
    source: new pulumi.asset.FileAsset("./static/maintenance.html"),
});

new aws.route53.Record(`storefront-primary-${environmentSuffix}`, {
    zoneId: zone.zoneId,
    name: hostname,
    type: "A",
    setIdentifier: `primary-${environmentSuffix}`,
    healthCheckId: health.id,
    failoverRoutingPolicies: [{ type: "PRIMARY" }],
    aliases: [{ name: web.loadBalancer.dnsName, zoneId: web.loadBalancer.zoneId, evaluateTargetHealth: true }],
});
new aws.route53.Record(`storefront-secondary-${environmentSuffix}`, {
    zoneId: zone.zoneId,
    name: hostname,
    type: "A",
    setIdentifier: `maintenance-${environmentSuffix}`,
    failoverRoutingPolicies: [{ type: "SECONDARY" }],
    aliases: [{ name: maintenanceWebsite.websiteDomain, zoneId: maintenance.hostedZoneId, evaluateTargetHealth: false }],
});

const checkout = new CheckoutApi(`checkout-${environmentSuffix}`, {
    environmentSuffix,
    alarmTopicArn: alarms.arn,
    tags,
});

new DeployPipeline(`storefront-deploy-${environmentSuffix}`, {
    environmentSuffix,
    repository,
    branch: environmentSuffix === "prod" ? "main" : environmentSuffix,
    imageRepositoryUrl: images.repositoryUrl,
    imageRepositoryArn: images.arn,
    clusterName: web.cluster.name,
    serviceName: web.service.name,
    tags,
});

export const vpcId = network.vpcId;
export const url = `http://${hostname}`;
export const loadBalancer = web.loadBalancer.dnsName;
export const sessionStore = sessions.primaryEndpointAddress;
export const checkoutUrl = checkout.stage.invokeUrl;
export const cartsUrl = pulumi.interpolate`${checkout.stage.invokeUrl}/carts`;
