"""Storefront: web tier on Fargate, session cache, failover DNS, checkout API, deploy pipeline."""

import json

import pulumi
import pulumi_aws as aws
from pulumi_aws import elasticache, route53

from components.checkout_api import CheckoutApi
from components.network import Network
from components.pipeline import DeployPipeline
from components.web_service import WebService

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or "dev"
domain = config.get("domain") or "shop.acme-retail.com"
repository = config.get("repository") or "acme-retail/storefront"
desired_count = config.get_int("desiredCount") or 2
tags = {
    "Project": "storefront",
    "Environment": environment_suffix,
    "ManagedBy": "pulumi",
    "Stack": pulumi.get_stack(),
}

network = Network(f"storefront-{environment_suffix}", cidr_block="10.40.0.0/16", az_count=2, tags=tags)

alarms = aws.sns.Topic(f"storefront-alarms-{environment_suffix}", tags=tags)
for address in config.get_object("alarmEmails") or []:
    aws.sns.TopicSubscription(
        f"storefront-alarms-{address.split('@')[0]}-{environment_suffix}",
        topic=alarms.arn,
        protocol="email",
        endpoint=address,
    )

images = aws.ecr.Repository(
    f"storefront-{environment_suffix}",
    image_tag_mutability="MUTABLE",
    image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
    force_delete=environment_suffix != "prod",
    tags=tags,
)
aws.ecr.LifecyclePolicy(
    f"storefront-{environment_suffix}",
    repository=images.name,
    policy=json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": "Keep the last 30 images",
                    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30},
                    "action": {"type": "expire"},
                }
            ]
        }
    ),
)

web = WebService(
    f"storefront-{environment_suffix}",
    service_name="storefront",
    environment_suffix=environment_suffix,
    vpc_id=network.vpc_id,
    public_subnet_ids=network.public_subnet_ids,
    private_subnet_ids=network.private_subnet_ids,
    image=images.repository_url.apply(lambda url: f"{url}:latest"),
    container_port=8080,
    desired_count=desired_count,
    environment={"STOREFRONT_ENV": environment_suffix, "SESSION_STORE": "redis"},
    alarm_topic_arn=alarms.arn,
    tags=tags,
)

# Session cache: Redis with a replica in a second zone.
cache_subnets = elasticache.SubnetGroup(
    f"storefront-cache-{environment_suffix}",
    subnet_ids=network.private_subnet_ids,
    tags=tags,
)
cache_security_group = aws.ec2.SecurityGroup(
    f"storefront-cache-{environment_suffix}",
    vpc_id=network.vpc_id,
    description="Storefront tasks to the session cache",
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(
            protocol="tcp", from_port=6379, to_port=6379, security_groups=[web.security_group_id]
        )
    ],
    tags=tags,
)
sessions = elasticache.ReplicationGroup(
    f"storefront-sessions-{environment_suffix}",
    elasticache.ReplicationGroupArgs(
        description=f"Storefront sessions ({environment_suffix})",
        engine="redis",
        engine_version="7.1",
        parameter_group_name="default.redis7",
        node_type="cache.t4g.small",
        cluster_mode="disabled",
        num_cache_clusters=2,
        automatic_failover_enabled=True,
        multi_az_enabled=True,
        subnet_group_name=cache_subnets.name,
        security_group_ids=[cache_security_group.id],
        at_rest_encryption_enabled=True,
        transit_encryption_enabled=True,
        snapshot_retention_limit=3,
        tags=tags,
    ),
)

# DNS: the load balancer while it is healthy, a static maintenance page when it is not.
zone = route53.get_zone_output(name=domain)
hostname = f"{'www' if environment_suffix == 'prod' else environment_suffix}.{domain}"

health = route53.HealthCheck(
    f"storefront-{environment_suffix}",
    fqdn=web.load_balancer.dns_name,
    port=80,
    type="HTTP",
    resource_path="/healthz",
    failure_threshold=3,
    request_interval=30,
    tags={**tags, "Name": f"storefront-{environment_suffix}"},
)

maintenance = aws.s3.Bucket(
    f"storefront-maintenance-{environment_suffix}", bucket=hostname, force_destroy=True, tags=tags
)
maintenance_encryption = aws.s3.BucketServerSideEncryptionConfiguration(
    f"storefront-maintenance-{environment_suffix}",
    bucket=maintenance.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
)
maintenance_website = aws.s3.BucketWebsiteConfiguration(
    f"storefront-maintenance-{environment_suffix}",
    bucket=maintenance.id,
    index_document=aws.s3.BucketWebsiteConfigurationIndexDocumentArgs(suffix="index.html"),
)
maintenance_access = aws.s3.BucketPublicAccessBlock(
    f"storefront-maintenance-{environment_suffix}",
    bucket=maintenance.id,
    block_public_acls=True,
    ignore_public_acls=True,
    block_public_policy=False,
    restrict_public_buckets=False,
)
aws.s3.BucketPolicy(
    f"storefront-maintenance-{environment_suffix}",
    bucket=maintenance.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicReadMaintenancePage",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": pulumi.Output.concat(maintenance.arn, "/*"),
                }
            ],
        }
    ),
    opts=pulumi.ResourceOptions(depends_on=[maintenance_access]),
)
aws.s3.BucketObjectv2(
    f"storefront-maintenance-{environment_suffix}",
    bucket=maintenance.id,
    key="index.html",
    content_type="text/html",
    source=pulumi.FileAsset("./static/maintenance.html"),
)

route53.Record(
    f"storefront-primary-{environment_suffix}",
    zone_id=zone.zone_id,
    name=hostname,
    type="A",
    set_identifier=f"primary-{environment_suffix}",
    health_check_id=health.id,
    failover_routing_policies=[{"type": "PRIMARY"}],
    aliases=[
        {
            "name": web.load_balancer.dns_name,
            "zone_id": web.load_balancer.zone_id,
            "evaluate_target_health": True,
        }
    ],
)
route53.Record(
    f"storefront-secondary-{environment_suffix}",
    route53.RecordArgs(
        zone_id=zone.zone_id,
        name=hostname,
        type="A",
        set_identifier=f"maintenance-{environment_suffix}",
        failover_routing_policies=[route53.RecordFailoverRoutingPolicyArgs(type="SECONDARY")],
        aliases=[
            route53.RecordAliasArgs(
                name=maintenance_website.website_domain,
                zone_id=maintenance.hosted_zone_id,
                evaluate_target_health=False,
            )
        ],
    ),
)

checkout = CheckoutApi(
    f"checkout-{environment_suffix}",
    environment_suffix=environment_suffix,
    alarm_topic_arn=alarms.arn,
    tags=tags,
)

DeployPipeline(
    f"storefront-deploy-{environment_suffix}",
    environment_suffix=environment_suffix,
    repository=repository,
    branch="main" if environment_suffix == "prod" else environment_suffix,
    image_repository_url=images.repository_url,
    image_repository_arn=images.arn,
    cluster_name=web.cluster.name,
    service_name=web.service.name,
    tags=tags,
)

pulumi.export("vpc_id", network.vpc_id)
pulumi.export("url", f"http://{hostname}")
pulumi.export("load_balancer", web.load_balancer.dns_name)
pulumi.export("session_store", sessions.primary_endpoint_address)
pulumi.export("checkout_url", checkout.stage.invoke_url)
pulumi.export("carts_url", pulumi.Output.concat(checkout.stage.invoke_url, "/carts"))
