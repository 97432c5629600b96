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

/// Every setting of the server, with its default: the binary's own, and the app's
/// ([`quietlegs_web::Settings`], whose defaults live there). Keys match the TOML file;
/// environment variables are the same names in upper case after `QUIETLEGS_`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServeConfig {
    pub addr: String,
    pub database_url: Option<String>,
    pub multi_user: bool,
    pub signup: bool,
    /// `text` or `json`.
    pub log_format: String,
    /// Web Push (server mode): the VAPID key file; empty for `push-vapid-key.pem` in the data
    /// folder (the SQLite database's). Servers sharing one database must share this file too.
    pub push_key_file: String,
    /// Web Push: a `mailto:` or `https:` contact the push services' operators may use; empty
    /// for `public_url`.
    pub push_contact: String,
    #[serde(flatten)]
    pub web: quietlegs_web::Settings,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:8080".into(),
            database_url: None,
            multi_user: false,
            signup: true,
            log_format: "text".into(),
            push_key_file: String::new(),
            push_contact: String::new(),
            web: quietlegs_web::Settings::default(),
        }
    }
}

/// Every key a settings file or the environment may set, from the defaults themselves.
fn known_keys() -> Vec<String> {
    figment::value::Value::serialize(ServeConfig::default())
        .ok()
        .and_then(|v| v.into_dict())
        .map(|d| d.into_keys().collect())
        .unwrap_or_default()
}

/// A key nobody reads is refused, naming where it came from: a typo must not pass silently.
fn refuse_unknown_keys(figment: &Figment, known: &[String]) -> Result<()> {
    let given: figment::value::Dict = figment
        .extract()
        .map_err(|e| UsageError(format!("settings: {e}")))?;
    if let Some(key) = given.keys().find(|k| !known.contains(k)) {
        let source = figment.find_metadata(key).map_or_else(
            || "settings".to_string(),
            |m| {
                m.source
                    .as_ref()
                    .map_or(m.name.to_string(), ToString::to_string)
            },
        );
        return Err(UsageError(format!(
            "{source}: unknown setting '{key}' (known: {})",
            known.join(", ")
        ))
        .into());
    }
    Ok(())
}

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
    let known = known_keys();
    let keys: Vec<&str> = known.iter().map(String::as_str).collect();
    figment = figment.merge(Env::prefixed("QUIETLEGS_").only(&keys));
    refuse_unknown_keys(&figment, &known)?;
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
    config.web.secure_cookies |= args.secure_cookies;
    if let Some(url) = &config.web.public_url
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
        let web = if config.multi_user {
            WebConfig::new(
                quietlegs_web::Mode::Server {
                    signup: config.signup,
                },
                Vec::new(),
                &config.web,
            )
        } else {
            WebConfig::local_with(bound, &config.web)?
        };
        let state = AppState::new(kb, rules, Arc::new(store), web.clone());
        if config.multi_user {
            start_push(&state, &config)?;
        }
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

/// Web Push in server mode: loads (or makes) the key and starts the reminder scheduler.
///
/// Two environment variables exist for the end-to-end test only, and say so loudly in the log:
/// `QUIETLEGS_TEST_PUSH_CLOCK=FILE` runs the scheduler on the instant written in FILE (looked
/// at four times a second), and `QUIETLEGS_TEST_PUSH_LOOPBACK=1` lets reminders go over plain
/// http to this machine, where the test's push receiver listens. Without them a deployment
/// sends on the real clock, over https, to public addresses only.
fn start_push(state: &AppState, config: &ServeConfig) -> Result<()> {
    use quietlegs_web::push::clock::{Clock, FileClock, SystemClock};
    use quietlegs_web::push::{KEY_FILE, WebPush, scheduler};

    let key_file = if config.push_key_file.is_empty() {
        database::data_folder(config.database_url.as_deref()).join(KEY_FILE)
    } else {
        PathBuf::from(&config.push_key_file)
    };
    let contact = if !config.push_contact.is_empty() {
        config.push_contact.clone()
    } else if let Some(url) = config
        .web
        .public_url
        .as_ref()
        .filter(|u| u.starts_with("https:"))
    {
        url.clone()
    } else {
        tracing::warn!(
            "push: no push_contact and no https public_url; some push services refuse \
             reminders without a real contact"
        );
        "mailto:quietlegs@localhost".to_string()
    };
    let loopback = std::env::var("QUIETLEGS_TEST_PUSH_LOOPBACK").is_ok_and(|v| v == "1");
    if loopback {
        tracing::warn!(
            "QUIETLEGS_TEST_PUSH_LOOPBACK: reminders may go over plain http to this machine (tests only)"
        );
    }
    let push = WebPush::open(&key_file, &contact, loopback).context("setting up Web Push")?;
    tracing::info!(key_file = %key_file.display(), "push: ready");
    state.enable_push(push);
    let (clock, every): (Arc<dyn Clock>, std::time::Duration) = match std::env::var_os(
        "QUIETLEGS_TEST_PUSH_CLOCK",
    )
    .filter(|v| !v.is_empty())
    {
        Some(file) => {
            tracing::warn!(file = ?file, "QUIETLEGS_TEST_PUSH_CLOCK: reminders run on a test clock (tests only)");
            (
                Arc::new(FileClock::new(PathBuf::from(file))),
                std::time::Duration::from_millis(250),
            )
        }
        None => (Arc::new(SystemClock), scheduler::EVERY),
    };
    // Runs until the runtime stops with the server.
    drop(scheduler::spawn(state.clone(), clock, every));
    Ok(())
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
