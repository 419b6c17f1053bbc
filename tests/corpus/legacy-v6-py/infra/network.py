"""A small VPC: one public subnet with a NAT gateway, two private subnets, flow logs."""

import json
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws


class ReportsNetwork(pulumi.ComponentResource):
    def __init__(self, name: str, tags: Mapping[str, str], opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("reports:infra:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block="172.20.0.0/16",
            enable_dns_hostnames=True,
            tags={**tags, "Name": name},
            opts=child,
        )
        self.vpc = vpc

        flow_logs = aws.cloudwatch.LogGroup(f"{name}-flow-logs", retention_in_days=90, tags=tags, opts=child)
        flow_log_role = aws.iam.Role(
            f"{name}-flow-logs",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=flow_log_role.id,
            policy=flow_logs.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                                "Resource": f"{arn}:*",
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-vpc",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination=flow_logs.arn,
            iam_role_arn=flow_log_role.arn,
            max_aggregation_interval=600,
            tags=tags,
            opts=child,
        )

        zones = aws.get_availability_zones_output(state="available")
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=tags, opts=child)
        public_subnet = aws.ec2.Subnet(
            f"{name}-public",
            vpc_id=vpc.id,
            cidr_block="172.20.0.0/24",
            availability_zone=zones.names[0],
            tags={**tags, "Name": f"{name}-public"},
            opts=child,
        )
        public_routes = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            tags=tags,
            opts=child,
        )
        aws.ec2.RouteTableAssociation(
            f"{name}-public", subnet_id=public_subnet.id, route_table_id=public_routes.id, opts=child
        )

        # domain="vpc": the vpc=True flag is deprecated in provider 6 (and gone in 7).
        nat_ip = aws.ec2.Eip(
            f"{name}-nat",
            aws.ec2.EipArgs(domain="vpc", tags={**tags, "Name": f"{name}-nat"}),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
        )
        nat = aws.ec2.NatGateway(
            f"{name}-nat", allocation_id=nat_ip.allocation_id, subnet_id=public_subnet.id, tags=tags, opts=child
        )
        private_routes = aws.ec2.RouteTable(
            f"{name}-private",
            vpc_id=vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)],
            tags=tags,
            opts=child,
        )

        self.private_subnet_ids: list[pulumi.Output[str]] = []
        for i in (1, 2):
            subnet = aws.ec2.Subnet(
                f"{name}-private-{i}",
                vpc_id=vpc.id,
                cidr_block=f"172.20.{i}.0/24",
                availability_zone=zones.names[i - 1],
                tags={**tags, "Name": f"{name}-private-{i}"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{i}", subnet_id=subnet.id, route_table_id=private_routes.id, opts=child
            )
            self.private_subnet_ids.append(subnet.id)
        self.nat_public_ip = nat_ip.public_ip

        self.register_outputs({"vpc_id": vpc.id, "nat_public_ip": self.nat_public_ip})
