//! Scaffolding shared by the command-line tests: a scratch folder and the binary.
#![allow(dead_code)] // each test file uses its own subset

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "quietlegs-test-{name}-{}-{}",
            std::process::id(),
            jiff::Timestamp::now().as_nanosecond()
        ));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn db(&self, name: &str) -> String {
        format!("sqlite://{}", self.path(name).display())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

pub fn cmd(db: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_quietlegs"));
    c.args(args)
        .env("QUIETLEGS_DATABASE_URL", db)
        .stdin(Stdio::null());
    c
}

pub fn run(db: &str, args: &[&str]) -> Output {
    cmd(db, args).output().expect("quietlegs runs")
}

pub fn ok(db: &str, args: &[&str]) -> Vec<u8> {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
