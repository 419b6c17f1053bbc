"""The checkout function and the REST API in front of it, with its own stage."""

from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws
from pulumi_aws import apigateway, cloudwatch, lambda_

from components import assume_role_policy


class CheckoutApi(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        environment_suffix: str,
        alarm_topic_arn: pulumi.Input[str],
        tags: Mapping[str, str],
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        super().__init__("acme:checkout:Api", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        carts = aws.dynamodb.Table(
            f"{name}-carts",
            attributes=[
                aws.dynamodb.TableAttributeArgs(name="cartId", type="S"),
                aws.dynamodb.TableAttributeArgs(name="customerId", type="S"),
            ],
            hash_key="cartId",
            global_secondary_indexes=[
                aws.dynamodb.TableGlobalSecondaryIndexArgs(
                    name="byCustomer", hash_key="customerId", projection_type="ALL"
                )
            ],
            billing_mode="PAY_PER_REQUEST",
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
            ttl=aws.dynamodb.TableTtlArgs(attribute_name="expiresAt", enabled=True),
            tags=tags,
            opts=child,
        )

        role = aws.iam.Role(
            f"{name}-handler",
            assume_role_policy=assume_role_policy("lambda.amazonaws.com"),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-handler-logs",
            role=role.name,
            policy_arn=aws.iam.ManagedPolicy.AWS_LAMBDA_BASIC_EXECUTION_ROLE,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-handler-carts",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "dynamodb:GetItem",
                                "dynamodb:PutItem",
                                "dynamodb:UpdateItem",
                                "dynamodb:Query",
                            ],
                            "Resource": [carts.arn, pulumi.Output.concat(carts.arn, "/index/*")],
                        }
                    ],
                }
            ),
            opts=child,
        )

        function_name = f"checkout-{environment_suffix}"
        log_group = cloudwatch.LogGroup(
            f"{name}-handler",
            name=f"/aws/lambda/{function_name}",
            retention_in_days=30,
            tags=tags,
            opts=child,
        )

        self.handler = lambda_.Function(
            f"{name}-handler",
            lambda_.FunctionArgs(
                name=function_name,
                runtime=lambda_.Runtime.PYTHON3D12,
                architectures=["arm64"],
                handler="handler.handler",
                role=role.arn,
                code=pulumi.FileArchive("./app"),
                memory_size=256,
                timeout=10,
                logging_config=lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=log_group.name),
                tracing_config=lambda_.FunctionTracingConfigArgs(mode="Active"),
                environment=lambda_.FunctionEnvironmentArgs(
                    variables={
                        "CARTS_TABLE": carts.name,
                        "STAGE": environment_suffix,
                        "POWERTOOLS_SERVICE_NAME": "checkout",
                        "LOG_LEVEL": "INFO",
                    },
                ),
                tags=tags,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group]),
        )

        cloudwatch.MetricAlarm(
            f"{name}-errors",
            cloudwatch.MetricAlarmArgs(
                name=f"checkout-errors-{environment_suffix}",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_name="Errors",
                namespace="AWS/Lambda",
                period=300,
                statistic="Sum",
                threshold=0,
                dimensions={"FunctionName": self.handler.name},
                alarm_actions=[alarm_topic_arn],
                tags=tags,
            ),
            opts=child,
        )

        # REST API: /carts/{cartId} proxied to the function.
        api = apigateway.RestApi(
            f"{name}-api",
            name=f"checkout-{environment_suffix}",
            description=f"Checkout API ({environment_suffix})",
            endpoint_configuration=apigateway.RestApiEndpointConfigurationArgs(types="REGIONAL"),
            tags=tags,
            opts=child,
        )
        carts_resource = apigateway.Resource(
            f"{name}-carts",
            rest_api=api.id,
            parent_id=api.root_resource_id,
            path_part="carts",
            opts=child,
        )
        cart_resource = apigateway.Resource(
            f"{name}-cart",
            rest_api=api.id,
            parent_id=carts_resource.id,
            path_part="{cartId}",
            opts=child,
        )

        integrations: list[apigateway.Integration] = []
        for key, resource, http_method in [
            ("carts", carts_resource, "POST"),
            ("cart", cart_resource, "GET"),
            ("cart", cart_resource, "PUT"),
        ]:
            method = apigateway.Method(
                f"{name}-{http_method.lower()}-{key}",
                rest_api=api.id,
                resource_id=resource.id,
                http_method=http_method,
                authorization="AWS_IAM",
                opts=child,
            )
            integrations.append(
                apigateway.Integration(
                    f"{name}-{http_method.lower()}-{key}",
                    rest_api=api.id,
                    resource_id=resource.id,
                    http_method=method.http_method,
                    integration_http_method="POST",
                    type="AWS_PROXY",
                    uri=self.handler.invoke_arn,
                    opts=child,
                )
            )

        # The deployment is a snapshot of the API; the stage it is served on is its own resource.
        deployment = apigateway.Deployment(
            f"{name}-api",
            rest_api=api.id,
            description=f"Checkout API ({environment_suffix})",
            triggers={
                "redeployment": pulumi.Output.json_dumps(
                    [[i.id, i.uri, i.http_method] for i in integrations]
                )
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=integrations),
        )
        self.stage = apigateway.Stage(
            f"{name}-api",
            apigateway.StageArgs(
                rest_api=api.id,
                deployment=deployment.id,
                stage_name="v1",
                xray_tracing_enabled=True,
                variables={"environment": environment_suffix},
                tags=tags,
            ),
            opts=child,
        )
        apigateway.MethodSettings(
            f"{name}-api",
            rest_api=api.id,
            stage_name=self.stage.stage_name,
            method_path="*/*",
            settings=apigateway.MethodSettingsSettingsArgs(
                metrics_enabled=True, throttling_burst_limit=200, throttling_rate_limit=100
            ),
            opts=child,
        )

        lambda_.Permission(
            f"{name}-api",
            action="lambda:InvokeFunction",
            function=self.handler.name,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(api.execution_arn, "/*/*"),
            opts=child,
        )

        self.register_outputs({"invoke_url": self.stage.invoke_url, "handler": self.handler.arn})
