import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

/** A small VPC: one public subnet with a NAT gateway, two private subnets, flow logs. */
export class ReportsNetwork extends pulumi.ComponentResource {
    public readonly vpc: aws.ec2.Vpc;
    public readonly privateSubnetIds: pulumi.Output<string>[];
    public readonly natPublicIp: pulumi.Output<string>;

    constructor(name: string, tags: Record<string, string>, opts?: pulumi.ComponentResourceOptions) {
        super("reports:infra:Network", name, {}, opts);

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: "172.20.0.0/16",
            enableDnsHostnames: true,
            tags: { ...tags, Name: name },
        }, { parent: this });
        this.vpc = vpc;

        const flowLogs = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, {
            retentionInDays: 90,
            tags,
        }, { parent: this });
        const flowLogRole = new aws.iam.Role(`${name}-flow-logs`, {
            assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "vpc-flow-logs.amazonaws.com" }),
            tags,
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-flow-logs`, {
            role: flowLogRole.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    Resource: pulumi.interpolate`${flowLogs.arn}:*`,
                }],
            }),
        }, { parent: this });
        new aws.ec2.FlowLog(`${name}-vpc`, {
            vpcId: vpc.id,
            trafficType: "ALL",
            logDestination: flowLogs.arn,
            iamRoleArn: flowLogRole.arn,
            maxAggregationInterval: 600,
            tags,
        }, { parent: this });

        const zones = aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this });
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags }, { parent: this });
        const publicSubnet = new aws.ec2.Subnet(`${name}-public`, {
            vpcId: vpc.id,
            cidrBlock: "172.20.0.0/24",
            availabilityZone: zones.names[0],
            tags: { ...tags, Name: `${name}-public` },
        }, { parent: this });
        const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, {
            vpcId: vpc.id,
            routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
            tags,
        }, { parent: this });
        new aws.ec2.RouteTableAssociation(`${name}-public`, {
            subnetId: publicSubnet.id,
            routeTableId: publicRoutes.id,
        }, { parent: this });

        // `domain: "vpc"`: the `vpc: true` flag is deprecated in provider 6 (and gone in 7).
        const natIp = new aws.ec2.Eip(`${name}-nat`, {
            domain: "vpc",
            tags: { ...tags, Name: `${name}-nat` },
        }, { parent: this, dependsOn: [igw] });
        const nat = new aws.ec2.NatGateway(`${name}-nat`, {
            allocationId: natIp.allocationId,
            subnetId: publicSubnet.id,
            tags,
        }, { parent: this });
        const privateRoutes = new aws.ec2.RouteTable(`${name}-private`, {
            vpcId: vpc.id,
            routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
            tags,
        }, { parent: this });

        this.privateSubnetIds = [1, 2].map(i => {
            const subnet = new aws.ec2.Subnet(`${name}-private-${i}`, {
                vpcId: vpc.id,
                cidrBlock: `172.20.${i}.0/24`,
                availabilityZone: zones.names[i - 1],
                tags: { ...tags, Name: `${name}-private-${i}` },
            }, { parent: this });
            new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, {
                subnetId: subnet.id,
                routeTableId: privateRoutes.id,
            }, { parent: this });
            return subnet.id;
        });
        this.natPublicIp = natIp.publicIp;

        this.registerOutputs({ vpcId: vpc.id, natPublicIp: this.natPublicIp });
    }
}
