"""Aurora PostgreSQL for the media catalogue, its credentials kept in Secrets Manager."""

from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from pulumi_aws import rds


class CatalogDatabase(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        environment_suffix: str,
        vpc_id: pulumi.Input[str],
        subnet_ids: Sequence[pulumi.Input[str]],
        client_security_group_ids: Sequence[pulumi.Input[str]],
        kms_key_arn: pulumi.Input[str],
        instance_count: int,
        tags: Mapping[str, str],
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        super().__init__("acme:storage:CatalogDatabase", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        prod = environment_suffix == "prod"

        subnet_group = rds.SubnetGroup(name, subnet_ids=subnet_ids, tags=tags, opts=child)

        security_group = aws.ec2.SecurityGroup(
            name,
            vpc_id=vpc_id,
            description="PostgreSQL from the catalogue's clients",
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    protocol="tcp",
                    from_port=5432,
                    to_port=5432,
                    security_groups=client_security_group_ids,
                )
            ],
            tags=tags,
            opts=child,
        )

        parameters = rds.ClusterParameterGroup(
            name,
            family="aurora-postgresql16",
            description=f"Catalogue parameters ({environment_suffix})",
            parameters=[
                rds.ClusterParameterGroupParameterArgs(name="rds.force_ssl", value="1"),
                rds.ClusterParameterGroupParameterArgs(name="log_min_duration_statement", value="500"),
            ],
            tags=tags,
            opts=child,
        )

        master_password = random.RandomPassword(
            f"{name}-master",
            length=32,
            special=True,
            override_special="!#$%^&*()-_=+[]{}<>:?",
            min_upper=2,
            min_lower=2,
            min_numeric=2,
            opts=child,
        )

        self.cluster = rds.Cluster(
            name,
            rds.ClusterArgs(
                cluster_identifier=f"media-catalog-{environment_suffix}",
                engine="aurora-postgresql",
                engine_version="16.4",
                database_name="catalog",
                master_username="catalog_admin",
                master_password=master_password.result,
                db_subnet_group_name=subnet_group.name,
                db_cluster_parameter_group_name=parameters.name,
                vpc_security_group_ids=[security_group.id],
                storage_encrypted=True,
                kms_key_id=kms_key_arn,
                backup_retention_period=14 if prod else 3,
                preferred_backup_window="03:00-04:00",
                enabled_cloudwatch_logs_exports=["postgresql"],
                deletion_protection=prod,
                skip_final_snapshot=not prod,
                final_snapshot_identifier=f"media-catalog-{environment_suffix}-final" if prod else None,
                copy_tags_to_snapshot=True,
                tags=tags,
            ),
            opts=child,
        )

        for i in range(instance_count):
            rds.ClusterInstance(
                f"{name}-{i}",
                identifier=f"media-catalog-{environment_suffix}-{i}",
                cluster_identifier=self.cluster.id,
                instance_class="db.t4g.medium",
                engine=rds.EngineType.AURORA_POSTGRESQL,
                engine_version=self.cluster.engine_version,
                db_subnet_group_name=subnet_group.name,
                performance_insights_enabled=True,
                promotion_tier=i,
                tags=tags,
                opts=child,
            )

        secret = aws.secretsmanager.Secret(
            name,
            name=f"media/{environment_suffix}/catalog-db",
            kms_key_id=kms_key_arn,
            recovery_window_in_days=30 if prod else 0,
            tags=tags,
            opts=child,
        )
        aws.secretsmanager.SecretVersion(
            name,
            secret_id=secret.id,
            secret_string=pulumi.Output.json_dumps(
                {
                    "engine": "postgres",
                    "host": self.cluster.endpoint,
                    "port": self.cluster.port,
                    "dbname": "catalog",
                    "username": self.cluster.master_username,
                    "password": master_password.result,
                }
            ),
            opts=child,
        )
        self.secret_arn = secret.arn

        self.register_outputs({"endpoint": self.cluster.endpoint, "secret_arn": self.secret_arn})
