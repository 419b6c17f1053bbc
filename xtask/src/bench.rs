//! `cargo xtask bench bulk [N ...]`: generates N synthetic repositories (real git repositories,
//! each a small Pulumi project in TypeScript or Python with some of the catalogue's failures),
//! then times a release build of `iacfix apply --unsafe --commit --repos …` over them: wall time,
//! CPU time, repositories per second and peak memory (the child's maximum resident set).
//! Numbers are measured, never assumed; run it on an idle machine.

use crate::project_root;
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub fn run(args: &[&str]) -> anyhow::Result<()> {
    match args {
        ["bulk", counts @ ..] => {
            let counts: Vec<usize> = if counts.is_empty() {
                vec![100, 1000]
            } else {
                counts
                    .iter()
                    .map(|c| c.parse().context("counts are numbers of repositories"))
                    .collect::<anyhow::Result<_>>()?
            };
            bulk(&counts)
        }
        _ => bail!("usage: cargo xtask bench bulk [N ...]"),
    }
}

/// A measured run.
struct Measure {
    repos: usize,
    wall: f64,
    cpu: f64,
    peak_rss_mb: f64,
    commits: u64,
}

fn bulk(counts: &[usize]) -> anyhow::Result<()> {
    let root = project_root();
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--bin", "iacfix"])
        .current_dir(&root)
        .status()?;
    if !status.success() {
        bail!("cargo build --release failed");
    }
    let iacfix = root.join("target/release/iacfix");
    let mut results = Vec::new();
    for &count in counts {
        let dir = tempfile::Builder::new().prefix("iacfix-bench-").tempdir()?;
        let started = Instant::now();
        let list = generate(dir.path(), count)?;
        eprintln!(
            "generated {count} repositories in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let measure = measure(&iacfix, dir.path(), &list, count)?;
        eprintln!(
            "{count} repos: {:.2} s wall, {:.2} s CPU, {:.0} repos/s, peak RSS {:.1} MB, {} commits",
            measure.wall,
            measure.cpu,
            count as f64 / measure.wall,
            measure.peak_rss_mb,
            measure.commits
        );
        results.push(measure);
    }
    println!("| repos | wall (s) | CPU (s) | repos/s | peak RSS (MB) | commits |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for m in &results {
        println!(
            "| {} | {:.2} | {:.2} | {:.0} | {:.1} | {} |",
            m.repos,
            m.wall,
            m.cpu,
            m.repos as f64 / m.wall,
            m.peak_rss_mb,
            m.commits
        );
    }
    if let (Some(small), Some(large)) = (results.first(), results.last())
        && results.len() > 1
    {
        println!(
            "\npeak RSS, {} vs {} repos: {:.2}x (goal: at most 1.5x)",
            large.repos,
            small.repos,
            large.peak_rss_mb / small.peak_rss_mb
        );
    }
    Ok(())
}

const TS: &str = r#"import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const environmentSuffix = new pulumi.Config().get("environmentSuffix") || "dev";
const vpc = new aws.ec2.Vpc(`app-vpc-${environmentSuffix}`, { cidrBlock: "10.0.0.0/16" });
const zone = new aws.route53.Zone(`app-zone-${environmentSuffix}`, {
    name: `app-${environmentSuffix}.example.com`,
    vpcs: [{ vpcId: vpc.id }],
});
const source = new aws.s3.Bucket(`app-source-${environmentSuffix}`);
const replica = new aws.s3.Bucket(`app-replica-${environmentSuffix}`);
const role = new aws.iam.Role(`app-replication-${environmentSuffix}`, { assumeRolePolicy: "{}" });
new aws.s3.BucketReplication(`app-replication-${environmentSuffix}`, {
    role: role.arn,
    bucket: source.id,
    rules: [{ status: "Enabled", destination: { bucket: replica.arn } }],
});
export const zoneId = zone.zoneId;
"#;

const PY: &str = r#"import pulumi
import pulumi_aws as aws

environment_suffix = pulumi.Config().get("environmentSuffix") or "dev"
db = aws.rds.Cluster(
    f"app-db-{environment_suffix}",
    engine="aurora-postgresql",
    master_username="app",
    master_password="app-password-literal",
    skip_final_snapshot=True,
)
zone = aws.route53.Zone(f"app-zone-{environment_suffix}", name=f"app-{environment_suffix}.example.org")
pulumi.export("endpoint", db.endpoint)
"#;

/// Creates `count` repositories under `dir` and the list file; returns its path.
fn generate(dir: &Path, count: usize) -> anyhow::Result<PathBuf> {
    let signature = git2::Signature::now("Bench", "bench@example.org")?;
    let mut list = String::new();
    for i in 0..count {
        let name = format!("repo-{i:04}");
        let path = dir.join(&name);
        std::fs::create_dir_all(&path)?;
        let files: Vec<(&str, String)> = if i % 2 == 0 {
            vec![
                ("Pulumi.yaml", format!("name: {name}\nruntime: nodejs\n")),
                ("Pulumi.dev.yaml", "config: {}\n".to_owned()),
                ("index.ts", TS.to_owned()),
                (
                    "package.json",
                    "{\n  \"dependencies\": {\n    \"@pulumi/aws\": \"^7.0.0\",\n    \"@pulumi/pulumi\": \"^3.0.0\"\n  }\n}\n"
                        .to_owned(),
                ),
            ]
        } else {
            vec![
                ("Pulumi.yaml", format!("name: {name}\nruntime: python\n")),
                ("__main__.py", PY.to_owned()),
                ("requirements.txt", "pulumi>=3\npulumi-aws>=7\n".to_owned()),
            ]
        };
        for (file, text) in &files {
            std::fs::write(path.join(file), text)?;
        }
        let repo = git2::Repository::init(&path)?;
        let mut index = repo.index()?;
        for (file, _) in &files {
            index.add_path(Path::new(file))?;
        }
        index.write()?;
        let tree = repo.find_tree(index.write_tree()?)?;
        repo.commit(Some("HEAD"), &signature, &signature, "Initial", &tree, &[])?;
        list.push_str(&name);
        list.push('\n');
    }
    let file = dir.join("repos.txt");
    std::fs::write(&file, list)?;
    Ok(file)
}

fn measure(iacfix: &Path, dir: &Path, list: &Path, count: usize) -> anyhow::Result<Measure> {
    let home = dir.join(".home");
    std::fs::create_dir_all(&home)?;
    std::fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = Bench\n\temail = bench@example.org\n",
    )?;
    let report = dir.join("report.json");
    let started = Instant::now();
    let child = Command::new(iacfix)
        .args(["apply", "--unsafe", "--commit", "--quiet", "--repos"])
        .arg(list)
        .arg("--report")
        .arg(&report)
        .current_dir(dir)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", &home)
        .stdout(std::process::Stdio::null())
        .spawn()?;
    let (code, usage) = wait_with_usage(child.id())?;
    let wall = started.elapsed().as_secs_f64();
    if code == 2 {
        bail!("iacfix failed on the synthetic repositories");
    }
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report)?)?;
    let changed = report["totals"]["changed"].as_u64().unwrap_or(0);
    if changed != count as u64 {
        bail!("{changed} of {count} repositories changed");
    }
    Ok(Measure {
        repos: count,
        wall,
        cpu: usage.0,
        peak_rss_mb: usage.1,
        commits: report["totals"]["commits"].as_u64().unwrap_or(0),
    })
}

/// Waits for process `pid`; returns its exit code, CPU seconds and peak RSS (MB) — its own,
/// not those of other children.
pub(crate) fn wait_with_usage(pid: u32) -> anyhow::Result<(i32, (f64, f64))> {
    let mut status = 0;
    // SAFETY: wait4 only writes the status and the struct it is given; `pid` is our child,
    // spawned above and not waited for by anyone else.
    #[allow(unsafe_code)]
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) < 0 {
            bail!("wait4 failed: {}", std::io::Error::last_os_error());
        }
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Ok((
        code,
        (
            seconds(usage.ru_utime) + seconds(usage.ru_stime),
            usage.ru_maxrss as f64 / 1024.0,
        ),
    ))
}
