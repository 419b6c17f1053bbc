"""Media library storage: buckets, access logs, a public gallery, an ingest function, Aurora."""

import json

import pulumi
import pulumi_aws as aws
from pulumi_aws import s3

from infra.database import CatalogDatabase
from infra.secure_bucket import AccessLogs, LifecycleRule, SecureBucket, bucket_arn_objects

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or "dev"
retain_uploads_days = config.get_int("retainUploadsDays") or 90
prod = environment_suffix == "prod"
tags = {"Project": "media-library", "Environment": environment_suffix, "CostCenter": "media"}

# Network: private subnets only, reaching S3 and Secrets Manager through endpoints.
vpc = aws.ec2.Vpc(
    f"media-vpc-{environment_suffix}",
    cidr_block="10.60.0.0/16",
    enable_dns_hostnames=True,
    enable_dns_support=True,
    tags={**tags, "Name": f"media-vpc-{environment_suffix}"},
)

flow_log_group = aws.cloudwatch.LogGroup(
    f"media-vpc-flow-logs-{environment_suffix}", retention_in_days=365, tags=tags
)
flow_log_role = aws.iam.Role(
    f"media-vpc-flow-logs-{environment_suffix}",
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
    f"media-vpc-flow-logs-{environment_suffix}",
    role=flow_log_role.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    "Resource": pulumi.Output.concat(flow_log_group.arn, ":*"),
                }
            ],
        }
    ),
)
aws.ec2.FlowLog(
    f"media-vpc-{environment_suffix}",
    aws.ec2.FlowLogArgs(
        vpc_id=vpc.id,
        traffic_type="REJECT",
        log_destination=flow_log_group.arn,
        iam_role_arn=flow_log_role.arn,
        max_aggregation_interval=60,
        tags=tags,
    ),
)

zones = aws.get_availability_zones_output(state="available")
private_subnets = [
    aws.ec2.Subnet(
        f"media-private-{i}-{environment_suffix}",
        vpc_id=vpc.id,
        cidr_block=f"10.60.{i * 16}.0/20",
        availability_zone=zones.names[i],
        tags={**tags, "Name": f"media-private-{i}-{environment_suffix}"},
    )
    for i in range(3)
]
private_routes = aws.ec2.RouteTable(f"media-private-{environment_suffix}", vpc_id=vpc.id, tags=tags)
for i, subnet in enumerate(private_subnets):
    aws.ec2.RouteTableAssociation(
        f"media-private-{i}-{environment_suffix}", subnet_id=subnet.id, route_table_id=private_routes.id
    )
subnet_ids = [s.id for s in private_subnets]

region = aws.get_region_output().region
aws.ec2.VpcEndpoint(
    f"media-s3-{environment_suffix}",
    vpc_id=vpc.id,
    service_name=pulumi.Output.concat("com.amazonaws.", region, ".s3"),
    vpc_endpoint_type="Gateway",
    route_table_ids=[private_routes.id],
    tags=tags,
)
function_security_group = aws.ec2.SecurityGroup(
    f"media-ingest-{environment_suffix}",
    vpc_id=vpc.id,
    description="Ingest function",
    egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
    tags=tags,
)
endpoint_security_group = aws.ec2.SecurityGroup(
    f"media-endpoints-{environment_suffix}",
    vpc_id=vpc.id,
    description="HTTPS to the interface endpoints",
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(
            protocol="tcp", from_port=443, to_port=443, security_groups=[function_security_group.id]
        )
    ],
    tags=tags,
)
aws.ec2.VpcEndpoint(
    f"media-secretsmanager-{environment_suffix}",
    vpc_id=vpc.id,
    service_name=pulumi.Output.concat("com.amazonaws.", region, ".secretsmanager"),
    vpc_endpoint_type="Interface",
    private_dns_enabled=True,
    subnet_ids=subnet_ids,
    security_group_ids=[endpoint_security_group.id],
    tags=tags,
)

