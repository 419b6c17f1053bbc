import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { OrdersService } from "./service";

const config = new pulumi.Config();
const environmentSuffix = config.get("environmentSuffix") || "dev";
// The image the service runs: a version the release pipeline publishes, pinned per stack.
const imageTag = config.get("imageTag") || "1.0.0";

const service = new OrdersService(`orders-${environmentSuffix}`, { environmentSuffix });

// The API in front of the function: the stage is its own resource.
const api = new aws.apigateway.RestApi(`orders-api-${environmentSuffix}`, {
    description: `Orders API (${environmentSuffix})`,
});
const resource = new aws.apigateway.Resource(`orders-${environmentSuffix}`, {
    restApi: api.id,
    parentId: api.rootResourceId,
    pathPart: "orders",
});
const method = new aws.apigateway.Method(`orders-post-${environmentSuffix}`, {
    restApi: api.id,
    resourceId: resource.id,
    httpMethod: "POST",
    authorization: "NONE",
});
const integration = new aws.apigateway.Integration(`orders-post-${environmentSuffix}`, {
    restApi: api.id,
    resourceId: resource.id,
    httpMethod: method.httpMethod,
    integrationHttpMethod: "POST",
    type: "AWS_PROXY",
    uri: service.handler.invokeArn,
});
const deployment = new aws.apigateway.Deployment(`orders-${environmentSuffix}`, {
    restApi: api.id,
    triggers: { redeployment: pulumi.jsonStringify([resource.id, method.id, integration.id]) },
}, { dependsOn: [integration] });
const stage = new aws.apigateway.Stage(`orders-${environmentSuffix}`, {
    restApi: api.id,
    deployment: deployment.id,
    stageName: environmentSuffix,
});
new aws.lambda.Permission(`orders-api-${environmentSuffix}`, {
    action: "lambda:InvokeFunction",
    function: service.handler.name,
    principal: "apigateway.amazonaws.com",
    sourceArn: pulumi.interpolate`${api.executionArn}/*/*`,
});

// Containers behind a load balancer, on Fargate capacity providers.
const vpc = aws.ec2.getVpcOutput({ default: true });
const subnets = aws.ec2.getSubnetsOutput({ filters: [{ name: "vpc-id", values: [vpc.id] }] });

const alb = new aws.lb.LoadBalancer(`orders-${environmentSuffix}`, {
    name: `orders-${environmentSuffix}`,
    loadBalancerType: "application",
    subnets: subnets.ids,
});
const targetGroup = new aws.lb.TargetGroup(`orders-${environmentSuffix}`, {
    namePrefix: "ord-",
    port: 8080,
    protocol: "HTTP",
    targetType: "ip",
    vpcId: vpc.id,
});
new aws.lb.Listener(`orders-${environmentSuffix}`, {
    loadBalancerArn: alb.arn,
    port: 80,
    defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
});

const cluster = new aws.ecs.Cluster(`orders-${environmentSuffix}`);
new aws.ecs.ClusterCapacityProviders(`orders-${environmentSuffix}`, {
    clusterName: cluster.name,
    capacityProviders: ["FARGATE", "FARGATE_SPOT"],
});
const taskDefinition = new aws.ecs.TaskDefinition(`orders-${environmentSuffix}`, {
    family: `orders-${environmentSuffix}`,
    cpu: "256",
    memory: "512",
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    containerDefinitions: pulumi.jsonStringify([{
        name: "orders",
        image: pulumi.interpolate`${service.repository.repositoryUrl}:${imageTag}`,
        portMappings: [{ containerPort: 8080 }],
    }]),
});
new aws.ecs.Service(`orders-${environmentSuffix}`, {
    cluster: cluster.arn,
    taskDefinition: taskDefinition.arn,
    desiredCount: 2,
    capacityProviderStrategies: [
        { capacityProvider: "FARGATE", weight: 1, base: 1 },
        { capacityProvider: "FARGATE_SPOT", weight: 3 },
    ],
    networkConfiguration: { subnets: subnets.ids, assignPublicIp: true },
    loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: "orders", containerPort: 8080 }],
});

// Session cache.
new aws.elasticache.ReplicationGroup(`orders-cache-${environmentSuffix}`, {
    description: `Orders sessions (${environmentSuffix})`,
    engine: "redis",
    nodeType: "cache.t4g.small",
    numCacheClusters: 2,
    automaticFailoverEnabled: true,
});

// Failover DNS for the API.
const zone = aws.route53.getZoneOutput({ name: "orders.acme-analytics.net" });
new aws.route53.Record(`orders-primary-${environmentSuffix}`, {
    zoneId: zone.zoneId,
    name: `api-${environmentSuffix}.orders.acme-analytics.net`,
    type: "A",
    setIdentifier: `primary-${environmentSuffix}`,
    failoverRoutingPolicies: [{ type: "PRIMARY" }],
    aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }],
});

export const url = pulumi.interpolate`${stage.invokeUrl}/orders`;
export const loadBalancer = alb.dnsName;
