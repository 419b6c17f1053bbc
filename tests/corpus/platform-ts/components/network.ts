import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface NetworkArgs {
    cidrBlock: string;
    azCount: number;
    tags: Record<string, string>;
}

/** A VPC with public and private subnets, one NAT gateway and its traffic recorded. */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly privateSubnetIds: pulumi.Output<string>[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("acme:network:Network", name, {}, opts);
        const tags = args.tags;

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: args.cidrBlock,
            enableDnsHostnames: true,
            enableDnsSupport: true,
            tags: { ...tags, Name: `${name}-vpc` },
        }, { parent: this });

        // Flow logs, kept for a year for the security team.
        const flowLogGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, {
            name: `/acme/vpc/${name}/flow-logs`,
            retentionInDays: 365,
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
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                    Resource: [flowLogGroup.arn, pulumi.interpolate`${flowLogGroup.arn}:*`],
                }],
            }),
        }, { parent: this });
        new aws.ec2.FlowLog(`${name}-vpc`, {
            vpcId: vpc.id,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: flowLogGroup.arn,
            iamRoleArn: flowLogRole.arn,
            maxAggregationInterval: 600,
            tags,
        }, { parent: this });

        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags }, { parent: this });
        const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, {
            vpcId: vpc.id,
            routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
            tags: { ...tags, Name: `${name}-public` },
        }, { parent: this });

        const zones = aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this });
        const publicSubnets: aws.ec2.Subnet[] = [];
        const privateSubnets: aws.ec2.Subnet[] = [];
        for (let i = 0; i < args.azCount; i++) {
            const subnet = new aws.ec2.Subnet(`${name}-public-${i}`, {
                vpcId: vpc.id,
                cidrBlock: cidrSubnet(args.cidrBlock, i),
                availabilityZone: zones.names[i],
                mapPublicIpOnLaunch: true,
                tags: { ...tags, Name: `${name}-public-${i}`, Tier: "public" },
            }, { parent: this });
            new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, {
                subnetId: subnet.id,
                routeTableId: publicRoutes.id,
            }, { parent: this });
            publicSubnets.push(subnet);
        }

        // One NAT gateway for the private subnets (an Elastic IP in the VPC domain).
        const natAddress = new aws.ec2.Eip(`${name}-nat`, {
            domain: "vpc",
            tags: { ...tags, Name: `${name}-nat` },
        }, { parent: this, dependsOn: [igw] });
        const nat = new aws.ec2.NatGateway(`${name}-nat`, {
            allocationId: natAddress.id,
            subnetId: publicSubnets[0].id,
            tags,
        }, { parent: this });
        const privateRoutes = new aws.ec2.RouteTable(`${name}-private`, {
            vpcId: vpc.id,
            routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
            tags: { ...tags, Name: `${name}-private` },
        }, { parent: this });

        for (let i = 0; i < args.azCount; i++) {
            const subnet = new aws.ec2.Subnet(`${name}-private-${i}`, {
                vpcId: vpc.id,
                cidrBlock: cidrSubnet(args.cidrBlock, 10 + i),
                availabilityZone: zones.names[i],
                tags: { ...tags, Name: `${name}-private-${i}`, Tier: "private" },
            }, { parent: this });
            new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, {
                subnetId: subnet.id,
                routeTableId: privateRoutes.id,
            }, { parent: this });
            privateSubnets.push(subnet);
        }

        this.vpcId = vpc.id;
        this.publicSubnetIds = publicSubnets.map(s => s.id);
        this.privateSubnetIds = privateSubnets.map(s => s.id);
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            natAddress: natAddress.publicIp,
        });
    }
}

/** The `index`-th /24 of a /16 block: cidrSubnet("10.40.0.0/16", 3) is "10.40.3.0/24". */
function cidrSubnet(block: string, index: number): string {
    const [a, b] = block.split(".");
    return `${a}.${b}.${index}.0/24`;
}