# One key for the buckets and the database.
key = aws.kms.Key(
    f"media-{environment_suffix}",
    description=f"Media library data ({environment_suffix})",
    enable_key_rotation=True,
    deletion_window_in_days=30,
    tags=tags,
)
aws.kms.Alias(f"media-{environment_suffix}", name=f"alias/media-{environment_suffix}", target_key_id=key.key_id)

# Access logs: S3 log delivery writes with the bucket ACL, which needs ACLs enabled.
access_logs = s3.Bucket(f"media-access-logs-{environment_suffix}", force_destroy=not prod, tags=tags)
access_logs_ownership = s3.BucketOwnershipControls(
    f"media-access-logs-{environment_suffix}",
    bucket=access_logs.id,
    rule=s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerPreferred"),
)
access_logs_public_access = s3.BucketPublicAccessBlock(
    f"media-access-logs-{environment_suffix}",
    bucket=access_logs.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
s3.BucketAcl(
    f"media-access-logs-{environment_suffix}",
    bucket=access_logs.id,
    acl="log-delivery-write",
    opts=pulumi.ResourceOptions(depends_on=[access_logs_ownership, access_logs_public_access]),
)
s3.BucketServerSideEncryptionConfiguration(
    f"media-access-logs-{environment_suffix}",
    bucket=access_logs.id,
    rules=[
        {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}},
    ],
)
s3.BucketLifecycleConfiguration(
    f"media-access-logs-{environment_suffix}",
    bucket=access_logs.id,
    rules=[
        {
            "id": "expire-access-logs",
            "status": "Enabled",
            "filter": {"prefix": "s3/"},
            "expiration": {"days": 365},
        }
    ],
)

# The media buckets.
buckets: dict[str, SecureBucket] = {}
for purpose, lifecycle in {
    "uploads": [LifecycleRule("expire-incoming", "incoming/", retain_uploads_days)],
    "renditions": [
        LifecycleRule("expire-previews", "previews/", 30),
        LifecycleRule("expire-thumbnails", "thumbnails/", 180),
    ],
}.items():
    buckets[purpose] = SecureBucket(
        f"media-{purpose}-{environment_suffix}",
        kms_key_arn=key.arn,
        access_logs=AccessLogs(bucket=access_logs.id, prefix=f"s3/{purpose}/"),
        lifecycle=lifecycle,
        force_destroy=not prod,
        tags={**tags, "Purpose": purpose},
    )
uploads = buckets["uploads"].bucket
renditions = buckets["renditions"].bucket

# The public gallery: a static website bucket readable by anyone.
site = s3.Bucket(f"media-gallery-{environment_suffix}", force_destroy=True, tags=tags)
site_encryption = s3.BucketServerSideEncryptionConfiguration(
    f"media-gallery-{environment_suffix}",
    bucket=site.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
)
gallery = s3.BucketWebsiteConfiguration(
    f"media-gallery-{environment_suffix}",
    s3.BucketWebsiteConfigurationArgs(
        bucket=site.id,
        index_document=s3.BucketWebsiteConfigurationIndexDocumentArgs(suffix="index.html"),
        error_document=s3.BucketWebsiteConfigurationErrorDocumentArgs(key="404.html"),
        routing_rules=[
            s3.BucketWebsiteConfigurationRoutingRuleArgs(
                condition=s3.BucketWebsiteConfigurationRoutingRuleConditionArgs(key_prefix_equals="albums/"),
                redirect=s3.BucketWebsiteConfigurationRoutingRuleRedirectArgs(replace_key_prefix_with="gallery/"),
            )
        ],
    ),
)
site_public_access = s3.BucketPublicAccessBlock(
    f"media-gallery-{environment_suffix}",
    bucket=site.id,
    block_public_acls=True,
    ignore_public_acls=True,
    block_public_policy=False,
    restrict_public_buckets=False,
)
s3.BucketPolicy(
    f"media-gallery-{environment_suffix}",
    bucket=site.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicRead",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": pulumi.Output.concat(site.arn, "/*"),
                }
            ],
        }
    ),
    opts=pulumi.ResourceOptions(depends_on=[site_public_access]),
)
s3.BucketLogging(
    f"media-gallery-{environment_suffix}",
    bucket=site.id,
    target_bucket=access_logs.id,
    target_prefix="s3/gallery/",
)

