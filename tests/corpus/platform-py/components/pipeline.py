"""Builds the web image on every push to the branch and rolls it out to the ECS service."""

from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws
from pulumi_aws import codepipeline

from components import assume_role_policy


class DeployPipeline(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        environment_suffix: str,
        repository: str,
        branch: str,
        image_repository_url: pulumi.Input[str],
        image_repository_arn: pulumi.Input[str],
        cluster_name: pulumi.Input[str],
        service_name: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        super().__init__("acme:ci:DeployPipeline", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        artifacts = aws.s3.Bucket(f"{name}-artifacts", force_destroy=True, tags=tags, opts=child)
        artifacts_encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-artifacts",
            bucket=artifacts.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.s3.BucketPublicAccessBlock(
            f"{name}-artifacts",
            bucket=artifacts.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )

        github = aws.codestarconnections.Connection(
            f"{name}-github",
            name=f"storefront-{environment_suffix}",
            provider_type="GitHub",
            tags=tags,
            opts=child,
        )

        build_role = aws.iam.Role(
            f"{name}-build",
            assume_role_policy=assume_role_policy("codebuild.amazonaws.com"),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-build",
            role=build_role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": "*",
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["s3:GetObject", "s3:PutObject"],
                            "Resource": pulumi.Output.concat(artifacts.arn, "/*"),
                        },
                        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                        {
                            "Effect": "Allow",
                            "Action": [
                                "ecr:BatchCheckLayerAvailability",
                                "ecr:InitiateLayerUpload",
                                "ecr:UploadLayerPart",
                                "ecr:CompleteLayerUpload",
                                "ecr:PutImage",
                            ],
                            "Resource": image_repository_arn,
                        },
                    ],
                }
            ),
            opts=child,
        )

        build = aws.codebuild.Project(
            f"{name}-image",
            name=f"storefront-image-{environment_suffix}",
            service_role=build_role.arn,
            artifacts=aws.codebuild.ProjectArtifactsArgs(type="CODEPIPELINE"),
            source=aws.codebuild.ProjectSourceArgs(type="CODEPIPELINE", buildspec="buildspec.yml"),
            environment=aws.codebuild.ProjectEnvironmentArgs(
                compute_type="BUILD_GENERAL1_SMALL",
                image="aws/codebuild/amazonlinux-x86_64-standard:5.0",
                type="LINUX_CONTAINER",
                privileged_mode=True,
                environment_variables=[
                    aws.codebuild.ProjectEnvironmentEnvironmentVariableArgs(
                        name="IMAGE_REPOSITORY", value=image_repository_url
                    ),
                    aws.codebuild.ProjectEnvironmentEnvironmentVariableArgs(name="CONTAINER_NAME", value="web"),
                ],
            ),
            logs_config=aws.codebuild.ProjectLogsConfigArgs(
                cloudwatch_logs=aws.codebuild.ProjectLogsConfigCloudwatchLogsArgs(
                    group_name=f"/codebuild/storefront-{environment_suffix}"
                )
            ),
            tags=tags,
            opts=child,
        )

        pipeline_role = aws.iam.Role(
            f"{name}-pipeline",
            assume_role_policy=assume_role_policy("codepipeline.amazonaws.com"),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-pipeline",
            role=pipeline_role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
                            "Resource": pulumi.Output.concat(artifacts.arn, "/*"),
                        },
                        {"Effect": "Allow", "Action": "codestar-connections:UseConnection", "Resource": github.arn},
                        {
                            "Effect": "Allow",
                            "Action": ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
                            "Resource": build.arn,
                        },
                        {
                            "Effect": "Allow",
                            "Action": [
                                "ecs:DescribeServices",
                                "ecs:DescribeTaskDefinition",
                                "ecs:RegisterTaskDefinition",
                                "ecs:UpdateService",
                            ],
                            "Resource": "*",
                        },
                        {
                            "Effect": "Allow",
                            "Action": "iam:PassRole",
                            "Resource": "*",
                            "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
                        },
                    ],
                }
            ),
            opts=child,
        )

        self.pipeline = codepipeline.Pipeline(
            f"{name}-pipeline",
            codepipeline.PipelineArgs(
                name=f"storefront-{environment_suffix}",
                pipeline_type="V2",
                role_arn=pipeline_role.arn,
                artifact_stores=[codepipeline.PipelineArtifactStoreArgs(location=artifacts.bucket, type="S3")],
                stages=[
                    codepipeline.PipelineStageArgs(
                        name="Source",
                        actions=[
                            codepipeline.PipelineStageActionArgs(
                                name="GitHub",
                                category="Source",
                                owner="AWS",
                                provider="CodeStarSourceConnection",
                                version="1",
                                output_artifacts=["source"],
                                configuration={
                                    "ConnectionArn": github.arn,
                                    "FullRepositoryId": repository,
                                    "BranchName": branch,
                                    "DetectChanges": "true",
                                    "OutputArtifactFormat": "CODE_ZIP",
                                },
                            )
                        ],
                    ),
                    codepipeline.PipelineStageArgs(
                        name="Build",
                        actions=[
                            codepipeline.PipelineStageActionArgs(
                                name="Image",
                                category="Build",
                                owner="AWS",
                                provider="CodeBuild",
                                version="1",
                                input_artifacts=["source"],
                                output_artifacts=["imagedefinitions"],
                                configuration={"ProjectName": build.name},
                            )
                        ],
                    ),
                    codepipeline.PipelineStageArgs(
                        name="Deploy",
                        actions=[
                            codepipeline.PipelineStageActionArgs(
                                name="Service",
                                category="Deploy",
                                owner="AWS",
                                provider="ECS",
                                version="1",
                                input_artifacts=["imagedefinitions"],
                                configuration={
                                    "ClusterName": cluster_name,
                                    "ServiceName": service_name,
                                    "FileName": "imagedefinitions.json",
                                    "DeploymentTimeout": "15",
                                },
                            )
                        ],
                    ),
                ],
                tags=tags,
            ),
            opts=child,
        )

        self.register_outputs({"pipeline": self.pipeline.name})
