//! Git, through libgit2: the dirty-tree guard, the author, branches, and one commit per codemod.
//!
//! Commits are built from HEAD's tree plus iacfix's files only (an in-memory index), so whatever
//! the user has staged or left untracked is never committed; afterwards the user's index gets
//! iacfix's files, and nothing else changes in it.

use crate::plan::ChangePlan;
use git2::{
    BranchType, ErrorCode, Index, IndexEntry, IndexTime, Oid, Repository, Signature, Status,
    StatusOptions,
};
use std::path::{Path, PathBuf};

/// A problem with the repository, worded for the user.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error(
        "git has no author: set `user.name` and `user.email` (`git config user.name \"Your \
         Name\"`), or pass --author \"Name <email>\""
    )]
    NoIdentity,
    #[error("--author {0:?} is not of the form \"Name <email>\"")]
    BadAuthor(String),
    #[error("the repository has no commit yet: make a first commit, then run iacfix")]
    NoCommit,
    #[error(
        "branch `{0}` already exists: choose another name, or pass --branch-exists=reuse to \
         commit on it"
    )]
    BranchExists(String),
    #[error("`{0}` is not a valid branch name")]
    BadBranchName(String),
    #[error("{0} is outside the repository at {1}")]
    OutsideRepository(String, String),
    #[error("{0}")]
    Git(#[from] git2::Error),
}

/// A git work tree iacfix runs in.
pub struct Repo {
    repo: Repository,
    workdir: PathBuf,
}

/// A commit iacfix made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Made {
    pub codemod: usize,
    pub id: Oid,
}

impl Repo {
    /// The work tree containing `path`, if any (bare repositories are not work trees).
    pub fn discover(path: &Path) -> Option<Repo> {
        let start = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        let repo = Repository::discover(start).ok()?;
        let workdir = repo.workdir()?.canonicalize().ok()?;
        Some(Repo { repo, workdir })
    }

    /// The work tree's root directory.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// `path` relative to the work tree, with `/` separators.
    pub fn relative(&self, path: &Path) -> Result<String, GitError> {
        let absolute = std::fs::canonicalize(path)
            .or_else(|_| std::path::absolute(path))
            .map_err(|e| GitError::Git(git2::Error::from_str(&e.to_string())))?;
        let relative = absolute.strip_prefix(&self.workdir).map_err(|_| {
            GitError::OutsideRepository(
                path.display().to_string(),
                self.workdir.display().to_string(),
            )
        })?;
        Ok(relative.to_string_lossy().replace('\\', "/"))
    }

    /// Tracked files with uncommitted changes, staged or not (untracked and ignored files do not
    /// count), relative to the work tree.
    pub fn dirty_files(&self) -> Result<Vec<String>, GitError> {
        let mut options = StatusOptions::new();
        options
            .include_untracked(false)
            .include_ignored(false)
            .exclude_submodules(true);
        let statuses = self.repo.statuses(Some(&mut options))?;
        let mut dirty: Vec<String> = statuses
            .iter()
            .filter(|s| {
                s.status().intersects(
                    Status::INDEX_NEW
                        | Status::INDEX_MODIFIED
                        | Status::INDEX_DELETED
                        | Status::INDEX_RENAMED
                        | Status::INDEX_TYPECHANGE
                        | Status::WT_MODIFIED
                        | Status::WT_DELETED
                        | Status::WT_RENAMED
                        | Status::WT_TYPECHANGE
                        | Status::CONFLICTED,
                )
            })
            .filter_map(|s| s.path().ok().map(str::to_owned))
            .collect();
        dirty.sort();
        Ok(dirty)
    }