# The ingest function: records each upload in the catalogue and writes a rendition request.
ingest_role = aws.iam.Role(
    f"media-ingest-{environment_suffix}",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
    tags=tags,
)
aws.iam.RolePolicyAttachment(
    f"media-ingest-vpc-{environment_suffix}",
    role=ingest_role.name,
    policy_arn=aws.iam.ManagedPolicy.AWS_LAMBDA_VPC_ACCESS_EXECUTION_ROLE,
)

database = CatalogDatabase(
    f"media-catalog-{environment_suffix}",
    environment_suffix=environment_suffix,
    vpc_id=vpc.id,
    subnet_ids=subnet_ids,
    client_security_group_ids=[function_security_group.id],
    kms_key_arn=key.arn,
    instance_count=2 if prod else 1,
    tags=tags,
)

aws.iam.RolePolicy(
    f"media-ingest-{environment_suffix}",
    role=ingest_role.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:GetObjectTagging"],
                    "Resource": bucket_arn_objects(uploads, "incoming/"),
                },
                {"Effect": "Allow", "Action": "s3:PutObject", "Resource": bucket_arn_objects(renditions, "requests/")},
                {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key.arn},
                {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": database.secret_arn},
            ],
        }
    ),
)

ingest_logs = aws.cloudwatch.LogGroup(
    f"media-ingest-{environment_suffix}",
    name=f"/aws/lambda/media-ingest-{environment_suffix}",
    retention_in_days=30,
    tags=tags,
)
ingest = aws.lambda_.Function(
    f"media-ingest-{environment_suffix}",
    name=f"media-ingest-{environment_suffix}",
    runtime=aws.lambda_.Runtime.PYTHON3D12,
    handler="ingest.handler",
    role=ingest_role.arn,
    code=pulumi.FileArchive("./functions/ingest"),
    memory_size=512,
    timeout=60,
    vpc_config=aws.lambda_.FunctionVpcConfigArgs(
        subnet_ids=subnet_ids, security_group_ids=[function_security_group.id]
    ),
    environment={
        "variables": {
            "RENDITIONS_BUCKET": renditions.bucket,
            "CATALOG_SECRET_ARN": database.secret_arn,
            "RENDITION_SIZES": "320,1280,2560",
        }
    },
    tags=tags,
    opts=pulumi.ResourceOptions(depends_on=[ingest_logs]),
)

allow_s3 = aws.lambda_.Permission(
    f"media-ingest-{environment_suffix}",
    action="lambda:InvokeFunction",
    function=ingest.name,
    principal="s3.amazonaws.com",
    source_arn=uploads.arn,
)
s3.BucketNotification(
    f"media-uploads-{environment_suffix}",
    bucket=uploads.id,
    lambda_functions=[
        s3.BucketNotificationLambdaFunctionArgs(
            lambda_function_arn=ingest.arn,
            events=["s3:ObjectCreated:*"],
            filter_prefix="incoming/",
        )
    ],
    opts=pulumi.ResourceOptions(depends_on=[allow_s3]),
)

pulumi.export("uploads_bucket", uploads.bucket)
pulumi.export("renditions_bucket", renditions.bucket)
pulumi.export("access_logs_bucket", access_logs.bucket)
pulumi.export("gallery_url", pulumi.Output.concat("http://", gallery.website_endpoint))
pulumi.export("catalog_endpoint", database.cluster.endpoint)
pulumi.export("catalog_reader_endpoint", database.cluster.reader_endpoint)
pulumi.export("catalog_secret_arn", database.secret_arn)
