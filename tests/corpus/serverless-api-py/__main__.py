"""Orders API: a function behind API Gateway, containers behind a load balancer, a cache."""

import pulumi
import pulumi_aws as aws

from service import OrdersService

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or "dev"

service = OrdersService(f"orders-{environment_suffix}", environment_suffix)

# The API in front of the function: the stage is its own resource.
api = aws.apigateway.RestApi(
    f"orders-api-{environment_suffix}", description=f"Orders API ({environment_suffix})"
)
resource = aws.apigateway.Resource(
    f"orders-{environment_suffix}",
    rest_api=api.id,
    parent_id=api.root_resource_id,
    path_part="orders",
)
method = aws.apigateway.Method(
    f"orders-post-{environment_suffix}",
    rest_api=api.id,
    resource_id=resource.id,
    http_method="POST",
    authorization="NONE",
)
integration = aws.apigateway.Integration(
    f"orders-post-{environment_suffix}",
    rest_api=api.id,
    resource_id=resource.id,
    http_method=method.http_method,
    integration_http_method="POST",
    type="AWS_PROXY",
    uri=service.handler.invoke_arn,
)
deployment = aws.apigateway.Deployment(
    f"orders-{environment_suffix}",
    rest_api=api.id,
    triggers={"redeployment": pulumi.Output.json_dumps([resource.id, method.id, integration.id])},
    opts=pulumi.ResourceOptions(depends_on=[integration]),
)
stage = aws.apigateway.Stage(
    f"orders-{environment_suffix}",
    rest_api=api.id,
    deployment=deployment.id,
    stage_name=environment_suffix,
)
aws.lambda_.Permission(
    f"orders-api-{environment_suffix}",
    action="lambda:InvokeFunction",
    function=service.handler.name,
    principal="apigateway.amazonaws.com",
    source_arn=pulumi.Output.concat(api.execution_arn, "/*/*"),
)

# Containers behind a load balancer, on Fargate capacity providers.
vpc = aws.ec2.get_vpc_output(default=True)
subnets = aws.ec2.get_subnets_output(
    filters=[aws.ec2.GetSubnetsFilterArgs(name="default-for-az", values=["true"])]
)

alb = aws.lb.LoadBalancer(
    f"orders-{environment_suffix}",
    name=f"orders-{environment_suffix}",
    load_balancer_type="application",
    subnets=subnets.ids,
)
target_group = aws.lb.TargetGroup(
    f"orders-{environment_suffix}",
    name_prefix="ord-",
    port=8080,
    protocol="HTTP",
    target_type="ip",
    vpc_id=vpc.id,
)

cluster = aws.ecs.Cluster(f"orders-{environment_suffix}")
aws.ecs.Service(
    f"orders-{environment_suffix}",
    cluster=cluster.arn,
    task_definition=f"orders-{environment_suffix}",
    desired_count=2,
    capacity_provider_strategies=[
        aws.ecs.ServiceCapacityProviderStrategyArgs(capacity_provider="FARGATE", weight=1, base=1),
        aws.ecs.ServiceCapacityProviderStrategyArgs(capacity_provider="FARGATE_SPOT", weight=3),
    ],
    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
        subnets=subnets.ids, assign_public_ip=True
    ),
    load_balancers=[
        aws.ecs.ServiceLoadBalancerArgs(
            target_group_arn=target_group.arn, container_name="orders", container_port=8080
        )
    ],
)

aws.elasticache.ReplicationGroup(
    f"orders-cache-{environment_suffix}",
    description=f"Orders sessions ({environment_suffix})",
    engine="redis",
    node_type="cache.t4g.small",
    num_cache_clusters=2,
    automatic_failover_enabled=True,
)

zone = aws.route53.get_zone_output(name="orders.acme-analytics.net")
aws.route53.Record(
    f"orders-primary-{environment_suffix}",
    zone_id=zone.zone_id,
    name=f"api-{environment_suffix}.orders.acme-analytics.net",
    type="A",
    set_identifier=f"primary-{environment_suffix}",
    failover_routing_policies=[aws.route53.RecordFailoverRoutingPolicyArgs(type="PRIMARY")],
    aliases=[
        aws.route53.RecordAliasArgs(
            name=alb.dns_name, zone_id=alb.zone_id, evaluate_target_health=True
        )
    ],
)

pulumi.export("url", pulumi.Output.concat(stage.invoke_url, "/orders"))
pulumi.export("load_balancer", alb.dns_name)
