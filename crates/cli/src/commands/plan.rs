use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use quietlegs_core::plan::{self, Plan};
use quietlegs_core::safety::Level;

use super::profile_input;
use crate::database::{self, block_on};
use crate::error::UsageError;
use crate::text;

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The profile (TOML or JSON, by extension; format in the spec, section 3). Without it, the
    /// stored profile is used, and the stored journal's results shape the changes to try.
    #[arg(long)]
    profile: Option<PathBuf>,
    /// Print one JSON document on stdout.
    #[arg(long)]
    json: bool,
    /// Also write the evening routine, iron schedule and reviews as an iCalendar file.
    #[arg(long, value_name = "OUT.ics")]
    ics: Option<PathBuf>,
    /// Plan as of this date (YYYY-MM-DD); default: today. Labs older than 12 months do not count.
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
}

pub fn run(args: PlanArgs, global: &crate::Global) -> Result<ExitCode> {
    let (kb, rules) = crate::knowledge()?;
    let today = profile_input::today(args.today.as_deref())?;
    let (path, profile, tried, nights) = match &args.profile {
        Some(path) => (
            path.clone(),
            profile_input::read_profile(path)?,
            Vec::new(),
            Vec::new(),
        ),
        None => stored(kb, global)?,
    };
    let person = profile_input::resolve(&path, &profile, kb, today)?;
    let mut plan = plan::plan_with_history(&person, kb, rules, today, &tried);
    quietlegs_app::augmentation::watch_plan(&mut plan, &nights);
    if let Some(out) = &args.ics {
        let ics = quietlegs_io::ics::plan_calendar(&plan, profile.timezone.as_deref());
        std::fs::write(out, ics).with_context(|| format!("writing {}", out.display()))?;
        eprintln!("Calendar written to {}", out.display());
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&plan)?);
    } else {
        print!("{}", render(&plan, kb));
    }
    Ok(ExitCode::SUCCESS)
}

/// What a stored profile's plan is made from.
type Stored = (
    PathBuf,
    quietlegs_core::profile::Profile,
    Vec<plan::Tried>,
    Vec<quietlegs_core::journal::NightEntry>,
);

/// The stored profile, what the stored journal says about changes tried, and the nights the
/// augmentation watch reads.
fn stored(kb: &quietlegs_core::KnowledgeBase, global: &crate::Global) -> Result<Stored> {
    use quietlegs_store::Store;
    block_on(async {
        let (store, person) = database::open_person(global).await?;
        let Some(current) = store.profile(person).await? else {
            return Err(UsageError(
                "no profile given and none stored: pass --profile FILE, or store one with \
                 'quietlegs profile set FILE'"
                    .into(),
            )
            .into());
        };
        let nights =
            quietlegs_app::derived::nights_for_analysis(&store, person, None, None).await?;
        let insights = quietlegs_app::insights_of(
            &nights,
            &store.experiments(person).await?,
            &store.sleep_records(person).await?,
            Some(&current.profile),
            kb,
            quietlegs_stats::Options::default(),
        );
        let profile = quietlegs_app::with_stored_labs(&current.profile, &store.labs(person).await?);
        anyhow::Ok((
            PathBuf::from(format!("stored profile (version {})", current.version)),
            profile,
            quietlegs_stats::tried(&insights),
            nights,
        ))
    })?
}

