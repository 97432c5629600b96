//! `quietlegs insights`: did a change help, which habits go with worse nights, how it is going.
//! From a journal CSV (no database) or from the store.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use quietlegs_core::KnowledgeBase;
use quietlegs_stats::{ExperimentResult, Insights, Options, TriggerResult, TriggerVerdict};
use quietlegs_store::Store;

use crate::Global;
use crate::database::{self, block_on};
use crate::error::UsageError;
use crate::text;

#[derive(Debug, Args)]
pub struct InsightsArgs {
    /// Analyse this journal CSV (spec section 5) instead of the stored journal; no database is
    /// opened.
    #[arg(long, value_name = "FILE.csv")]
    journal: Option<PathBuf>,
    /// Print one JSON document on stdout (spec section 6).
    #[arg(long)]
    json: bool,
    /// The smallest change in nightly severity (0-10 points) that matters to you. Default: half
    /// the spread of your own nights before a change.
    #[arg(long, value_name = "POINTS", value_parser = meaningful)]
    meaningful: Option<f64>,
    /// Nights at or above this severity count as bad nights.
    #[arg(long, value_name = "0-10", default_value_t = 7, value_parser = clap::value_parser!(u8).range(0..=10))]
    bad_night: u8,
}

fn meaningful(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 10.0 => Ok(v),
        _ => Err(format!(
            "'{text}' is not a number of points above 0 and at most 10"
        )),
    }
}

pub fn run(args: InsightsArgs, global: &Global) -> Result<ExitCode> {
    let kb = crate::knowledge()?.0;
    let options = Options {
        meaningful_change: args.meaningful,
        bad_night_threshold: args.bad_night,
        ..Options::default()
    };
    let insights = match &args.journal {
        Some(path) => {
            let timing = quietlegs_stats::timing_from(kb);
            let name = path.display().to_string();
            let file =
                File::open(path).map_err(|e| UsageError(format!("{name}: cannot open: {e}")))?;
            let nights = quietlegs_io::journal_csv::read(BufReader::new(file), &name)
                .map_err(|e| UsageError(e.to_string()))?;
            quietlegs_stats::analyse(&nights, &[], &timing, &options)
        }
        None => block_on(async {
            let (store, person) = database::open_person(global).await?;
            let profile = store.profile(person).await?;
            anyhow::Ok(
                quietlegs_app::insights(&store, person, kb, profile.as_ref(), options).await?,
            )
        })??,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&insights)?);
    } else {
        print!("{}", render(&insights, kb));
    }
    Ok(ExitCode::SUCCESS)
}

pub use quietlegs_stats::display_name;

fn experiment_line(e: &ExperimentResult, kb: &KnowledgeBase) -> String {
    let verdict = e.verdict.in_words();
    format!(
        "{}: {verdict} (from {}; {} nights before, {} with it{})",
        display_name(kb, &e.id),
        e.start,
        e.baseline_nights,
        e.treatment_nights,
        e.adherence
            .map(|a| format!(", taken on {:.0}% of them", a * 100.0))
            .unwrap_or_default()
    )
}

fn trigger_line(t: &TriggerResult, kb: &KnowledgeBase) -> String {
    let verdict = t.verdict.in_words();
    let when = if t.lag == 0 {
        "same night"
    } else {
        "next night"
    };
    format!("{} ({when}): {verdict}", display_name(kb, &t.factor))
}

/// The insights as a person reads them: one plain sentence per result, with its uncertainty.
pub fn render(insights: &Insights, kb: &KnowledgeBase) -> String {
    let mut out = String::new();
    let Some(trend) = &insights.trend else {
        out.push_str("No nights logged yet. Log tonight with: quietlegs log --severity N\n");
        return out;
    };
    out.push_str(&format!(
        "Insights from {} nights ({} to {})\n\n",
        insights.nights, trend.first_night, trend.last_night
    ));
    out.push_str("Changes you tried\n");
    if insights.experiments.is_empty() {
        out.push_str(&text::bullet(
            "None found yet. Add a took:ID column (0 before, 1 once you start) or start one \
             with: quietlegs experiment start ID",
        ));
        out.push('\n');
    }
    for e in &insights.experiments {
        out.push_str(&text::bullet(&experiment_line(e, kb)));
        out.push('\n');
        out.push_str(&text::wrap(&e.explanation, "    "));
        out.push('\n');
        if let Some(o) = &e.objective {
            out.push_str(&text::wrap(
                &format!("Tracker (a proxy): {}", o.explanation),
                "    ",
            ));
            out.push('\n');
        }
    }
    if let Some(o) = &insights.objective {
        out.push_str(&text::wrap(quietlegs_stats::PROXY_NOTE, "    "));
        out.push('\n');
        if let Some(r) = o.correlation_with_severity {
            out.push_str(&text::wrap(
                &format!(
                    "On {} nights with both, the tracker's {} and your ratings correlate by {r:.2}.",
                    o.nights,
                    o.measure.in_words()
                ),
                "    ",
            ));
            out.push('\n');
        }
    }
    out.push_str("\nHabits and your nights\n");
    let (judged, thin): (Vec<&TriggerResult>, Vec<&TriggerResult>) = insights
        .triggers
        .iter()
        .partition(|t| t.verdict != TriggerVerdict::InsufficientData);
    if judged.is_empty() {
        out.push_str(&text::bullet(
            "Nothing to judge yet: each habit needs at least 10 nights with it and 10 without.",
        ));
        out.push('\n');
    }
    for t in judged {
        out.push_str(&text::bullet(&trigger_line(t, kb)));
        out.push('\n');
        out.push_str(&text::wrap(&t.explanation, "    "));
        out.push('\n');
    }
    if !thin.is_empty() {
        let names: Vec<String> = thin
            .iter()
            .filter(|t| t.lag == 0)
            .map(|t| {
                format!(
                    "{} ({} with, {} without)",
                    display_name(kb, &t.factor).to_lowercase(),
                    t.exposed_nights,
                    t.unexposed_nights
                )
            })
            .collect();
        if !names.is_empty() {
            out.push_str(&text::bullet(&format!(
                "Not enough nights yet (10 with and 10 without needed): {}.",
                names.join(", ")
            )));
            out.push('\n');
        }
    }
    out.push_str("\nHow it is going\n");
    let mut lines = vec![format!(
        "Mean severity {:.1} of 10; {:.0}% of nights at {} or more; nights logged on {:.0}% of \
         days.",
        trend.mean_severity.unwrap_or(0.0),
        trend.bad_night_share.unwrap_or(0.0) * 100.0,
        trend.bad_night_threshold,
        trend.logging_adherence.unwrap_or(0.0) * 100.0
    )];
    if let (Some(recent), Some(before)) = (&trend.recent, &trend.previous) {
        lines.push(format!(
            "Last four weeks: mean {:.1} ({} nights); the four weeks before: {:.1} ({} nights).",
            recent.mean_severity.unwrap_or(0.0),
            recent.nights,
            before.mean_severity.unwrap_or(0.0),
            before.nights
        ));
    }
    let weeks: Vec<String> = trend
        .weekly
        .iter()
        .rev()
        .take(8)
        .rev()
        .map(|w| format!("{:.1}", w.smoothed.unwrap_or(0.0)))
        .collect();
    lines.push(format!(
        "Smoothed weekly severity, most recent last: {}.",
        weeks.join(" ")
    ));
    for l in lines {
        out.push_str(&text::bullet(&l));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&text::wrap(insights.note, ""));
    out.push('\n');
    out
}
