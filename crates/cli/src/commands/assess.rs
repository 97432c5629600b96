use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use quietlegs_core::knowledge;
use quietlegs_core::plan::DISCLAIMER;
use quietlegs_core::profile::{Distress, Onset, Profile, Resolved, Symptoms};
use quietlegs_core::safety::{self, Flag, Level};
use quietlegs_core::screening::{self, Screening};
use serde::Serialize;

use super::profile_input;
use crate::error::UsageError;
use crate::text;

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// Read the answers from a profile file instead of asking (TOML or JSON).
    #[arg(long)]
    profile: Option<PathBuf>,
    /// Print one JSON document on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct AssessJson<'a> {
    disclaimer: &'static str,
    screening: &'a Screening,
    flags: Vec<&'a Flag>,
}

/// Flags that belong to screening (the rest need the full plan).
const SCREENING_CODES: &[&str] = &["red-flag", "mimic", "not-rls", "severe", "see-doctor"];

pub fn run(args: AssessArgs) -> Result<ExitCode> {
    let kb = knowledge::bundled()
        .map_err(|e| anyhow::anyhow!("the built-in knowledge base is invalid:\n{e}"))?;
    let rules = safety::bundled_rules()
        .map_err(|e| anyhow::anyhow!("the built-in safety rules are invalid:\n{e}"))?;
    let today = profile_input::today(None)?;
    let profile = match &args.profile {
        Some(path) => profile_input::read_profile(path)?,
        None => {
            if !std::io::stdin().is_terminal() {
                return Err(UsageError(
                    "no --profile given and no terminal to ask the questions on; pass \
                     --profile FILE"
                        .into(),
                )
                .into());
            }
            ask()?
        }
    };
    let person = match &args.profile {
        Some(path) => profile_input::resolve(path, &profile, kb, today)?,
        None => Resolved::new(&profile, kb, today).map_err(|e| UsageError(format!("{}", e[0])))?,
    };
    let screen = screening::screen(&person.profile.symptoms);
    let report = safety::assess(&person, &screen, kb, rules, today);
    let mut flags: Vec<&Flag> = report
        .flags
        .iter()
        .filter(|f| SCREENING_CODES.contains(&f.code.as_str()))
        .collect();
    flags.sort_by_key(|f| f.level);
    if args.json {
        let doc = AssessJson {
            disclaimer: DISCLAIMER,
            screening: &screen,
            flags,
        };
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    for f in flags.iter().filter(|f| f.level == Level::Urgent) {
        out.push_str(&text::wrap(&format!("!! {}", f.message), ""));
        out.push_str("\n\n");
    }
    out.push_str("The five criteria for restless legs syndrome:\n");
    for c in &screen.criteria {
        let mark = match c.met {
            Some(true) => "yes",
            Some(false) => "no ",
            None => " ? ",
        };
        out.push_str(&format!("  [{mark}] {}\n", c.text));
    }
    out.push('\n');
    let verdict = if screen.criteria_met {
        "Your answers fit restless legs syndrome. Only a doctor can diagnose it, but a plan \
         is worth making: run `quietlegs plan --profile FILE`."
    } else {
        "Your answers do not (yet) fit restless legs syndrome. That does not mean nothing is \
         wrong: a doctor can find out what is."
    };
    out.push_str(&text::wrap(verdict, ""));
    out.push('\n');
    for f in flags.iter().filter(|f| f.level != Level::Urgent) {
        out.push_str(&text::bullet(&f.message));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&text::wrap(DISCLAIMER, ""));
    out.push('\n');
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// Asks the screening questions one by one. Enter skips a question: unknown, never "no".
fn ask() -> Result<Profile> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut next = |prompt: &str| -> Result<String> {
        print!("{prompt} ");
        std::io::stdout().flush()?;
        Ok(lines
            .next()
            .transpose()?
            .unwrap_or_default()
            .trim()
            .to_lowercase())
    };
    println!("A few questions about your legs. Answer y or n; press Enter to skip a question.\n");
    let mut yes_no = |q: &str| -> Result<Option<bool>> {
        loop {
            match next(&format!("{q} [y/n]"))?.as_str() {
                "y" | "yes" => return Ok(Some(true)),
                "n" | "no" => return Ok(Some(false)),
                "" => return Ok(None),
                _ => println!("  Please answer y, n, or press Enter to skip."),
            }
        }
    };
    let mut s = Symptoms {
        urge_to_move: yes_no(
            "Do you get an urge to move your legs, often with odd feelings in them?",
        )?,
        worse_at_rest: yes_no("Does it start or get worse when you sit or lie still?")?,
        relieved_by_movement: yes_no(
            "Does walking or stretching ease it for as long as you keep moving?",
        )?,
        evening_or_night: yes_no("Is it worse, or only there, in the evening or at night?")?,
        painful_hard_muscle_knot: yes_no("Is there a hard, painful knot in the muscle (a cramp)?")?,
        eased_by_stretching_only: yes_no("Does only stretching that muscle ease it, not walking?")?,
        eased_by_position_change_only: yes_no(
            "Does one change of position make it go away for good?",
        )?,
        numbness: yes_no("Are your feet or legs numb?")?,
        burning_constant: yes_no("Is there burning pain all day, not only at rest or at night?")?,
        pain_when_walking_eased_by_rest: yes_no(
            "Does walking bring on leg pain that rest relieves?",
        )?,
        one_leg_swollen_red_hot: yes_no("Is one leg suddenly swollen, red, warm or painful?")?,
        new_weakness_or_bladder_change: yes_no(
            "Any new leg weakness, or new bladder or bowel trouble?",
        )?,
        rapidly_worsening: yes_no("Is it getting worse quickly?")?,
        started_after_new_medicine: yes_no("Did it start after you began a new medicine?")?,
        ..Symptoms::default()
    };
    loop {
        let answer = next("On how many nights a week, on average (0-7)?")?;
        if answer.is_empty() {
            break;
        }
        match answer.parse::<f64>() {
            Ok(n) if (0.0..=7.0).contains(&n) => {
                s.nights_per_week = Some(n);
                break;
            }
            _ => println!("  Please type a number from 0 to 7, or press Enter to skip."),
        }
    }
    loop {
        let answer =
            next("When does it usually start? (none, bedtime, evening, afternoon, morning)")?;
        s.onset = match answer.as_str() {
            "" => None,
            "none" => Some(Onset::None),
            "bedtime" => Some(Onset::Bedtime),
            "evening" => Some(Onset::Evening),
            "afternoon" => Some(Onset::Afternoon),
            "morning" => Some(Onset::Morning),
            _ => {
                println!("  Please type one of the words, or press Enter to skip.");
                continue;
            }
        };
        break;
    }
    loop {
        let answer = next("How much does it bother you? (none, mild, moderate, severe)")?;
        s.distress = match answer.as_str() {
            "" => None,
            "none" => Some(Distress::None),
            "mild" => Some(Distress::Mild),
            "moderate" => Some(Distress::Moderate),
            "severe" => Some(Distress::Severe),
            _ => {
                println!("  Please type one of the words, or press Enter to skip.");
                continue;
            }
        };
        break;
    }
    println!();
    Ok(Profile {
        symptoms: s,
        ..Profile::default()
    })
}