/// The plan as a person reads it in a terminal: urgent things first.
pub fn render(plan: &Plan, kb: &quietlegs_core::KnowledgeBase) -> String {
    let mut out = format!("Your Quietlegs plan ({})\n\n", plan.today);
    out.push_str(&text::wrap(plan.disclaimer, ""));
    out.push_str("\n\n");
    let urgent: Vec<_> = plan.urgent().collect();
    if !urgent.is_empty() {
        out.push_str("!! GET HELP TODAY\n");
        for f in urgent {
            out.push_str(&text::bullet(&f.message));
            out.push('\n');
        }
        out.push('\n');
    }
    let s = &plan.screening;
    let met = s.criteria.iter().filter(|c| c.met == Some(true)).count();
    let mut summary = format!(
        "Screening: {} ({met} of 5 criteria)",
        match s.criteria_met {
            Some(true) => "RLS criteria met",
            Some(false) => "RLS criteria not met",
            None => "not complete yet",
        }
    );
    if let Some(course) = s.course {
        summary.push_str(&format!(
            ", {}",
            serde_json::to_value(course)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        ));
    }
    if let Some(j) = s.jhrlss {
        summary.push_str(&format!(", onset score {j} of 3"));
    }
    if !s.mimics.is_empty() {
        let names: Vec<&str> = s
            .mimics
            .iter()
            .map(|m| kb.get(m).map_or(*m, |e| e.name.as_str()))
            .collect();
        summary.push_str(&format!(", possible look-alikes: {}", names.join(", ")));
    }
    out.push_str(&text::wrap(&format!("{summary}."), ""));
    out.push('\n');
    if !s.unanswered.is_empty() {
        out.push_str(&text::wrap(
            &format!("Not answered yet: {}.", s.unanswered.join(", ")),
            "",
        ));
        out.push('\n');
    }
    let doctor: Vec<_> = plan
        .flags
        .iter()
        .filter(|f| f.level == Level::Doctor)
        .collect();
    if !doctor.is_empty() {
        out.push_str("\nSee a doctor about:\n");
        for f in doctor {
            out.push_str(&text::bullet(&f.message));
            out.push('\n');
        }
    }
    let mut stage = None;
    for step in &plan.steps {
        if stage != Some(step.stage) {
            out.push_str(&format!("\n{}\n", step.stage.heading()));
            stage = Some(step.stage);
        }
        out.push_str(&text::wrap(
            &format!(
                "{}. {}  [evidence {}]",
                step.order, step.title, step.evidence
            ),
            "  ",
        ));
        out.push('\n');
        let mut detail = |label: &str, value: &str| {
            out.push_str(&text::wrap(&format!("{label}: {value}"), "      "));
            out.push('\n');
        };
        if let Some(dose) = &step.dose {
            detail("Dose", &dose.to_string());
        }
        if let Some(timing) = &step.timing {
            detail("When", timing);
        }
        if step.outcome == Some(plan::Outcome::InProgress) {
            detail("Now", "you are trying this; keep logging every night");
        }
        if let (Some(start), Some(days)) = (step.start_day, step.duration_days) {
            detail(
                "For",
                &format!("{days} days, starting on day {}", start + 1),
            );
        } else if let Some(days) = step.duration_days {
            detail("For", &format!("{days} days"));
        }
        detail("Why", &step.why);
        if let Some(judge) = &step.how_to_judge {
            detail("How you will know", judge);
        }
        for c in step.cautions.iter().take(3) {
            detail("Caution", c);
        }
    }
    if !plan.routine.is_empty() {
        let bed = plan
            .bedtime
            .as_deref()
            .map_or("add your bedtime to see clock times".to_string(), |b| {
                format!("bedtime {b}")
            });
        out.push_str(&format!("\nTonight's routine ({bed})\n"));
        for item in &plan.routine {
            let when = item
                .at
                .clone()
                .unwrap_or_else(|| format!("-{} min", item.minutes_before_bed));
            out.push_str(&format!("  {when:>8}  {}\n", item.title));
        }
    }
    let notes: Vec<_> = plan
        .flags
        .iter()
        .filter(|f| matches!(f.level, Level::Caution | Level::Info))
        .collect();
    if !notes.is_empty() {
        out.push_str("\nGood to know\n");
        for f in notes {
            out.push_str(&text::bullet(&f.message));
            out.push('\n');
        }
    }
    if !plan.excluded.is_empty() {
        out.push_str("\nLeft out for your safety\n");
        for e in &plan.excluded {
            let name = kb.get(&e.id).map_or(e.id.as_str(), |x| x.name.as_str());
            if e.reason == "evidence-against" {
                continue;
            }
            out.push_str(&text::bullet(&format!("{name}: {}", e.message)));
            out.push('\n');
        }
    }
    out
}
