"""The orders function, its table, alarms and deploy pipeline."""

import json
from typing import Optional

import pulumi
import pulumi_aws as aws
from pulumi_aws import cloudwatch, lambda_


class OrdersService(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        environment_suffix: str,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        super().__init__("acme:orders:Service", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        table = aws.dynamodb.Table(
            f"{name}-orders",
            attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
            hash_key="id",
            billing_mode="PAY_PER_REQUEST",
            opts=child,
        )

        role = aws.iam.Role(
            f"{name}-handler",
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
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-handler-logs",
            role=role.name,
            policy_arn=aws.iam.ManagedPolicy.AWS_LAMBDA_BASIC_EXECUTION_ROLE,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-handler-table",
            role=role.id,
            policy=table.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["dynamodb:PutItem", "dynamodb:GetItem"],
                                "Resource": arn,
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )

        log_group = cloudwatch.LogGroup(
            f"{name}-handler",
            name=f"/aws/lambda/orders-handler-{environment_suffix}",
            retention_in_days=14,
            opts=child,
        )

        self.handler = lambda_.Function(
            f"{name}-handler",
            name=f"orders-handler-{environment_suffix}",
            runtime=lambda_.Runtime.PYTHON3D12,
            handler="handler.handler",
            role=role.arn,
            code=pulumi.FileArchive("./app"),
            timeout=10,
            environment=lambda_.FunctionEnvironmentArgs(
                variables={
                    "TABLE_NAME": table.name,
                    "LOG_LEVEL": "info",
                    "POWERTOOLS_SERVICE_NAME": "orders",
                },
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group]),
        )

        errors = cloudwatch.MetricAlarm(
            f"{name}-errors",
            name=f"orders-handler-errors-{environment_suffix}",
            comparison_operator="GreaterThanThreshold",
            evaluation_periods=1,
            metric_name="Errors",
            namespace="AWS/Lambda",
            period=300,
            statistic="Sum",
            threshold=0,
            dimensions={"FunctionName": self.handler.name},
            opts=child,
        )

        artifacts = aws.s3.Bucket(f"{name}-artifacts", force_destroy=True, opts=child)
        artifacts_public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-artifacts",
            bucket=artifacts.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        artifacts_encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-artifacts",
            bucket=artifacts.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=pulumi.ResourceOptions(parent=self),
        )
        pipeline_role = aws.iam.Role(
            f"{name}-pipeline",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "codepipeline.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            opts=child,
        )
        aws.codepipeline.Pipeline(
            f"{name}-pipeline",
            role_arn=pipeline_role.arn,
            artifact_stores=[
                aws.codepipeline.PipelineArtifactStoreArgs(location=artifacts.bucket, type="S3")
            ],
            stages=[
                aws.codepipeline.PipelineStageArgs(
                    name="Source",
                    actions=[
                        aws.codepipeline.PipelineStageActionArgs(
                            name="Source",
                            category="Source",
                            owner="AWS",
                            provider="S3",
                            version="1",
                            output_artifacts=["source"],
                            configuration={
                                "S3Bucket": artifacts.bucket,
                                "S3ObjectKey": "source.zip",
                                "PollForSourceChanges": "false",
                            },
                        )
                    ],
                ),
                aws.codepipeline.PipelineStageArgs(
                    name="Deploy",
                    actions=[
                        aws.codepipeline.PipelineStageActionArgs(
                            name="Deploy",
                            category="Deploy",
                            owner="AWS",
                            provider="S3",
                            version="1",
                            input_artifacts=["source"],
                            configuration={"BucketName": artifacts.bucket, "Extract": "true"},
                        )
                    ],
                ),
            ],
            opts=child,
        )

        self.register_outputs({"handler": self.handler.arn, "alarm": errors.arn})
