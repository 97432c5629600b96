use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use quietlegs_core::knowledge;

use crate::error::UsageError;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Only loopback addresses are allowed until accounts exist.
    #[arg(long, default_value = "127.0.0.1:8080", env = "QUIETLEGS_ADDR")]
    addr: String,
}

pub fn run(args: ServeArgs) -> Result<ExitCode> {
    let addr: SocketAddr = args.addr.parse().map_err(|_| {
        UsageError(format!(
            "--addr: '{}' is not HOST:PORT with a numeric host (for example 127.0.0.1:8080)",
            args.addr
        ))
    })?;
    if !addr.ip().is_loopback() {
        return Err(UsageError(format!(
            "--addr: {addr} is not a loopback address; until sign-in exists Quietlegs only \
             listens on this machine (use 127.0.0.1 or [::1])"
        ))
        .into());
    }
    let kb = knowledge::bundled()
        .map_err(|e| anyhow::anyhow!("the built-in knowledge base is invalid:\n{e}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let bound = listener.local_addr()?;
        eprintln!("Quietlegs is running at http://{bound}/  (Ctrl+C to stop)");
        quietlegs_web::serve(listener, kb, shutdown_signal()).await?;
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
