import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface CheckoutApiArgs {
    environmentSuffix: string;
    alarmTopicArn: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** The checkout function and the REST API in front of it, with its own stage. */
export class CheckoutApi extends pulumi.ComponentResource {
    public readonly handler: aws.lambda.Function;
    public readonly stage: aws.apigateway.Stage;

    constructor(name: string, args: CheckoutApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("acme:checkout:Api", name, {}, opts);
        const { environmentSuffix, tags } = args;

        const carts = new aws.dynamodb.Table(`${name}-carts`, {
            attributes: [
                { name: "cartId", type: "S" },
                { name: "customerId", type: "S" },
            ],
            hashKey: "cartId",
            globalSecondaryIndexes: [{ name: "byCustomer", hashKey: "customerId", projectionType: "ALL" }],
            billingMode: "PAY_PER_REQUEST",
            pointInTimeRecovery: { enabled: true },
            ttl: { attributeName: "expiresAt", enabled: true },
            tags,
        }, { parent: this });

        const role = new aws.iam.Role(`${name}-handler`, {
            assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
            tags,
        }, { parent: this });
        new aws.iam.RolePolicyAttachment(`${name}-handler-logs`, {
            role: role.name,
            policyArn: aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole,
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-handler-carts`, {
            role: role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
                    Resource: [carts.arn, pulumi.interpolate`${carts.arn}/index/*`],
                }],
            }),
        }, { parent: this });

        const functionName = `checkout-${environmentSuffix}`;
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-handler`, {
            name: `/aws/lambda/${functionName}`,
            retentionInDays: 30,
            tags,
        }, { parent: this });

        this.handler = new aws.lambda.Function(`${name}-handler`, {
            name: functionName,
            runtime: aws.lambda.Runtime.NodeJS22dX,
            architectures: ["arm64"],
            handler: "handler.handler",
            role: role.arn,
            code: new pulumi.asset.FileArchive("./app/dist"),
            memorySize: 256,
            timeout: 10,
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
            tracingConfig: { mode: "Active" },
            environment: {
                variables: {
                    CARTS_TABLE: carts.name,
                    STAGE: environmentSuffix,
                    POWERTOOLS_SERVICE_NAME: "checkout",
                    NODE_OPTIONS: "--enable-source-maps",
                },
            },
            tags,
        }, { parent: this, dependsOn: [logGroup] });

        new aws.cloudwatch.MetricAlarm(`${name}-errors`, {
            name: `checkout-errors-${environmentSuffix}`,
            comparisonOperator: "GreaterThanThreshold",
            evaluationPeriods: 1,
            metricName: "Errors",
            namespace: "AWS/Lambda",
            period: 300,
            statistic: "Sum",
            threshold: 0,
            dimensions: { FunctionName: this.handler.name },
            alarmActions: [args.alarmTopicArn],
            tags,
        }, { parent: this });

        // REST API: /carts/{cartId} proxied to the function.
        const api = new aws.apigateway.RestApi(`${name}-api`, {
            name: `checkout-${environmentSuffix}`,
            description: `Checkout API (${environmentSuffix})`,
            endpointConfiguration: { types: "REGIONAL" },
            tags,
        }, { parent: this });
        const cartsResource = new aws.apigateway.Resource(`${name}-carts`, {
            restApi: api.id,
            parentId: api.rootResourceId,
            pathPart: "carts",
        }, { parent: this });
        const cartResource = new aws.apigateway.Resource(`${name}-cart`, {
            restApi: api.id,
            parentId: cartsResource.id,
            pathPart: "{cartId}",
        }, { parent: this });

        const routes = [
            { resource: cartsResource, method: "POST" },
            { resource: cartResource, method: "GET" },
            { resource: cartResource, method: "PUT" },
        ];
        const integrations = routes.map(({ resource, method }) => {
            const key = `${name}-${method.toLowerCase()}-${resource === cartsResource ? "carts" : "cart"}`;
            const apiMethod = new aws.apigateway.Method(key, {
                restApi: api.id,
                resourceId: resource.id,
                httpMethod: method,
                authorization: "AWS_IAM",
            }, { parent: this });
            return new aws.apigateway.Integration(key, {
                restApi: api.id,
                resourceId: resource.id,
                httpMethod: apiMethod.httpMethod,
                integrationHttpMethod: "POST",
                type: "AWS_PROXY",
                uri: this.handler.invokeArn,
            }, { parent: this });
        });

        // The deployment is a snapshot of the API; the stage it is served on is its own resource.
        const deployment = new aws.apigateway.Deployment(`${name}-api`, {
            restApi: api.id,
            description: `Checkout API (${environmentSuffix})`,
            triggers: {
                redeployment: pulumi.jsonStringify(integrations.map(i => [i.id, i.uri, i.httpMethod])),
            },
        }, { parent: this, dependsOn: integrations });
        this.stage = new aws.apigateway.Stage(`${name}-api`, {
            restApi: api.id,
            deployment: deployment.id,
            stageName: "v1",
            xrayTracingEnabled: true,
            variables: { environment: environmentSuffix },
            tags,
        }, { parent: this });
        new aws.apigateway.MethodSettings(`${name}-api`, {
            restApi: api.id,
            stageName: this.stage.stageName,
            methodPath: "*/*",
            settings: { metricsEnabled: true, throttlingBurstLimit: 200, throttlingRateLimit: 100 },
        }, { parent: this });

        new aws.lambda.Permission(`${name}-api`, {
            action: "lambda:InvokeFunction",
            function: this.handler.name,
            principal: "apigateway.amazonaws.com",
            sourceArn: pulumi.interpolate`${api.executionArn}/*/*`,
        }, { parent: this });

        this.registerOutputs({ invokeUrl: this.stage.invokeUrl, handler: this.handler.arn });
    }
}
