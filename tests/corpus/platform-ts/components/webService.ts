import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface WebServiceArgs {
    /** Short service name, used in AWS names (load balancer names are limited to 32 characters). */
    serviceName: string;
    environmentSuffix: string;
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<string>[];
    privateSubnetIds: pulumi.Input<string>[];
    image: pulumi.Input<string>;
    containerPort: number;
    desiredCount: number;
    environment: Record<string, pulumi.Input<string>>;
    alarmTopicArn: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** A container service on Fargate (on-demand and Spot) behind an application load balancer. */
export class WebService extends pulumi.ComponentResource {
    public readonly loadBalancer: aws.lb.LoadBalancer;
    public readonly cluster: aws.ecs.Cluster;
    public readonly service: aws.ecs.Service;
    public readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: WebServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("acme:web:Service", name, {}, opts);
        const { serviceName, environmentSuffix, tags } = args;
        const region = aws.getRegionOutput({}, { parent: this }).region;

        const albSecurityGroup = new aws.ec2.SecurityGroup(`${name}-alb`, {
            vpcId: args.vpcId,
            description: `Public HTTP(S) to the ${serviceName} load balancer`,
            ingress: [
                { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] },
                { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
            ],
            egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
            tags,
        }, { parent: this });
        const taskSecurityGroup = new aws.ec2.SecurityGroup(`${name}-tasks`, {
            vpcId: args.vpcId,
            description: `Load balancer to the ${serviceName} tasks`,
            ingress: [{
                protocol: "tcp",
                fromPort: args.containerPort,
                toPort: args.containerPort,
                securityGroups: [albSecurityGroup.id],
            }],
            egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
            tags,
        }, { parent: this });
        this.securityGroupId = taskSecurityGroup.id;

        this.loadBalancer = new aws.lb.LoadBalancer(`${name}-alb`, {
            name: `${serviceName}-${environmentSuffix}`,
            loadBalancerType: "application",
            securityGroups: [albSecurityGroup.id],
            subnets: args.publicSubnetIds,
            dropInvalidHeaderFields: true,
            tags,
        }, { parent: this });

        const targetGroup = new aws.lb.TargetGroup(`${name}-web`, {
            name: `${serviceName}-web-${environmentSuffix}`,
            port: args.containerPort,
            protocol: "HTTP",
            targetType: "ip",
            vpcId: args.vpcId,
            deregistrationDelay: 30,
            healthCheck: {
                path: "/healthz",
                matcher: "200",
                interval: 15,
                healthyThreshold: 2,
                unhealthyThreshold: 3,
            },
            tags,
        }, { parent: this });

        new aws.lb.Listener(`${name}-http`, {
            loadBalancerArn: this.loadBalancer.arn,
            port: 80,
            protocol: "HTTP",
            defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            tags,
        }, { parent: this });

        this.cluster = new aws.ecs.Cluster(`${name}-cluster`, {
            settings: [{ name: "containerInsights", value: "enabled" }],
            tags,
        }, { parent: this });
        new aws.ecs.ClusterCapacityProviders(`${name}-cluster`, {
            clusterName: this.cluster.name,
            capacityProviders: ["FARGATE", "FARGATE_SPOT"],
            defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1, base: 1 }],
        }, { parent: this });

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-containers`, {
            name: `/ecs/${serviceName}-${environmentSuffix}`,
            retentionInDays: 30,
            tags,
        }, { parent: this });

        const executionRole = new aws.iam.Role(`${name}-execution`, {
            assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ecs-tasks.amazonaws.com" }),
            tags,
        }, { parent: this });
        new aws.iam.RolePolicyAttachment(`${name}-execution`, {
            role: executionRole.name,
            policyArn: aws.iam.ManagedPolicy.AmazonECSTaskExecutionRolePolicy,
        }, { parent: this });
        const taskRole = new aws.iam.Role(`${name}-task`, {
            assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ecs-tasks.amazonaws.com" }),
            tags,
        }, { parent: this });

        const taskDefinition = new aws.ecs.TaskDefinition(`${name}-web`, {
            family: `${serviceName}-web-${environmentSuffix}`,
            cpu: "512",
            memory: "1024",
            networkMode: "awsvpc",
            requiresCompatibilities: ["FARGATE"],
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
            executionRoleArn: executionRole.arn,
            taskRoleArn: taskRole.arn,
            containerDefinitions: pulumi.jsonStringify([{
                name: "web",
                image: args.image,
                essential: true,
                portMappings: [{ containerPort: args.containerPort, protocol: "tcp" }],
                environment: Object.entries(args.environment).map(([key, value]) => ({ name: key, value })),
                logConfiguration: {
                    logDriver: "awslogs",
                    options: {
                        "awslogs-group": logGroup.name,
                        "awslogs-region": region,
                        "awslogs-stream-prefix": "web",
                    },
                },
            }]),
            tags,
        }, { parent: this });

        // Capacity comes from the strategy: one on-demand task, then three Spot tasks for one
        // on-demand. (A service with a capacity provider strategy takes no launch type.)
        this.service = new aws.ecs.Service(`${name}-web`, {
            name: `${serviceName}-web`,
            cluster: this.cluster.arn,
            taskDefinition: taskDefinition.arn,
            desiredCount: args.desiredCount,
            capacityProviderStrategies: [
                { capacityProvider: "FARGATE", weight: 1, base: 1 },
                { capacityProvider: "FARGATE_SPOT", weight: 3 },
            ],
            platformVersion: "LATEST",
            networkConfiguration: {
                subnets: args.privateSubnetIds,
                securityGroups: [taskSecurityGroup.id],
                assignPublicIp: false,
            },
            loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: "web", containerPort: args.containerPort }],
            deploymentCircuitBreaker: { enable: true, rollback: true },
            healthCheckGracePeriodSeconds: 60,
            propagateTags: "SERVICE",
            tags,
        }, { parent: this, ignoreChanges: ["desiredCount"] });

        new aws.cloudwatch.MetricAlarm(`${name}-5xx`, {
            name: `${serviceName}-web-5xx-${environmentSuffix}`,
            alarmDescription: `The ${serviceName} tasks answer with server errors`,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
            metricName: "HTTPCode_Target_5XX_Count",
            namespace: "AWS/ApplicationELB",
            period: 60,
            statistic: "Sum",
            threshold: 10,
            treatMissingData: "notBreaching",
            dimensions: {
                LoadBalancer: this.loadBalancer.arnSuffix,
                TargetGroup: targetGroup.arnSuffix,
            },
            alarmActions: [args.alarmTopicArn],
            okActions: [args.alarmTopicArn],
            tags,
        }, { parent: this });

        this.registerOutputs({
            dnsName: this.loadBalancer.dnsName,
            serviceName: this.service.name,
        });
    }
}
