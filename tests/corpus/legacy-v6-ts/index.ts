import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ReportsNetwork } from "./infra/network";
import { ReportsBucket } from "./infra/reportsBucket";

const config = new pulumi.Config();
const env = config.require("env");
const retentionDays = config.getNumber("retentionDays") || 400;
const tags = { app: "reports", env, owner: "finance-platform" };

const network = new ReportsNetwork(`reports-${env}`, tags);

// Server access logs. Log delivery writes through the bucket ACL, so ACLs must be enabled
// (ObjectOwnership BucketOwnerPreferred) before the ACL is set.
const logs = new aws.s3.BucketV2(`reports-logs-${env}`, { forceDestroy: true, tags });
const logsOwnership = new aws.s3.BucketOwnershipControls(`reports-logs-${env}`, {
    bucket: logs.id,
    rule: { objectOwnership: "BucketOwnerPreferred" },
});
const logsPublicAccess = new aws.s3.BucketPublicAccessBlock(`reports-logs-${env}`, {
    bucket: logs.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
});
new aws.s3.BucketAclV2(`reports-logs-${env}`, {
    bucket: logs.id,
    acl: "log-delivery-write",
}, { dependsOn: [logsOwnership, logsPublicAccess] });
new aws.s3.BucketServerSideEncryptionConfigurationV2(`reports-logs-${env}`, {
    bucket: logs.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
});
new aws.s3.BucketLifecycleConfigurationV2(`reports-logs-${env}`, {
    bucket: logs.id,
    rules: [{ id: "expire-logs", status: "Enabled", filter: { prefix: "" }, expiration: { days: 90 } }],
});

const reports = new ReportsBucket(`reports-${env}`, { logBucketId: logs.id, retentionDays, tags });

// The function answering GET /reports/{month} with a short-lived download link.
const linksRole = new aws.iam.Role(`reports-links-${env}`, {
    assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
    tags,
});
new aws.iam.RolePolicyAttachment(`reports-links-vpc-${env}`, {
    role: linksRole.name,
    policyArn: aws.iam.ManagedPolicy.AWSLambdaVPCAccessExecutionRole,
});
new aws.iam.RolePolicy(`reports-links-${env}`, {
    role: linksRole.id,
    policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: "s3:GetObject", Resource: pulumi.interpolate`${reports.bucket.arn}/monthly/*` },
            { Effect: "Allow", Action: "s3:ListBucket", Resource: reports.bucket.arn },
            { Effect: "Allow", Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${aws.getRegionOutput().name}.amazonaws.com` } } },
        ],
    }),
});

const linksSecurityGroup = new aws.ec2.SecurityGroup(`reports-links-${env}`, {
    vpcId: network.vpc.id,
    description: "reports links function",
    egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
    tags,
});

const linksLogs = new aws.cloudwatch.LogGroup(`reports-links-${env}`, {
    name: `/aws/lambda/reports-links-${env}`,
    retentionInDays: 14,
    tags,
});
const links = new aws.lambda.Function(`reports-links-${env}`, {
    name: `reports-links-${env}`,
    runtime: aws.lambda.Runtime.NodeJS20dX,
    handler: "links.handler",
    role: linksRole.arn,
    code: new pulumi.asset.FileArchive("./lambda/dist"),
    timeout: 15,
    vpcConfig: { subnetIds: network.privateSubnetIds, securityGroupIds: [linksSecurityGroup.id] },
    environment: {
        variables: {
            REPORTS_BUCKET: reports.bucket.bucket,
            LINK_TTL_SECONDS: "900",
            REPORTS_ENV: env,
        },
    },
    tags,
}, { dependsOn: [linksLogs] });

// REST API. The deployment has no stage of its own: the stage is a separate resource, so
// stage settings can change without a new deployment.
const api = new aws.apigateway.RestApi(`reports-${env}`, {
    name: `reports-${env}`,
    description: "Monthly report downloads",
    endpointConfiguration: { types: "REGIONAL" },
    tags,
});
const reportsResource = new aws.apigateway.Resource(`reports-${env}`, {
    restApi: api.id,
    parentId: api.rootResourceId,
    pathPart: "reports",
});
const monthResource = new aws.apigateway.Resource(`reports-month-${env}`, {
    restApi: api.id,
    parentId: reportsResource.id,
    pathPart: "{month}",
});
const getMonth = new aws.apigateway.Method(`reports-month-get-${env}`, {
    restApi: api.id,
    resourceId: monthResource.id,
    httpMethod: "GET",
    authorization: "AWS_IAM",
    requestParameters: { "method.request.path.month": true },
});
const getMonthIntegration = new aws.apigateway.Integration(`reports-month-get-${env}`, {
    restApi: api.id,
    resourceId: monthResource.id,
    httpMethod: getMonth.httpMethod,
    integrationHttpMethod: "POST",
    type: "AWS_PROXY",
    uri: links.invokeArn,
});
const deployment = new aws.apigateway.Deployment(`reports-${env}`, {
    restApi: api.id,
    triggers: {
        redeployment: pulumi.jsonStringify([monthResource.id, getMonth.id, getMonthIntegration.id]),
    },
}, { dependsOn: [getMonthIntegration] });
const stage = new aws.apigateway.Stage(`reports-${env}`, {
    restApi: api.id,
    deployment: deployment.id,
    stageName: "live",
    description: `Reports API (${env})`,
    tags,
});

new aws.lambda.Permission(`reports-links-api-${env}`, {
    action: "lambda:InvokeFunction",
    function: links.name,
    principal: "apigateway.amazonaws.com",
    sourceArn: pulumi.interpolate`${api.executionArn}/${stage.stageName}/GET/reports/*`,
});

export const reportsBucket = reports.bucket.bucket;
export const logsBucket = logs.bucket;
export const natPublicIp = network.natPublicIp;
export const apiUrl = stage.invokeUrl;
export const monthUrl = pulumi.interpolate`${stage.invokeUrl}/reports/2024-01`;
