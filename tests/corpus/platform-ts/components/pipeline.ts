import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface DeployPipelineArgs {
    environmentSuffix: string;
    /** GitHub repository, `owner/name`. */
    repository: string;
    branch: string;
    imageRepositoryUrl: pulumi.Input<string>;
    imageRepositoryArn: pulumi.Input<string>;
    clusterName: pulumi.Input<string>;
    serviceName: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** Builds the web image on every push to the branch and rolls it out to the ECS service. */
export class DeployPipeline extends pulumi.ComponentResource {
    public readonly pipeline: aws.codepipeline.Pipeline;

    constructor(name: string, args: DeployPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
        super("acme:ci:DeployPipeline", name, {}, opts);
        const { environmentSuffix, tags } = args;

        const artifacts = new aws.s3.Bucket(`${name}-artifacts`, { forceDestroy: true, tags }, { parent: this });
        const artifactsEncryption = new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-artifacts`, {
            bucket: artifacts.id,
            rules: [{
                applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
            }],
        }, { parent: this });
        new aws.s3.BucketPublicAccessBlock(`${name}-artifacts`, {
            bucket: artifacts.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, { parent: this });

        const github = new aws.codestarconnections.Connection(`${name}-github`, {
            name: `storefront-${environmentSuffix}`,
            providerType: "GitHub",
            tags,
        }, { parent: this });

        const buildRole = new aws.iam.Role(`${name}-build`, {
            assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "codebuild.amazonaws.com" }),
            tags,
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-build`, {
            role: buildRole.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" },
                    { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: pulumi.interpolate`${artifacts.arn}/*` },
                    { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                    {
                        Effect: "Allow",
                        Action: [
                            "ecr:BatchCheckLayerAvailability",
                            "ecr:InitiateLayerUpload",
                            "ecr:UploadLayerPart",
                            "ecr:CompleteLayerUpload",
                            "ecr:PutImage",
                        ],
                        Resource: args.imageRepositoryArn,
                    },
                ],
            }),
        }, { parent: this });

        const build = new aws.codebuild.Project(`${name}-image`, {
            name: `storefront-image-${environmentSuffix}`,
            serviceRole: buildRole.arn,
            artifacts: { type: "CODEPIPELINE" },
            source: { type: "CODEPIPELINE", buildspec: "buildspec.yml" },
            environment: {
                computeType: "BUILD_GENERAL1_SMALL",
                image: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
                type: "LINUX_CONTAINER",
                privilegedMode: true,
                environmentVariables: [
                    { name: "IMAGE_REPOSITORY", value: args.imageRepositoryUrl },
                    { name: "CONTAINER_NAME", value: "web" },
                ],
            },
            logsConfig: { cloudwatchLogs: { groupName: `/codebuild/storefront-${environmentSuffix}` } },
            tags,
        }, { parent: this });

        const pipelineRole = new aws.iam.Role(`${name}-pipeline`, {
            assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "codepipeline.amazonaws.com" }),
            tags,
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-pipeline`, {
            role: pipelineRole.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], Resource: pulumi.interpolate`${artifacts.arn}/*` },
                    { Effect: "Allow", Action: "codestar-connections:UseConnection", Resource: github.arn },
                    { Effect: "Allow", Action: ["codebuild:StartBuild", "codebuild:BatchGetBuilds"], Resource: build.arn },
                    { Effect: "Allow", Action: ["ecs:DescribeServices", "ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition", "ecs:UpdateService"], Resource: "*" },
                    { Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } },
                ],
            }),
        }, { parent: this });

        this.pipeline = new aws.codepipeline.Pipeline(`${name}-pipeline`, {
            name: `storefront-${environmentSuffix}`,
            pipelineType: "V2",
            roleArn: pipelineRole.arn,
            artifactStores: [{ location: artifacts.bucket, type: "S3" }],
            stages: [
                {
                    name: "Source",
                    actions: [{
                        name: "GitHub",
                        category: "Source",
                        owner: "AWS",
                        provider: "CodeStarSourceConnection",
                        version: "1",
                        outputArtifacts: ["source"],
                        configuration: {
                            ConnectionArn: github.arn,
                            FullRepositoryId: args.repository,
                            BranchName: args.branch,
                            DetectChanges: "true",
                            OutputArtifactFormat: "CODE_ZIP",
                        },
                    }],
                },
                {
                    name: "Build",
                    actions: [{
                        name: "Image",
                        category: "Build",
                        owner: "AWS",
                        provider: "CodeBuild",
                        version: "1",
                        inputArtifacts: ["source"],
                        outputArtifacts: ["imagedefinitions"],
                        configuration: { ProjectName: build.name },
                    }],
                },
                {
                    name: "Deploy",
                    actions: [{
                        name: "Service",
                        category: "Deploy",
                        owner: "AWS",
                        provider: "ECS",
                        version: "1",
                        inputArtifacts: ["imagedefinitions"],
                        configuration: {
                            ClusterName: args.clusterName,
                            ServiceName: args.serviceName,
                            FileName: "imagedefinitions.json",
                            DeploymentTimeout: "15",
                        },
                    }],
                },
            ],
            tags,
        }, { parent: this });

        this.registerOutputs({ pipeline: this.pipeline.name });
    }
}
