"""A container service on Fargate (on-demand and Spot) behind an application load balancer."""

from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from components import assume_role_policy


class WebService(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        service_name: str,
        environment_suffix: str,
        vpc_id: pulumi.Input[str],
        public_subnet_ids: Sequence[pulumi.Input[str]],
        private_subnet_ids: Sequence[pulumi.Input[str]],
        image: pulumi.Input[str],
        container_port: int,
        desired_count: int,
        environment: Mapping[str, pulumi.Input[str]],
        alarm_topic_arn: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        super().__init__("acme:web:Service", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region

        alb_security_group = aws.ec2.SecurityGroup(
            f"{name}-alb",
            vpc_id=vpc_id,
            description=f"Public HTTP(S) to the {service_name} load balancer",
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"]),
                aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443, cidr_blocks=["0.0.0.0/0"]),
            ],
            egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
            tags=tags,
            opts=child,
        )
        task_security_group = aws.ec2.SecurityGroup(
            f"{name}-tasks",
            vpc_id=vpc_id,
            description=f"Load balancer to the {service_name} tasks",
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    protocol="tcp",
                    from_port=container_port,
                    to_port=container_port,
                    security_groups=[alb_security_group.id],
                )
            ],
            egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0, cidr_blocks=["0.0.0.0/0"])],
            tags=tags,
            opts=child,
        )
        self.security_group_id = task_security_group.id

        self.load_balancer = aws.lb.LoadBalancer(
            f"{name}-alb",
            name=f"{service_name}-{environment_suffix}",
            load_balancer_type="application",
            security_groups=[alb_security_group.id],
            subnets=public_subnet_ids,
            drop_invalid_header_fields=True,
            tags=tags,
            opts=child,
        )

        target_group = aws.lb.TargetGroup(
            f"{name}-web",
            aws.lb.TargetGroupArgs(
                name=f"{service_name}-web-{environment_suffix}",
                port=container_port,
                protocol="HTTP",
                target_type="ip",
                vpc_id=vpc_id,
                deregistration_delay=30,
                health_check=aws.lb.TargetGroupHealthCheckArgs(
                    path="/healthz",
                    matcher="200",
                    interval=15,
                    healthy_threshold=2,
                    unhealthy_threshold=3,
                ),
                tags=tags,
            ),
            opts=child,
        )

        aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=self.load_balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)],
            tags=tags,
            opts=child,
        )

        self.cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
            tags=tags,
            opts=child,
        )
        aws.ecs.ClusterCapacityProviders(
            f"{name}-cluster",
            cluster_name=self.cluster.name,
            capacity_providers=["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategies=[
                aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                    capacity_provider="FARGATE", weight=1, base=1
                )
            ],
            opts=child,
        )

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-containers",
            name=f"/ecs/{service_name}-{environment_suffix}",
            retention_in_days=30,
            tags=tags,
            opts=child,
        )

        execution_role = aws.iam.Role(
            f"{name}-execution",
            assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com"),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-execution",
            role=execution_role.name,
            policy_arn=aws.iam.ManagedPolicy.AMAZON_ECS_TASK_EXECUTION_ROLE_POLICY,
            opts=child,
        )
        task_role = aws.iam.Role(
            f"{name}-task",
            assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com"),
            tags=tags,
            opts=child,
        )

        task_definition = aws.ecs.TaskDefinition(
            f"{name}-web",
            family=f"{service_name}-web-{environment_suffix}",
            cpu="512",
            memory="1024",
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture="X86_64"
            ),
            execution_role_arn=execution_role.arn,
            task_role_arn=task_role.arn,
            container_definitions=pulumi.Output.json_dumps(
                [
                    {
                        "name": "web",
                        "image": image,
                        "essential": True,
                        "portMappings": [{"containerPort": container_port, "protocol": "tcp"}],
                        "environment": [{"name": k, "value": v} for k, v in environment.items()],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": log_group.name,
                                "awslogs-region": region,
                                "awslogs-stream-prefix": "web",
                            },
                        },
                    }
                ]
            ),
            tags=tags,
            opts=child,
        )

        # Capacity comes from the strategy: one on-demand task, then three Spot tasks for one
        # on-demand. (A service with a capacity provider strategy takes no launch type.)
        self.service = aws.ecs.Service(
            f"{name}-web",
            name=f"{service_name}-web",
            cluster=self.cluster.arn,
            task_definition=task_definition.arn,
            desired_count=desired_count,
            capacity_provider_strategies=[
                aws.ecs.ServiceCapacityProviderStrategyArgs(capacity_provider="FARGATE", weight=1, base=1),
                aws.ecs.ServiceCapacityProviderStrategyArgs(capacity_provider="FARGATE_SPOT", weight=3),
            ],
            platform_version="LATEST",
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=private_subnet_ids,
                security_groups=[task_security_group.id],
                assign_public_ip=False,
            ),
            load_balancers=[
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=target_group.arn, container_name="web", container_port=container_port
                )
            ],
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            health_check_grace_period_seconds=60,
            propagate_tags="SERVICE",
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["desired_count"]),
        )

        aws.cloudwatch.MetricAlarm(
            f"{name}-5xx",
            name=f"{service_name}-web-5xx-{environment_suffix}",
            alarm_description=f"The {service_name} tasks answer with server errors",
            comparison_operator="GreaterThanOrEqualToThreshold",
            evaluation_periods=3,
            datapoints_to_alarm=2,
            metric_name="HTTPCode_Target_5XX_Count",
            namespace="AWS/ApplicationELB",
            period=60,
            statistic="Sum",
            threshold=10,
            treat_missing_data="notBreaching",
            dimensions={
                "LoadBalancer": self.load_balancer.arn_suffix,
                "TargetGroup": target_group.arn_suffix,
            },
            alarm_actions=[alarm_topic_arn],
            ok_actions=[alarm_topic_arn],
            tags=tags,
            opts=child,
        )

        self.register_outputs(
            {"dns_name": self.load_balancer.dns_name, "service_name": self.service.name}
        )
