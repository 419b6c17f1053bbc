"""Monthly reports: storage, a download API and its network (AWS provider 6)."""

import json

import pulumi
import pulumi_aws as aws
from pulumi_aws import apigateway, s3

from infra.network import ReportsNetwork
from infra.reports_bucket import ReportsBucket

config = pulumi.Config()
env = config.require("env")
retention_days = config.get_int("retentionDays") or 400
tags = {"app": "reports", "env": env, "owner": "finance-platform"}

network = ReportsNetwork(f"reports-{env}", tags)

# Server access logs. Log delivery writes through the bucket ACL, so ACLs must be enabled
# (ObjectOwnership BucketOwnerPreferred) before the ACL is set.
logs = s3.BucketV2(f"reports-logs-{env}", force_destroy=True, tags=tags)
logs_ownership = s3.BucketOwnershipControls(
    f"reports-logs-{env}",
    bucket=logs.id,
    rule=s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerPreferred"),
)
logs_public_access = s3.BucketPublicAccessBlock(
    f"reports-logs-{env}",
    bucket=logs.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
s3.BucketAclV2(
    f"reports-logs-{env}",
    bucket=logs.id,
    acl="log-delivery-write",
    opts=pulumi.ResourceOptions(depends_on=[logs_ownership, logs_public_access]),
)
s3.BucketServerSideEncryptionConfigurationV2(
    f"reports-logs-{env}",
    bucket=logs.id,
    rules=[
        s3.BucketServerSideEncryptionConfigurationV2RuleArgs(
            apply_server_side_encryption_by_default=s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256"
            )
        )
    ],
)
s3.BucketLifecycleConfigurationV2(
    f"reports-logs-{env}",
    s3.BucketLifecycleConfigurationV2Args(
        bucket=logs.id,
        rules=[
            s3.BucketLifecycleConfigurationV2RuleArgs(
                id="expire-logs",
                status="Enabled",
                filter=s3.BucketLifecycleConfigurationV2RuleFilterArgs(prefix=""),
                expiration=s3.BucketLifecycleConfigurationV2RuleExpirationArgs(days=90),
            )
        ],
    ),
)

reports = ReportsBucket(f"reports-{env}", log_bucket_id=logs.id, retention_days=retention_days, tags=tags)

# The function answering GET /reports/{month} with a short-lived download link.
links_role = aws.iam.Role(
    f"reports-links-{env}",
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
    f"reports-links-vpc-{env}",
    role=links_role.name,
    policy_arn=aws.iam.ManagedPolicy.AWS_LAMBDA_VPC_ACCESS_EXECUTION_ROLE,
)
aws.iam.RolePolicy(
    f"reports-links-{env}",
    role=links_role.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": pulumi.Output.concat(reports.bucket.arn, "/monthly/*"),
                },
                {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": reports.bucket.arn},
                {
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {
                            "kms:ViaService": aws.get_region_output().name.apply(lambda r: f"s3.{r}.amazonaws.com")
                        }
                    },
                },
            ],
        }
    ),
)

links_security_group = aws.ec2.SecurityGroup(
    f"reports-links-{env}",
    vpc_id=network.vpc.id,
    description="reports links function",
    egress=[aws.ec2.SecurityGroupEgressArgs(protocol="tcp", from_port=443, to_port=443, cidr_blocks=["0.0.0.0/0"])],
    tags=tags,
)

links_logs = aws.cloudwatch.LogGroup(
    f"reports-links-{env}",
    name=f"/aws/lambda/reports-links-{env}",
    retention_in_days=14,
    tags=tags,
)
links = aws.lambda_.Function(
    f"reports-links-{env}",
    name=f"reports-links-{env}",
    runtime=aws.lambda_.Runtime.PYTHON3D12,
    handler="links.handler",
    role=links_role.arn,
    code=pulumi.FileArchive("./lambda_src"),
    timeout=15,
    vpc_config=aws.lambda_.FunctionVpcConfigArgs(
        subnet_ids=network.private_subnet_ids, security_group_ids=[links_security_group.id]
    ),
    environment=aws.lambda_.FunctionEnvironmentArgs(
        variables={
            "REPORTS_BUCKET": reports.bucket.bucket,
            "LINK_TTL_SECONDS": "900",
            "REPORTS_ENV": env,
        }
    ),
    tags=tags,
    opts=pulumi.ResourceOptions(depends_on=[links_logs]),
)

# REST API. The deployment has no stage of its own: the stage is a separate resource, so
# stage settings can change without a new deployment.
api = apigateway.RestApi(
    f"reports-{env}",
    name=f"reports-{env}",
    description="Monthly report downloads",
    endpoint_configuration=apigateway.RestApiEndpointConfigurationArgs(types="REGIONAL"),
    tags=tags,
)
reports_resource = apigateway.Resource(
    f"reports-{env}", rest_api=api.id, parent_id=api.root_resource_id, path_part="reports"
)
month_resource = apigateway.Resource(
    f"reports-month-{env}", rest_api=api.id, parent_id=reports_resource.id, path_part="{month}"
)
get_month = apigateway.Method(
    f"reports-month-get-{env}",
    rest_api=api.id,
    resource_id=month_resource.id,
    http_method="GET",
    authorization="AWS_IAM",
    request_parameters={"method.request.path.month": True},
)
get_month_integration = apigateway.Integration(
    f"reports-month-get-{env}",
    rest_api=api.id,
    resource_id=month_resource.id,
    http_method=get_month.http_method,
    integration_http_method="POST",
    type="AWS_PROXY",
    uri=links.invoke_arn,
)
deployment = apigateway.Deployment(
    f"reports-{env}",
    rest_api=api.id,
    triggers={
        "redeployment": pulumi.Output.json_dumps([month_resource.id, get_month.id, get_month_integration.id])
    },
    opts=pulumi.ResourceOptions(depends_on=[get_month_integration]),
)
stage = apigateway.Stage(
    f"reports-{env}",
    rest_api=api.id,
    deployment=deployment.id,
    stage_name="live",
    description=f"Reports API ({env})",
    tags=tags,
)

aws.lambda_.Permission(
    f"reports-links-api-{env}",
    action="lambda:InvokeFunction",
    function=links.name,
    principal="apigateway.amazonaws.com",
    source_arn=pulumi.Output.format("{0}/{1}/GET/reports/*", api.execution_arn, stage.stage_name),
)

pulumi.export("reports_bucket", reports.bucket.bucket)
pulumi.export("logs_bucket", logs.bucket)
pulumi.export("nat_public_ip", network.nat_public_ip)
pulumi.export("api_url", stage.invoke_url)
pulumi.export("month_url", pulumi.Output.concat(stage.invoke_url, "/reports/2024-01"))
