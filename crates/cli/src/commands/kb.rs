use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use quietlegs_core::knowledge::{self, Entry, Evidence, Kind, KnowledgeBase, SearchHit, Summary};
use quietlegs_core::safety;
use serde::Serialize;

use crate::error::UsageError;
use crate::text;

#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// List entries, grouped by kind.
    List(ListArgs),
    /// Show one entry: everything we know about it, with sources.
    Show(ShowArgs),
    /// Find entries by name, alias or brand ("Zoloft" finds sertraline).
    Search(SearchArgs),
    /// Check knowledge files for mistakes (exit 2 naming file, line, entry and field).
    Lint(LintArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only entries of this kind (supplement, herb, food, lifestyle, mind-body, device, physical,
    /// trigger, medication, condition, lab, cause, procedure).
    #[arg(long)]
    kind: Option<String>,
    /// Print one JSON array on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The entry's id, name or an alias.
    id: String,
    /// Print one JSON object on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to look for in names, aliases and brands.
    #[arg(required = true, num_args = 1..)]
    text: Vec<String>,
    /// Print one JSON array on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Folder of knowledge files; default: ./knowledge if it exists, else the built-in data.
    dir: Option<PathBuf>,
}

pub fn run(cmd: KbCommand) -> Result<ExitCode> {
    if let KbCommand::Lint(args) = cmd {
        return lint(args);
    }
    let kb = crate::knowledge()?.0;
    match cmd {
        KbCommand::List(args) => list(kb, args),
        KbCommand::Show(args) => show(kb, args),
        KbCommand::Search(args) => search(kb, args),
        KbCommand::Lint(_) => unreachable!("handled above"),
    }
}

/// The entries `kb list` shows: all of them, or one kind, grouped by kind in a stable order.
pub fn list_items(kb: &KnowledgeBase, kind: Option<Kind>) -> Vec<Summary<'_>> {
    let mut items: Vec<Summary> = kb.find("", kind).into_iter().map(Summary::from).collect();
    items.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.id.cmp(b.id)));
    items
}

/// What `kb list --json` prints.
pub fn kb_list_json(kb: &KnowledgeBase, kind: Option<Kind>) -> String {
    serde_json::to_string_pretty(&list_items(kb, kind)).unwrap_or_else(|_| "[]".into())
}

fn parse_kind(kind: Option<&str>) -> Result<Option<Kind>> {
    kind.map(|k| {
        k.parse::<Kind>()
            .map_err(|e| UsageError(format!("--kind: {e}")).into())
    })
    .transpose()
}

fn list(kb: &KnowledgeBase, args: ListArgs) -> Result<ExitCode> {
    let kind = parse_kind(args.kind.as_deref())?;
    if args.json {
        println!("{}", kb_list_json(kb, kind));
        return Ok(ExitCode::SUCCESS);
    }
    let items = list_items(kb, kind);
    let id_w = items.iter().map(|i| i.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    let mut current = None;
    for item in &items {
        if current != Some(item.kind) {
            let count = items.iter().filter(|i| i.kind == item.kind).count();
            if current.is_some() {
                out.push('\n');
            }
            out.push_str(&format!("{} ({count})\n", item.kind.plural_title()));
            current = Some(item.kind);
        }
        out.push_str(&format!(
            "  {}  {:<id_w$}  {}\n",
            item.evidence, item.id, item.name
        ));
    }
    out.push_str(&format!(
        "\n{} entries. {}\n",
        items.len(),
        evidence_legend()
    ));
    out.push_str("Details: quietlegs kb show ID\n");
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn evidence_legend() -> String {
    let parts: Vec<String> = [
        Evidence::A,
        Evidence::B,
        Evidence::C,
        Evidence::D,
        Evidence::X,
    ]
    .iter()
    .map(|g| format!("{g} {}", g.meaning()))
    .collect();
    format!("Evidence: {}.", parts.join("; "))
}

/// Finds an entry by id, or by a name or alias that means exactly one entry.
fn find<'a>(kb: &'a KnowledgeBase, wanted: &str) -> Result<&'a Entry> {
    if let Some(entry) = kb.get(wanted).or_else(|| kb.resolve(wanted)) {
        return Ok(entry);
    }
    let suggestions: Vec<&str> = kb
        .search(wanted)
        .iter()
        .take(5)
        .map(|h| h.entry.id.as_str())
        .collect();
    let hint = if suggestions.is_empty() {
        "try 'quietlegs kb search WORDS' or 'quietlegs kb list'".to_string()
    } else {
        format!("did you mean: {}?", suggestions.join(", "))
    };
    Err(UsageError(format!("no knowledge entry '{wanted}': {hint}")).into())
}

