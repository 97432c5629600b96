//! `quietlegs serve`: the web app. Settings come from defaults, then a TOML file, then
//! `QUIETLEGS_*` environment variables, then flags (each overriding the one before).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use quietlegs_web::{AppState, WebConfig};
use serde::{Deserialize, Serialize};

use crate::database;
use crate::error::UsageError;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080). A non-loopback address needs
    /// --multi-user.
    #[arg(long, value_name = "HOST:PORT")]
    addr: Option<String>,
    /// Server mode: accounts with passwords, for many people (required off loopback).
    #[arg(long)]
    multi_user: bool,
    /// Server mode: do not let new people create accounts (add them with `quietlegs user add`).
    #[arg(long)]
    no_signup: bool,
    /// Mark cookies Secure and send HSTS (set this when the app is served over HTTPS).
    #[arg(long)]
    secure_cookies: bool,
    /// A TOML settings file (default: $XDG_CONFIG_HOME/quietlegs/config.toml when it exists).
    #[arg(long, value_name = "FILE", env = "QUIETLEGS_CONFIG")]
    config: Option<PathBuf>,
}

/// Every setting of the server, with its default. Keys match the TOML file; environment
/// variables are the same names in upper case after `QUIETLEGS_`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    pub addr: String,
    pub database_url: Option<String>,
    pub multi_user: bool,
    pub signup: bool,
    pub secure_cookies: bool,
    pub session_days: u32,
    pub login_attempts: u32,
    /// Seconds a session is trusted from memory (0: ask the database every request).
    pub session_cache_seconds: u32,
    /// People whose plan and insights are kept in memory.
    pub cached_people: usize,
    /// `text` or `json`.
    pub log_format: String,
    /// The address people reach this server at, e.g. `https://rls.example.org` (share links and
    /// the same-site check use it; never the request's Host).
    pub public_url: Option<String>,
    /// Seconds a client has to send a request's head; also how long an idle connection stays.
    pub header_timeout_seconds: u64,
    /// Seconds a whole request may take, body and answer included.
    pub request_timeout_seconds: u64,
    /// Connections held at once, and per client address (the longest-idle one makes room).
    pub max_connections: usize,
    pub max_connections_per_address: usize,
}

impl Default for ServeConfig {
    fn default() -> Self {
        let limits = quietlegs_web::ConnectionLimits::default();
        Self {
            addr: "127.0.0.1:8080".into(),
            database_url: None,
            multi_user: false,
            signup: true,
            secure_cookies: false,
            session_days: 30,
            login_attempts: 5,
            session_cache_seconds: quietlegs_web::DEFAULT_SESSION_CACHE_SECONDS,
            cached_people: quietlegs_web::DEFAULT_CACHED_PEOPLE,
            log_format: "text".into(),
            public_url: None,
            header_timeout_seconds: limits.header_timeout.as_secs(),
            request_timeout_seconds: limits.request_timeout.as_secs(),
            max_connections: limits.max_connections,
            max_connections_per_address: limits.max_per_address,
        }
    }
}

const ENV_KEYS: &[&str] = &[
    "addr",
    "database_url",
    "multi_user",
    "signup",
    "secure_cookies",
    "session_days",
    "login_attempts",
    "session_cache_seconds",
    "cached_people",
    "log_format",
    "public_url",
    "header_timeout_seconds",
    "request_timeout_seconds",
    "max_connections",
    "max_connections_per_address",
];

fn default_config_file() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    let file = base.join("quietlegs").join("config.toml");
    file.exists().then_some(file)
}

/// Defaults -> TOML file -> environment -> flags.
pub fn load_config(args: &ServeArgs, database_flag: Option<&str>) -> Result<ServeConfig> {
    let mut figment = Figment::from(Serialized::defaults(ServeConfig::default()));
    let file = args.config.clone().or_else(default_config_file);
    if let Some(file) = &file {
        if !file.exists() {
            return Err(UsageError(format!("--config: {} does not exist", file.display())).into());
        }
        figment = figment.merge(Toml::file(file));
    }
    figment = figment.merge(Env::prefixed("QUIETLEGS_").only(ENV_KEYS));
    let mut config: ServeConfig = figment.extract().map_err(|e| {
        let source = e
            .metadata
            .as_ref()
            .map(|m| m.name.to_string())
            .unwrap_or_else(|| "settings".into());
        UsageError(format!("{source}: {e}"))
    })?;
    if let Some(addr) = &args.addr {
        config.addr = addr.clone();
    }
    if let Some(db) = database_flag {
        config.database_url = Some(db.to_string());
    }
    config.multi_user |= args.multi_user;
    config.signup &= !args.no_signup;
    config.secure_cookies |= args.secure_cookies;
    if let Some(url) = &config.public_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(UsageError(format!(
            "public_url: '{url}' must start with https:// (or http://)"
        ))
        .into());
    }
    if !matches!(config.log_format.as_str(), "text" | "json") {
        return Err(UsageError(format!(
            "log_format: '{}' is not text or json",
            config.log_format
        ))
        .into());
    }
    Ok(config)
}

pub fn run(args: ServeArgs, global: &crate::Global) -> Result<ExitCode> {
    let config = load_config(&args, global.database.as_deref())?;
    crate::init_tracing(config.log_format == "json", "info");
    let addr: SocketAddr = config.addr.parse().map_err(|_| {
        UsageError(format!(
            "--addr: '{}' is not HOST:PORT with a numeric host (for example 127.0.0.1:8080)",
            config.addr
        ))
    })?;
    if !addr.ip().is_loopback() && !config.multi_user {
        return Err(UsageError(format!(
            "--addr: {addr} is reachable from other machines; that needs accounts, so add \
             --multi-user (or listen on 127.0.0.1)"
        ))
        .into());
    }
    let (kb, rules) = crate::knowledge()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let store = database::open(config.database_url.as_deref()).await?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let bound = listener.local_addr()?;
        let mut web = if config.multi_user {
            WebConfig::server(config.signup)
        } else {
            WebConfig::local(bound)?
        };
        web.secure_cookies = config.secure_cookies;
        web.session_days = config.session_days.max(1);
        web.login_attempts = config.login_attempts;
        web.session_cache_seconds = config.session_cache_seconds;
        web.cached_people = config.cached_people.max(1);
        web.public_url = config.public_url.clone();
        web.connections = quietlegs_web::ConnectionLimits {
            header_timeout: std::time::Duration::from_secs(config.header_timeout_seconds.max(1)),
            request_timeout: std::time::Duration::from_secs(config.request_timeout_seconds.max(1)),
            max_connections: config.max_connections.max(1),
            max_per_address: config.max_connections_per_address.max(1),
        };
        let state = AppState::new(kb, rules, Arc::new(store), web.clone());
        match web.sign_in_url(bound) {
            Some(url) => eprintln!(
                "Quietlegs is running. Open this link to sign in (keep it private):\n\n    {url}\n\n\
                 (Ctrl+C to stop)"
            ),
            None => eprintln!(
                "Quietlegs is running at http://{bound}/ for many people{}  (Ctrl+C to stop)",
                if config.signup { "" } else { "; sign-up is closed" }
            ),
        }
        tracing::info!(%bound, multi_user = config.multi_user, "listening");
        quietlegs_web::serve(listener, state, shutdown_signal()).await?;
        eprintln!("Quietlegs stopped.");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
