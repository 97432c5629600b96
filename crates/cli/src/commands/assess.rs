use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use quietlegs_core::plan::DISCLAIMER;
use quietlegs_core::profile::{Profile, Resolved, Symptoms};
use quietlegs_core::questionnaire::{self, Answer, QuestionKind};
use quietlegs_core::safety::{self, Flag, Level};
use quietlegs_core::screening::{self, Screening};
use serde::Serialize;

use super::profile_input;
use crate::Global;
use crate::database::{self, block_on};
use crate::error::UsageError;
use crate::text;
use quietlegs_store::Store;

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

pub fn run(args: AssessArgs, global: &Global) -> Result<ExitCode> {
    let (kb, rules) = crate::knowledge()?;
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
            let stdin = std::io::stdin();
            ask(&mut stdin.lock(), &mut std::io::stdout())?
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
    let verdict = match screen.criteria_met {
        Some(true) => "Your answers fit restless legs syndrome. Only a doctor can diagnose it, \
                       but a plan is worth making: run `quietlegs plan --profile FILE`."
            .to_string(),
        Some(false) => "Your answers do not fit restless legs syndrome. That does not mean \
                        nothing is wrong: a doctor can find out what is."
            .to_string(),
        None => format!(
            "{} A missing answer is not a no: answer the rest to finish.",
            screen.summary
        ),
    };
    out.push_str(&text::wrap(&verdict, ""));
    out.push('\n');
    for f in flags.iter().filter(|f| f.level != Level::Urgent) {
        out.push_str(&text::bullet(&f.message));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&text::wrap(DISCLAIMER, ""));
    out.push('\n');
    print!("{out}");
    if args.profile.is_none() {
        offer_to_save(&profile, global)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Asks the screening questions of the shared table one by one. Enter skips a question:
/// unknown, never "no". Generic over input and output so a test can answer it.
pub fn ask(input: &mut impl BufRead, out: &mut impl Write) -> Result<Profile> {
    let mut next = |out: &mut dyn Write, prompt: &str| -> Result<String> {
        write!(out, "{prompt} ")?;
        out.flush()?;
        let mut line = String::new();
        input.read_line(&mut line)?;
        Ok(line.trim().to_lowercase())
    };
    writeln!(
        out,
        "A few questions about your legs. Press Enter to skip any you are not sure about.\n"
    )?;
    let mut s = Symptoms::default();
    let mut said_lookalikes = false;
    for q in questionnaire::QUESTIONS {
        if matches!(q.kind, QuestionKind::LookAlike | QuestionKind::RedFlag) && !said_lookalikes {
            writeln!(out, "\nDo any of these apply to you?")?;
            said_lookalikes = true;
        }
        loop {
            let (prompt, hint) = match q.kind {
                QuestionKind::Number { min, max } => (
                    format!("{} ({min}-{max})", q.text),
                    format!("a number from {min} to {max}"),
                ),
                QuestionKind::Choice(words) => (
                    format!("{} ({})", q.text, words.join(", ")),
                    "one of the words".to_string(),
                ),
                _ => (format!("{} [y/n]", q.text), "y or n".to_string()),
            };
            let text = next(out, &prompt)?;
            if text.is_empty() {
                break;
            }
            let answer = match q.kind {
                QuestionKind::Number { .. } => text.parse::<f64>().ok().map(Answer::Number),
                QuestionKind::Choice(_) => Some(Answer::Word(text.as_str())),
                _ => match text.as_str() {
                    "y" | "yes" => Some(Answer::YesNo(true)),
                    "n" | "no" => Some(Answer::YesNo(false)),
                    _ => None,
                },
            };
            match answer.map(|a| questionnaire::set(&mut s, q.id, a)) {
                Some(Ok(())) => break,
                _ => writeln!(out, "  Please type {hint}, or press Enter to skip.")?,
            }
        }
    }
    writeln!(out)?;
    Ok(Profile {
        symptoms: s,
        ..Profile::default()
    })
}

/// Offers to keep the answers as the stored profile, so `quietlegs plan` can use them.
fn offer_to_save(profile: &Profile, global: &Global) -> Result<()> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    print!(
        "Save these answers as your profile, so `quietlegs plan` can use them? \
         (an earlier profile keeps its other answers) [y/N] "
    );
    std::io::stdout().flush()?;
    let mut line = String::new();
    input.read_line(&mut line)?;
    if !matches!(line.trim().to_lowercase().as_str(), "y" | "yes") {
        return Ok(());
    }
    block_on(async {
        let (store, person) = database::open_person(global).await?;
        // New symptom answers replace the old ones; medicines, labs and habits stay.
        let mut merged = store
            .profile(person)
            .await?
            .map(|p| p.profile)
            .unwrap_or_default();
        merged.symptoms = profile.symptoms.clone();
        let version = store.put_profile(person, &merged).await?;
        eprintln!("Profile saved (version {version}). Next: quietlegs plan");
        anyhow::Ok(())
    })??;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_terminal_asks_every_question_of_the_shared_table() {
        let answers: String = questionnaire::QUESTIONS
            .iter()
            .map(|q| match q.kind {
                QuestionKind::Number { .. } => "5\n",
                QuestionKind::Choice(words) => {
                    if words.contains(&"evening") {
                        "evening\n"
                    } else {
                        "moderate\n"
                    }
                }
                QuestionKind::Criterion => "y\n",
                _ => "n\n",
            })
            .collect();
        let mut out = Vec::new();
        let profile = ask(&mut answers.as_bytes(), &mut out).expect("asks");
        let shown = String::from_utf8(out).expect("utf-8");
        for q in questionnaire::QUESTIONS {
            assert!(
                shown.contains(q.text),
                "the terminal did not ask: {}",
                q.text
            );
        }
        let s = &profile.symptoms;
        assert_eq!(s.urge_to_move, Some(true));
        assert_eq!(s.thoughts_of_self_harm, Some(false));
        assert_eq!(s.earlier_or_spreading_on_treatment, Some(false));
        assert_eq!(s.nights_per_week, Some(5.0));
    }

    #[test]
    fn enter_skips_and_a_wrong_answer_is_asked_again() {
        let mut input = "\nmaybe\ny\n".as_bytes();
        let mut out = Vec::new();
        let profile = ask(&mut input, &mut out).expect("asks");
        assert_eq!(profile.symptoms.urge_to_move, None, "skipped is unknown");
        assert_eq!(profile.symptoms.worse_at_rest, Some(true));
        assert!(
            String::from_utf8(out)
                .expect("utf-8")
                .contains("Please type y or n")
        );
    }
}
