"""The reports bucket, on provider 6's S3 resources: BucketV2 and the ...V2 resources that configure it."""

from typing import Mapping, Optional

import pulumi
from pulumi_aws import s3


class ReportsBucket(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        log_bucket_id: pulumi.Input[str],
        retention_days: int,
        tags: Mapping[str, str],
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        super().__init__("reports:infra:ReportsBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.bucket = s3.BucketV2(name, tags=tags, opts=child)

        s3.BucketPublicAccessBlock(
            name,
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )

        versioning = s3.BucketVersioningV2(
            name,
            bucket=self.bucket.id,
            versioning_configuration=s3.BucketVersioningV2VersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )

        s3.BucketServerSideEncryptionConfigurationV2(
            name,
            bucket=self.bucket.id,
            rules=[
                s3.BucketServerSideEncryptionConfigurationV2RuleArgs(
                    apply_server_side_encryption_by_default=s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms"
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=child,
        )

        s3.BucketLifecycleConfigurationV2(
            name,
            bucket=self.bucket.id,
            rules=[
                s3.BucketLifecycleConfigurationV2RuleArgs(
                    id="expire-monthly-reports",
                    status="Enabled",
                    filter=s3.BucketLifecycleConfigurationV2RuleFilterArgs(prefix="monthly/"),
                    expiration=s3.BucketLifecycleConfigurationV2RuleExpirationArgs(days=retention_days),
                    noncurrent_version_expiration=s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=30
                    ),
                ),
                s3.BucketLifecycleConfigurationV2RuleArgs(
                    id="expire-exports",
                    status="Enabled",
                    filter=s3.BucketLifecycleConfigurationV2RuleFilterArgs(prefix="exports/"),
                    expiration=s3.BucketLifecycleConfigurationV2RuleExpirationArgs(days=7),
                ),
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )

        s3.BucketLoggingV2(
            name,
            bucket=self.bucket.id,
            target_bucket=log_bucket_id,
            target_prefix="reports/",
            opts=child,
        )

        s3.BucketPolicy(
            name,
            bucket=self.bucket.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DenyInsecureTransport",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [self.bucket.arn, pulumi.Output.concat(self.bucket.arn, "/*")],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                }
            ),
            opts=child,
        )

        self.register_outputs({"bucket": self.bucket.bucket})
