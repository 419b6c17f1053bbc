"""Analytics platform: a warehouse, its network and its replicated exports."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or "dev"
tags = {"Project": "analytics", "Environment": environment_suffix}

# Network for the warehouse.
vpc = aws.ec2.Vpc(
    f"analytics-vpc-{environment_suffix}",
    cidr_block="10.20.0.0/16",
    enable_dns_hostnames=True,
    tags=tags,
)

# Redshift warehouse.
warehouse = aws.redshift.Cluster(
    f"analytics-warehouse-{environment_suffix}",
    cluster_identifier=f"analytics-{environment_suffix}",
    node_type="ra3.xlplus",
    database_name="analytics",
    master_username="analyst",
    master_password="An4lyt1cs-Pa55",
    skip_final_snapshot=True,
    tags=tags,
)

# Private DNS for the warehouse.
zone = aws.route53.Zone(
    f"analytics-zone-{environment_suffix}",
    name=f"warehouse-{environment_suffix}.example.org",
    vpcs=[aws.route53.ZoneVpcArgs(vpc_id=vpc.id)],
    tags=tags,
)

# Exports, replicated to a second bucket.
exports = aws.s3.Bucket(f"analytics-exports-{environment_suffix}", tags=tags)
exports_replica = aws.s3.Bucket(f"analytics-exports-replica-{environment_suffix}", tags=tags)
replica_key = aws.kms.Key(f"analytics-replica-key-{environment_suffix}", deletion_window_in_days=7)

replication_role = aws.iam.Role(
    f"analytics-replication-{environment_suffix}",
    assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }],
    }),
)

aws.s3.BucketReplication(
    f"analytics-exports-replication-{environment_suffix}",
    role=replication_role.arn,
    bucket=exports.id,
    rules=[
        aws.s3.BucketReplicationConfigRuleArgs(
            id="exports",
            status="Enabled",
            destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                bucket=exports_replica.arn,
                replica_kms_key_id=replica_key.arn,
            ),
        )
    ],
)

pulumi.export("warehouse_endpoint", warehouse.endpoint)
