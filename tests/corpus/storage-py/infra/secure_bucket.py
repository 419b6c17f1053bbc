"""A private, versioned, encrypted bucket that refuses plain HTTP.

Every setting is its own resource, as the S3 API has them.
"""

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws
from pulumi_aws import s3


@dataclass(frozen=True)
class LifecycleRule:
    id: str
    prefix: str
    expire_after_days: int


@dataclass(frozen=True)
class AccessLogs:
    bucket: pulumi.Input[str]
    prefix: str


class SecureBucket(pulumi.ComponentResource):
    bucket: s3.Bucket

    def __init__(
        self,
        name: str,
        *,
        tags: Mapping[str, str],
        kms_key_arn: Optional[pulumi.Input[str]] = None,
        access_logs: Optional[AccessLogs] = None,
        lifecycle: Sequence[LifecycleRule] = (),
        force_destroy: bool = False,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        super().__init__("acme:storage:SecureBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.bucket = s3.Bucket(name, force_destroy=force_destroy, tags=tags, opts=child)
        bucket_id = self.bucket.id

        s3.BucketOwnershipControls(
            name,
            bucket=bucket_id,
            rule=s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )

        s3.BucketPublicAccessBlock(
            name,
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )

        versioning = s3.BucketVersioning(
            name,
            bucket=bucket_id,
            versioning_configuration=s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )

        if kms_key_arn is not None:
            default = s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn
            )
        else:
            default = s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256"
            )
        s3.BucketServerSideEncryptionConfiguration(
            name,
            bucket=bucket_id,
            rules=[
                s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=default,
                    bucket_key_enabled=kms_key_arn is not None,
                )
            ],
            opts=child,
        )

        if lifecycle:
            rules = [
                s3.BucketLifecycleConfigurationRuleArgs(
                    id=rule.id,
                    status="Enabled",
                    filter=s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=rule.prefix),
                    expiration=s3.BucketLifecycleConfigurationRuleExpirationArgs(days=rule.expire_after_days),
                )
                for rule in lifecycle
            ]
            rules.append(
                s3.BucketLifecycleConfigurationRuleArgs(
                    id="old-versions",
                    status="Enabled",
                    filter=s3.BucketLifecycleConfigurationRuleFilterArgs(),
                    noncurrent_version_expiration=s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=30
                    ),
                    abort_incomplete_multipart_upload=s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=7
                    ),
                )
            )
            s3.BucketLifecycleConfiguration(
                name,
                bucket=bucket_id,
                rules=rules,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
            )

        if access_logs is not None:
            s3.BucketLogging(
                name,
                bucket=bucket_id,
                target_bucket=access_logs.bucket,
                target_prefix=access_logs.prefix,
                opts=child,
            )

        s3.BucketPolicy(
            name,
            bucket=bucket_id,
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

        self.register_outputs({"bucket": self.bucket.bucket, "arn": self.bucket.arn})


def bucket_arn_objects(bucket: aws.s3.Bucket, prefix: str) -> pulumi.Output[str]:
    """The ARN of the objects under `prefix` in `bucket`, for IAM policies."""
    return pulumi.Output.format("{0}/{1}*", bucket.arn, prefix)
