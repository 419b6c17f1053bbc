"""Warehouse network, database and replicated archive."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_random as random

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or "dev"
tags = {"Project": "warehouse", "Environment": environment_suffix}

# Network, with its traffic recorded.
vpc = aws.ec2.Vpc(
    f"warehouse-vpc-{environment_suffix}",
    cidr_block="10.20.0.0/16",
    enable_dns_hostnames=True,
    enable_dns_support=True,
    tags=tags,
)

flow_log_group = aws.cloudwatch.LogGroup(
    f"warehouse-flow-logs-{environment_suffix}",
    retention_in_days=30,
    tags=tags,
)

flow_log_role = aws.iam.Role(
    f"warehouse-flow-logs-{environment_suffix}",
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
)

aws.iam.RolePolicy(
    f"warehouse-flow-logs-{environment_suffix}",
    role=flow_log_role.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": pulumi.Output.concat(flow_log_group.arn, ":*"),
                }
            ],
        }
    ),
)

aws.ec2.FlowLog(
    f"warehouse-vpc-{environment_suffix}",
    vpc_id=vpc.id,
    traffic_type="ALL",
    log_destination=flow_log_group.arn,
    iam_role_arn=flow_log_role.arn,
    max_aggregation_interval=600,
    tags=tags,
)

subnets = [
    aws.ec2.Subnet(
        f"warehouse-db-{i}-{environment_suffix}",
        vpc_id=vpc.id,
        cidr_block=cidr,
        availability_zone=aws.get_availability_zones_output().names[i],
        tags=tags,
    )
    for i, cidr in enumerate(["10.20.1.0/24", "10.20.2.0/24"])
]

nat = aws.ec2.Eip(f"warehouse-nat-{environment_suffix}", domain="vpc", tags=tags)

# PostgreSQL on a version RDS offers, with a generated password.
subnet_group = aws.rds.SubnetGroup(
    f"warehouse-db-{environment_suffix}",
    subnet_ids=[s.id for s in subnets],
    tags=tags,
)

master_password = random.RandomPassword(
    f"warehouse-db-{environment_suffix}", length=32, special=False
)

database = aws.rds.Instance(
    f"warehouse-db-{environment_suffix}",
    engine="postgres",
    engine_version="16.4",
    instance_class="db.t4g.medium",
    allocated_storage=50,
    db_name="warehouse",
    username="dbadmin",
    password=master_password.result,
    db_subnet_group_name=subnet_group.name,
    skip_final_snapshot=True,
    tags=tags,
)

# Private DNS for the database, on a domain the company owns.
zone = aws.route53.Zone(
    f"warehouse-zone-{environment_suffix}",
    name=f"warehouse-{environment_suffix}.acme-analytics.net",
    vpcs=[aws.route53.ZoneVpcArgs(vpc_id=vpc.id)],
    tags=tags,
)

aws.route53.Record(
    f"warehouse-db-{environment_suffix}",
    zone_id=zone.zone_id,
    name=f"db.warehouse-{environment_suffix}.acme-analytics.net",
    type="CNAME",
    ttl=300,
    records=[database.address],
)

# Archive bucket, replicated to a second region, with its settings as separate resources.
replica_provider = aws.Provider("replica", region="us-west-2")

archive = aws.s3.Bucket(
    f"warehouse-archive-{environment_suffix}", force_destroy=True, tags=tags
)
archive_encryption = aws.s3.BucketServerSideEncryptionConfiguration(
    f"warehouse-archive-{environment_suffix}",
    bucket=archive.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
)
replica = aws.s3.Bucket(
    f"warehouse-archive-replica-{environment_suffix}",
    force_destroy=True,
    tags=tags,
    opts=pulumi.ResourceOptions(provider=replica_provider),
)
replica_encryption = aws.s3.BucketServerSideEncryptionConfiguration(
    f"warehouse-archive-replica-{environment_suffix}",
    bucket=replica.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
    opts=pulumi.ResourceOptions(provider=replica_provider),
)

for name, bucket, provider in [
    ("archive", archive, None),
    ("replica", replica, replica_provider),
]:
    aws.s3.BucketVersioning(
        f"warehouse-{name}-{environment_suffix}",
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
            status="Enabled"
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )
    aws.s3.BucketPublicAccessBlock(
        f"warehouse-{name}-{environment_suffix}",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=pulumi.ResourceOptions(provider=provider),
    )

aws.s3.BucketLifecycleConfiguration(
    f"warehouse-archive-{environment_suffix}",
    bucket=archive.id,
    rules=[
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="expire-old-versions",
            status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix="exports/"),
            noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=90
            ),
        )
    ],
)

replica_key = aws.kms.Key(
    f"warehouse-replica-{environment_suffix}",
    description="Replica encryption",
    deletion_window_in_days=7,
    opts=pulumi.ResourceOptions(provider=replica_provider),
)

replication_role = aws.iam.Role(
    f"warehouse-replication-{environment_suffix}",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)

aws.iam.RolePolicy(
    f"warehouse-replication-{environment_suffix}",
    role=replication_role.id,
    policy=pulumi.Output.all(archive.arn, replica.arn).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                        "Resource": arns[0],
                    },
                    {
                        "Effect": "Allow",
                        "Action": ["s3:ReplicateObject", "s3:ReplicateDelete"],
                        "Resource": f"{arns[1]}/*",
                    },
                ],
            }
        )
    ),
)

aws.s3.BucketReplicationConfig(
    f"warehouse-archive-replication-{environment_suffix}",
    bucket=archive.id,
    role=replication_role.arn,
    rules=[
        aws.s3.BucketReplicationConfigRuleArgs(
            id="everything",
            status="Enabled",
            destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                bucket=replica.arn,
                storage_class="STANDARD_IA",
                encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                    replica_kms_key_id=replica_key.arn
                ),
            ),
        )
    ],
)

pulumi.export("vpc_id", vpc.id)
pulumi.export("nat_address", nat.public_ip)
pulumi.export(
    "database_url",
    pulumi.Output.concat("postgresql://dbadmin@", database.address, ":5432/warehouse"),
)
pulumi.export("summary", f"warehouse stack {environment_suffix} in {pulumi.get_stack()}")
