import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";

export interface CatalogDatabaseArgs {
    environmentSuffix: string;
    vpcId: pulumi.Input<string>;
    subnetIds: pulumi.Input<string>[];
    /** Security groups allowed to connect on 5432. */
    clientSecurityGroupIds: pulumi.Input<string>[];
    kmsKeyArn: pulumi.Input<string>;
    instanceCount: number;
    tags: Record<string, string>;
}

/** Aurora PostgreSQL for the media catalogue, its credentials kept in Secrets Manager. */
export class CatalogDatabase extends pulumi.ComponentResource {
    public readonly cluster: aws.rds.Cluster;
    public readonly secretArn: pulumi.Output<string>;

    constructor(name: string, args: CatalogDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("acme:storage:CatalogDatabase", name, {}, opts);
        const { environmentSuffix, tags } = args;

        const subnetGroup = new aws.rds.SubnetGroup(name, {
            subnetIds: args.subnetIds,
            tags,
        }, { parent: this });

        const securityGroup = new aws.ec2.SecurityGroup(name, {
            vpcId: args.vpcId,
            description: "PostgreSQL from the catalogue's clients",
            ingress: [{
                protocol: "tcp",
                fromPort: 5432,
                toPort: 5432,
                securityGroups: args.clientSecurityGroupIds,
            }],
            tags,
        }, { parent: this });

        const parameters = new aws.rds.ClusterParameterGroup(name, {
            family: "aurora-postgresql16",
            description: `Catalogue parameters (${environmentSuffix})`,
            parameters: [
                { name: "rds.force_ssl", value: "1" },
                { name: "log_min_duration_statement", value: "500" },
            ],
            tags,
        }, { parent: this });

        const masterPassword = new random.RandomPassword(`${name}-master`, {
            length: 32,
            special: true,
            overrideSpecial: "!#$%^&*()-_=+[]{}<>:?",
            minUpper: 2,
            minLower: 2,
            minNumeric: 2,
        }, { parent: this });

        this.cluster = new aws.rds.Cluster(name, {
            clusterIdentifier: `media-catalog-${environmentSuffix}`,
            engine: "aurora-postgresql",
            engineVersion: "16.4",
            databaseName: "catalog",
            masterUsername: "catalog_admin",
            masterPassword: masterPassword.result,
            dbSubnetGroupName: subnetGroup.name,
            dbClusterParameterGroupName: parameters.name,
            vpcSecurityGroupIds: [securityGroup.id],
            storageEncrypted: true,
            kmsKeyId: args.kmsKeyArn,
            backupRetentionPeriod: environmentSuffix === "prod" ? 14 : 3,
            preferredBackupWindow: "03:00-04:00",
            enabledCloudwatchLogsExports: ["postgresql"],
            deletionProtection: environmentSuffix === "prod",
            skipFinalSnapshot: environmentSuffix !== "prod",
            finalSnapshotIdentifier: environmentSuffix === "prod" ? `media-catalog-${environmentSuffix}-final` : undefined,
            copyTagsToSnapshot: true,
            tags,
        }, { parent: this });

        for (let i = 0; i < args.instanceCount; i++) {
            new aws.rds.ClusterInstance(`${name}-${i}`, {
                identifier: `media-catalog-${environmentSuffix}-${i}`,
                clusterIdentifier: this.cluster.id,
                instanceClass: "db.t4g.medium",
                engine: "aurora-postgresql",
                engineVersion: this.cluster.engineVersion,
                dbSubnetGroupName: subnetGroup.name,
                performanceInsightsEnabled: true,
                promotionTier: i,
                tags,
            }, { parent: this });
        }

        const secret = new aws.secretsmanager.Secret(name, {
            name: `media/${environmentSuffix}/catalog-db`,
            kmsKeyId: args.kmsKeyArn,
            recoveryWindowInDays: environmentSuffix === "prod" ? 30 : 0,
            tags,
        }, { parent: this });
        new aws.secretsmanager.SecretVersion(name, {
            secretId: secret.id,
            secretString: pulumi.jsonStringify({
                engine: "postgres",
                host: this.cluster.endpoint,
                port: this.cluster.port,
                dbname: "catalog",
                username: this.cluster.masterUsername,
                password: masterPassword.result,
            }),
        }, { parent: this });
        this.secretArn = secret.arn;

        this.registerOutputs({ endpoint: this.cluster.endpoint, secretArn: this.secretArn });
    }
}