#[derive(Serialize)]
struct ShowJson<'a> {
    #[serde(flatten)]
    entry: &'a Entry,
    members: Vec<&'a str>,
    source_details: Vec<&'a knowledge::Source>,
}

fn show(kb: &KnowledgeBase, args: ShowArgs) -> Result<ExitCode> {
    let entry = find(kb, &args.id)?;
    let members: Vec<&str> = kb.members_of(&entry.id).map(|e| e.id.as_str()).collect();
    if args.json {
        let doc = ShowJson {
            entry,
            members,
            source_details: entry.sources.iter().filter_map(|s| kb.source(s)).collect(),
        };
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", render_entry(kb, entry, &members));
    Ok(ExitCode::SUCCESS)
}

fn render_entry(kb: &KnowledgeBase, e: &Entry, members: &[&str]) -> String {
    const W: usize = 14;
    let mut out = format!(
        "{}  ({}, {}, evidence {})\n",
        e.name, e.id, e.kind, e.evidence
    );
    if !e.aliases.is_empty() {
        out.push_str(&text::labelled("Also called", &e.aliases.join(", "), W));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&text::wrap(&e.summary, ""));
    out.push_str("\n\n");
    let mut line = |label: &str, value: &str| {
        out.push_str(&text::labelled(label, value, W));
        out.push('\n');
    };
    if let Some(dose) = &e.dose {
        line("Dose", &dose.to_string());
    }
    if let Some(forms) = &e.form_notes {
        line("Forms", forms);
    }
    match (&e.timing, e.minutes_before_bed) {
        (Some(t), Some(m)) => line("Timing", &format!("{t} (routine: {m} min before bed)")),
        (Some(t), None) => line("Timing", t),
        (None, Some(m)) => line("Timing", &format!("{m} minutes before bed")),
        (None, None) => {}
    }
    if let Some(days) = e.onset_days {
        let lasting = if e.reversible {
            ""
        } else {
            " (the effect lasts after stopping, so it is judged as one lasting change)"
        };
        line("Judge after", &format!("{days} days{lasting}"));
    }
    line(
        "Evidence",
        &format!(
            "{} ({}). {}",
            e.evidence,
            e.evidence.meaning(),
            e.evidence_note
        ),
    );
    if let Some(verdict) = &e.verdict {
        line("Our verdict", verdict);
    }
    if let Some(lab) = &e.lab {
        let others: Vec<&str> = lab.units.iter().map(|u| u.unit.as_str()).collect();
        let also = if others.is_empty() {
            String::new()
        } else {
            format!(" (also accepted: {})", others.join(", "))
        };
        line(
            "Lab test",
            &format!("LOINC {}, unit {}{also}", lab.loinc, lab.unit),
        );
    }
    let names = |ids: &[String]| -> String {
        ids.iter()
            .map(|id| {
                kb.get(id)
                    .map_or(id.clone(), |t| format!("{} ({id})", t.name))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !e.member_of.is_empty() {
        line("Belongs to", &names(&e.member_of));
    }
    if !members.is_empty() {
        line("Includes", &members.join(", "));
    }
    if !e.related.is_empty() {
        line("See also", &names(&e.related));
    }
    if !e.cautions.is_empty() {
        out.push_str("\nCautions:\n");
        for c in &e.cautions {
            out.push_str(&text::bullet(c));
            out.push('\n');
        }
    }
    out.push_str("\nSources:\n");
    for id in &e.sources {
        let citation = kb.source(id).map_or("(not found)", |s| s.citation.as_str());
        out.push_str(&text::wrap(&format!("[{id}] {citation}"), "  "));
        out.push('\n');
    }
    out
}

#[derive(Serialize)]
struct SearchJson<'a> {
    #[serde(flatten)]
    item: Summary<'a>,
    matched: &'a str,
    score: u32,
}

fn search(kb: &KnowledgeBase, args: SearchArgs) -> Result<ExitCode> {
    let query = args.text.join(" ");
    let hits: Vec<SearchHit> = kb.search(&query);
    if args.json {
        let doc: Vec<SearchJson> = hits
            .iter()
            .map(|h| SearchJson {
                item: Summary::from(h.entry),
                matched: &h.matched,
                score: h.score,
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    if hits.is_empty() {
        eprintln!("Nothing in the knowledge base matches '{query}'.");
        return Ok(ExitCode::SUCCESS);
    }
    let id_w = hits.iter().map(|h| h.entry.id.len()).max().unwrap_or(0);
    for h in &hits {
        let via = if h.matched == h.entry.id || h.matched == h.entry.name {
            String::new()
        } else {
            format!("  (matched \"{}\")", h.matched)
        };
        println!(
            "  {}  {:<id_w$}  {} [{}]{via}",
            h.entry.evidence, h.entry.id, h.entry.name, h.entry.kind
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn read_dir_files(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    let listing = std::fs::read_dir(dir)
        .map_err(|e| UsageError(format!("{}: cannot read folder: {e}", dir.display())))?;
    for item in listing {
        let path = item
            .with_context(|| format!("reading {}", dir.display()))?
            .path();
        if path.extension().is_some_and(|x| x == "toml") {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| UsageError(format!("{}: cannot read: {e}", path.display())))?;
            files.push((path.display().to_string(), text));
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(
            UsageError(format!("{}: no .toml knowledge files found", dir.display())).into(),
        );
    }
    Ok(files)
}

/// The safety rules live beside the entries but have their own shape.
const RULES_FILE: &str = "rules.toml";
/// The plan's content, checked with the rules.
const PLAN_FILE: &str = "plan.toml";

fn lint(args: LintArgs) -> Result<ExitCode> {
    let default_dir = Path::new("knowledge");
    let dir = args.dir.or_else(|| {
        default_dir
            .join("sources.toml")
            .is_file()
            .then(|| default_dir.to_path_buf())
    });
    let (what, files, rules, plan) = match &dir {
        Some(dir) => {
            let all = read_dir_files(dir)?;
            let named =
                |name: &str, wanted: &str| Path::new(name).file_name().is_some_and(|f| f == wanted);
            let pick = |wanted: &str| all.iter().find(|(n, _)| named(n, wanted)).cloned();
            let (rules, plan) = (pick(RULES_FILE), pick(PLAN_FILE));
            let files: Vec<(String, String)> = all
                .iter()
                .filter(|(n, _)| !named(n, RULES_FILE) && !named(n, PLAN_FILE))
                .cloned()
                .collect();
            (dir.display().to_string(), files, rules, plan)
        }
        None => {
            let files = knowledge::BUNDLED_FILES
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect();
            let rules = (RULES_FILE.to_string(), safety::BUNDLED_RULES.to_string());
            let plan = (
                PLAN_FILE.to_string(),
                quietlegs_core::plan::BUNDLED_PLAN.to_string(),
            );
            (
                "built-in knowledge".to_string(),
                files,
                Some(rules),
                Some(plan),
            )
        }
    };
    let plan = plan.unwrap_or_else(|| {
        (
            PLAN_FILE.to_string(),
            quietlegs_core::plan::BUNDLED_PLAN.to_string(),
        )
    });
    let result = KnowledgeBase::from_files(&files).and_then(|kb| {
        let rules = match &rules {
            Some((name, text)) => {
                let rules = safety::Rules::from_files((name, text), (&plan.0, &plan.1), &kb)?;
                // A caution that names another entry promises a rule; one no rule keeps fails.
                let uncovered = safety::uncovered_cautions(&kb, &rules);
                if !uncovered.is_empty() {
                    return Err(knowledge::LoadError { issues: uncovered });
                }
                Some(rules)
            }
            None => None,
        };
        Ok((kb, rules))
    });
    match result {
        Ok((kb, rules)) => {
            let rules = rules.map_or(String::new(), |r| {
                format!(
                    ", {} blocks, {} interactions and {} dose ceilings",
                    r.blocks.len(),
                    r.interactions.len(),
                    r.ceilings.len()
                )
            });
            println!(
                "{what}: {} entries, {} sources{rules}; no problems found.",
                kb.entries().len(),
                kb.sources().len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            eprint!("{what}: {err}");
            Ok(ExitCode::from(2))
        }
    }
}