    /// The author and committer: `--author "Name <email>"`, else the repository's git config.
    pub fn signature(&self, author: Option<&str>) -> Result<Signature<'static>, GitError> {
        match author {
            Some(author) => {
                let (name, rest) = author
                    .split_once('<')
                    .ok_or_else(|| GitError::BadAuthor(author.to_owned()))?;
                let email = rest
                    .strip_suffix('>')
                    .ok_or_else(|| GitError::BadAuthor(author.to_owned()))?;
                let name = name.trim();
                if name.is_empty() || email.trim().is_empty() {
                    return Err(GitError::BadAuthor(author.to_owned()));
                }
                Ok(Signature::now(name, email.trim())?)
            }
            None => self.repo.signature().map_err(|_| GitError::NoIdentity),
        }
    }

    fn head_commit(&self) -> Result<git2::Commit<'_>, GitError> {
        let head = self.repo.head().map_err(|e| match e.code() {
            ErrorCode::UnbornBranch | ErrorCode::NotFound => GitError::NoCommit,
            _ => GitError::Git(e),
        })?;
        Ok(head.peel_to_commit()?)
    }

    /// Creates branch `name` at HEAD and checks it out; with `reuse`, an existing branch is
    /// checked out instead of refused. Returns whether the branch was created.
    pub fn switch_to_branch(&self, name: &str, reuse: bool) -> Result<bool, GitError> {
        if !git2::Branch::name_is_valid(name)? {
            return Err(GitError::BadBranchName(name.to_owned()));
        }
        let head = self.head_commit()?;
        let (branch, created) = match self.repo.find_branch(name, BranchType::Local) {
            Ok(_) if !reuse => return Err(GitError::BranchExists(name.to_owned())),
            Ok(branch) => (branch, false),
            Err(e) if e.code() == ErrorCode::NotFound => {
                (self.repo.branch(name, &head, false)?, true)
            }
            Err(e) => return Err(e.into()),
        };
        let refname = branch.get().name()?.to_owned();
        let target = branch.get().peel_to_commit()?;
        if target.id() != head.id() {
            // A safe checkout: refuses to overwrite local changes.
            let mut checkout = git2::build::CheckoutBuilder::new();
            checkout.safe();
            self.repo
                .checkout_tree(target.as_object(), Some(&mut checkout))?;
        }
        self.repo.set_head(&refname)?;
        Ok(created)
    }

    /// Makes one commit per codemod of `plan` (in order) on top of HEAD, with `messages[i]` for
    /// `plan.codemods[i]`, and moves the current branch (or detached HEAD) to the last one. A
    /// codemod whose files already have these contents makes no commit.
    pub fn commit_plan(
        &self,
        plan: &ChangePlan,
        messages: &[String],
        signature: &Signature<'_>,
    ) -> Result<Vec<Made>, GitError> {
        let mut parent = self.head_commit()?;
        let mut made = Vec::new();
        for (change, message) in plan.codemods.iter().zip(messages) {
            let mut index = Index::new()?;
            index.read_tree(&parent.tree()?)?;
            for (file, _, after) in &change.files {
                let planned = &plan.files[*file];
                let relative = self.relative(&planned.path)?;
                let bytes = planned.source.to_bytes(after);
                let mode = index
                    .get_path(Path::new(&relative), 0)
                    .map(|e| e.mode)
                    .unwrap_or(if planned.executable {
                        0o100755
                    } else {
                        0o100644
                    });
                let blob = self.repo.blob(&bytes)?;
                let entry = IndexEntry {
                    ctime: IndexTime::new(0, 0),
                    mtime: IndexTime::new(0, 0),
                    dev: 0,
                    ino: 0,
                    mode,
                    uid: 0,
                    gid: 0,
                    file_size: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
                    id: blob,
                    flags: 0,
                    flags_extended: 0,
                    path: relative.into_bytes(),
                };
                index.add(&entry)?;
            }
            let tree_id = index.write_tree_to(&self.repo)?;
            if tree_id == parent.tree_id() {
                continue;
            }
            let tree = self.repo.find_tree(tree_id)?;
            let id = self
                .repo
                .commit(None, signature, signature, message, &tree, &[&parent])?;
            parent = self.repo.find_commit(id)?;
            made.push(Made {
                codemod: change.codemod,
                id,
            });
        }
        if let Some(last) = made.last() {
            let head = self.repo.head()?;
            if head.is_branch() {
                let name = head.name()?.to_owned();
                self.repo
                    .reference(&name, last.id, true, "iacfix: commit fixes")?;
            } else {
                self.repo.set_head_detached(last.id)?;
            }
        }
        Ok(made)
    }

    /// After iacfix wrote `paths` and committed them, their index entries follow (the rest of
    /// the user's index stays as it was).
    pub fn stage(&self, paths: &[PathBuf]) -> Result<(), GitError> {
        let mut index = self.repo.index()?;
        for path in paths {
            index.add_path(Path::new(&self.relative(path)?))?;
        }
        index.write()?;
        Ok(())
    }
}

/// A commit message: subject `iacfix: <id>: <title>`, the why, the files, and trailers.
pub fn commit_message(id: &str, title: &str, why: &str, files: &[String], version: &str) -> String {
    let mut message = format!("iacfix: {id}: {title}\n\n");
    message.push_str(&wrap(&first_paragraph(why), 72));
    message.push_str("\n\nFiles changed:\n");
    for file in files {
        message.push_str(&format!("- {file}\n"));
    }
    message.push_str(&format!(
        "\nIacfix-Codemod: {id}\nIacfix-Version: {version}\n"
    ));
    message
}

/// The first paragraph of a docs section, on one line.
pub fn first_paragraph(text: &str) -> String {
    text.split("\n\n")
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        if line > 0 && line + 1 + word.len() > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_subject_why_files_and_trailers() {
        let message = commit_message(
            "vpc-flow-logs",
            "Give every VPC flow logs",
            "Without flow logs there is no record.\nSecond line.\n\nMore.",
            &["index.ts".into()],
            "0.1.0",
        );
        assert_eq!(
            message,
            "iacfix: vpc-flow-logs: Give every VPC flow logs\n\nWithout flow logs there is no \
             record. Second line.\n\nFiles changed:\n- index.ts\n\nIacfix-Codemod: \
             vpc-flow-logs\nIacfix-Version: 0.1.0\n"
        );
        assert_eq!(wrap("aaa bbb ccc", 7), "aaa bbb\nccc");
    }
}
