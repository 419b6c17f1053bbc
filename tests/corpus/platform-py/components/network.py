"""A VPC with public and private subnets, one NAT gateway and its traffic recorded."""

from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

from components import assume_role_policy


def cidr_subnet(block: str, index: int) -> str:
    """The `index`-th /24 of a /16 block: cidr_subnet("10.40.0.0/16", 3) is "10.40.3.0/24"."""
    a, b, *_ = block.split(".")
    return f"{a}.{b}.{index}.0/24"


class Network(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        cidr_block: str,
        az_count: int,
        tags: Mapping[str, str],
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        super().__init__("acme:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=cidr_block,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={**tags, "Name": f"{name}-vpc"},
            opts=child,
        )

        # Flow logs, kept for a year for the security team.
        flow_log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=f"/acme/vpc/{name}/flow-logs",
            retention_in_days=365,
            tags=tags,
            opts=child,
        )
        flow_log_role = aws.iam.Role(
            f"{name}-flow-logs",
            assume_role_policy=assume_role_policy("vpc-flow-logs.amazonaws.com"),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=flow_log_role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "logs:CreateLogStream",
                                "logs:PutLogEvents",
                                "logs:DescribeLogGroups",
                                "logs:DescribeLogStreams",
                            ],
                            "Resource": [
                                flow_log_group.arn,
                                pulumi.Output.concat(flow_log_group.arn, ":*"),
                            ],
                        }
                    ],
                }
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-vpc",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=flow_log_group.arn,
            iam_role_arn=flow_log_role.arn,
            max_aggregation_interval=600,
            tags=tags,
            opts=child,
        )

        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=tags, opts=child)
        public_routes = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            tags={**tags, "Name": f"{name}-public"},
            opts=child,
        )

        zones = aws.get_availability_zones_output(state="available", opts=pulumi.InvokeOutputOptions(parent=self))
        public_subnets: list[aws.ec2.Subnet] = []
        for i in range(az_count):
            subnet = aws.ec2.Subnet(
                f"{name}-public-{i}",
                vpc_id=vpc.id,
                cidr_block=cidr_subnet(cidr_block, i),
                availability_zone=zones.names[i],
                map_public_ip_on_launch=True,
                tags={**tags, "Name": f"{name}-public-{i}", "Tier": "public"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{i}", subnet_id=subnet.id, route_table_id=public_routes.id, opts=child
            )
            public_subnets.append(subnet)

        # One NAT gateway for the private subnets (an Elastic IP in the VPC domain).
        nat_address = aws.ec2.Eip(
            f"{name}-nat",
            domain="vpc",
            tags={**tags, "Name": f"{name}-nat"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
        )
        nat = aws.ec2.NatGateway(
            f"{name}-nat",
            allocation_id=nat_address.id,
            subnet_id=public_subnets[0].id,
            tags=tags,
            opts=child,
        )
        private_routes = aws.ec2.RouteTable(
            f"{name}-private",
            vpc_id=vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)],
            tags={**tags, "Name": f"{name}-private"},
            opts=child,
        )
        private_subnets: list[aws.ec2.Subnet] = []
        for i in range(az_count):
            subnet = aws.ec2.Subnet(
                f"{name}-private-{i}",
                vpc_id=vpc.id,
                cidr_block=cidr_subnet(cidr_block, 10 + i),
                availability_zone=zones.names[i],
                tags={**tags, "Name": f"{name}-private-{i}", "Tier": "private"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{i}", subnet_id=subnet.id, route_table_id=private_routes.id, opts=child
            )
            private_subnets.append(subnet)

        self.vpc_id = vpc.id
        self.public_subnet_ids = [s.id for s in public_subnets]
        self.private_subnet_ids = [s.id for s in private_subnets]
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
                "nat_address": nat_address.public_ip,
            }
        )
