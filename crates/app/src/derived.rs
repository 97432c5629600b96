//! A person's derived state: their stored profile with their stored labs, the insights their
//! journal supports, and the plan those shape. The pure halves ([`insights_of`], [`plan_of`])
//! serve benchmarks and files read without a database; [`derive`] reads the store.

use std::sync::Arc;

use jiff::civil::Date;
use quietlegs_core::KnowledgeBase;
use quietlegs_core::journal::{Experiment, LabRecord, NightEntry, ProfileVersion, SleepRecord};
use quietlegs_core::plan::{self, Plan};
use quietlegs_core::profile::{Profile, Resolved};
use quietlegs_core::safety::Rules;
use quietlegs_stats::{Insights, Options};
use quietlegs_store::{PersonId, Store};

use crate::AppError;
use crate::clock;

/// What a person's pages and reports are built from.
pub struct Derived {
    pub profile: Option<ProfileVersion>,
    pub insights: Arc<Insights>,
    /// `None` until the person has a profile.
    pub plan: Option<Plan>,
}

/// Insights over a journal; the profile's bedtime, when there is one, sets what counts as late
/// exercise, and the trackers' sleep records give the second outcome.
pub fn insights_of(
    nights: &[NightEntry],
    experiments: &[Experiment],
    sleep: &[SleepRecord],
    profile: Option<&Profile>,
    kb: &KnowledgeBase,
    options: Options,
) -> Insights {
    quietlegs_stats::analyse_stored(
        nights,
        experiments,
        sleep,
        profile.and_then(|p| p.bedtime),
        kb,
        options,
    )
}

/// A person's nights between two dates (either end open), each with its day's exercise from a
/// tracker where they recorded none: what the analysis reads. Their own entries are untouched
/// in the store; the journal and exports show only what they wrote.
pub async fn nights_for_analysis(
    store: &dyn Store,
    person: PersonId,
    from: Option<Date>,
    to: Option<Date>,
) -> Result<Vec<NightEntry>, AppError> {
    let mut nights = store.nights(person, from, to).await?;
    let activity = store.activity_records(person).await?;
    quietlegs_core::journal::activity::fill_nights(&mut nights, &activity);
    Ok(nights)
}

/// Insights over a person's stored journal and experiments.
pub async fn insights(
    store: &dyn Store,
    person: PersonId,
    kb: &KnowledgeBase,
    profile: Option<&ProfileVersion>,
    options: Options,
) -> Result<Insights, AppError> {
    let nights = nights_for_analysis(store, person, None, None).await?;
    let experiments = store.experiments(person).await?;
    let sleep = store.sleep_records(person).await?;
    Ok(insights_of(
        &nights,
        &experiments,
        &sleep,
        profile.map(|p| &p.profile),
        kb,
        options,
    ))
}

/// The profile with the results stored by `labs add`, an import or the labs page: they count
/// like results written into the profile.
pub fn with_stored_labs(profile: &Profile, labs: &[(i64, LabRecord)]) -> Profile {
    let mut profile = profile.clone();
    profile
        .labs
        .extend(labs.iter().map(|(_, lab)| lab.as_input()));
    profile
}

/// The plan for a profile (its labs included), shaped by what the journal says about changes
/// tried.
pub fn plan_of(
    profile: &Profile,
    kb: &KnowledgeBase,
    rules: &Rules,
    today: Date,
    insights: &Insights,
) -> Result<Plan, AppError> {
    let resolved = Resolved::new(profile, kb, today).map_err(|errors| {
        // A stored profile was checked when saved; a newer knowledge base may still disagree.
        let detail: Vec<String> = errors.iter().map(ToString::to_string).collect();
        AppError::field(
            "profile",
            format!("the stored profile needs an update: {}", detail.join("; ")),
        )
    })?;
    Ok(plan::plan_with_history(
        &resolved,
        kb,
        rules,
        today,
        &quietlegs_stats::tried(insights),
    ))
}

/// A person's profile, insights and plan, from everything they have stored, as of their own
/// today.
pub async fn derive(
    store: &dyn Store,
    kb: &KnowledgeBase,
    rules: &Rules,
    person: PersonId,
) -> Result<Derived, AppError> {
    let current = store.profile(person).await?;
    let nights = nights_for_analysis(store, person, None, None).await?;
    let experiments = store.experiments(person).await?;
    let sleep = store.sleep_records(person).await?;
    let insights = Arc::new(insights_of(
        &nights,
        &experiments,
        &sleep,
        current.as_ref().map(|c| &c.profile),
        kb,
        Options::default(),
    ));
    let plan = match &current {
        Some(current) => {
            let labs = store.labs(person).await?;
            let today = clock::today_for(Some(&current.profile));
            let profile = with_stored_labs(&current.profile, &labs);
            let mut plan = plan_of(&profile, kb, rules, today, &insights)?;
            crate::augmentation::watch_plan(&mut plan, &nights);
            Some(plan)
        }
        None => None,
    };
    Ok(Derived {
        profile: current,
        insights,
        plan,
    })
}

/// Checks a profile the way a profile file is checked, plus its time zone against the system's
/// zone database. Errors name the field.
pub fn check_profile(profile: &Profile, kb: &KnowledgeBase) -> Result<(), AppError> {
    if let Some(tz) = &profile.timezone {
        clock::check_zone(tz)?;
    }
    Resolved::new(profile, kb, clock::today_for(Some(profile)))
        .map(|_| ())
        .map_err(|errors| match errors.into_iter().next() {
            Some(e) => AppError::field(e.field, e.message),
            None => AppError::field("profile", "the profile could not be read"),
        })
}
