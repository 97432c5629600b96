//! The one SQL implementation of [`Store`], over sqlx's `Any` driver. Queries use `$N`
//! placeholders, which both SQLite and PostgreSQL accept; dates are ISO text and booleans 0/1 in
//! both schemas, so values decode the same way from either.

use std::sync::Arc;

use async_trait::async_trait;
use jiff::civil::Date;
use quietlegs_core::journal::import;
use quietlegs_core::journal::{
    Bundle, Comparator, DayActivity, Experiment, ExperimentStatus, LabGoal, LabRecord, NightEntry,
    OnOffSchedule, ProfileVersion, SleepRecord,
};
use quietlegs_core::profile::{ClockTime, Profile};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::{AnyPool, Row};

use crate::night_row::{
    self, BUMP, Decimals, NIGHT_COLUMNS, UPSERT_NIGHT, UPSERT_NIGHT_POSTGRES, bind_night, clock,
    date, invalid, night_from_row, values_clause,
};
use crate::{
    ApiToken, CalendarFeed, ImportReport, OnConflict, PersonId, Session, ShareLink, Store,
    StoreError, TokenGrant,
};

/// Rows per multi-row INSERT on SQLite. Small on purpose: sqlx's SQLite binding cost grows with
/// the square of a statement's parameter count (3,650 nights: 200 rows per statement took 745 ms,
/// 8 took ~110 ms).
const SQLITE_BATCH: usize = 8;
/// Rows per multi-row INSERT on PostgreSQL, where each statement is a network round trip and
/// binding is linear (16 columns x 100 rows stays far below the 65,535-parameter limit).
const POSTGRES_BATCH: usize = 100;

/// A store on an `Any` pool, whichever database is behind it.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    /// PostgreSQL can write a night and its items in one statement (data-modifying CTEs);
    /// SQLite needs a short transaction of several, which costs nothing over the network.
    postgres: bool,
    /// SQLite has one writer at a time. Writers from this process queue here, in order,
    /// instead of meeting a locked database and sleeping in SQLite's busy handler (which made
    /// some check-ins under load wait over a second). Other processes still meet the lock and
    /// wait for it (`busy_timeout`).
    writer: Option<Arc<tokio::sync::Mutex<()>>>,
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

async fn bump(conn: &mut sqlx::AnyConnection, person: PersonId) -> Result<(), StoreError> {
    sqlx::query(BUMP).bind(person.0).execute(&mut *conn).await?;
    Ok(())
}

impl SqlStore {
    /// Connects, runs `init` statements on every new connection (SQLite pragmas), and applies
    /// `migrator`. A database with migrations this binary does not know is refused.
    pub async fn open(
        url: &str,
        migrator: &'static Migrator,
        init: &'static [&'static str],
        max_connections: u32,
    ) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    for statement in init {
                        sqlx::query(statement).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        match migrator.run(&pool).await {
            Ok(()) => {}
            Err(MigrateError::VersionMissing(found)) => {
                let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
                return Err(StoreError::TooNew { found, known });
            }
            Err(e) => return Err(e.into()),
        }
        let postgres = url.starts_with("postgres");
        Ok(Self {
            pool,
            postgres,
            writer: (!postgres).then(|| Arc::new(tokio::sync::Mutex::new(()))),
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Held for the length of a write (see `writer`); nothing to wait for on PostgreSQL.
    async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.writer {
            Some(writer) => Some(writer.lock().await),
            None => None,
        }
    }

    fn batch(&self) -> usize {
        if self.postgres {
            POSTGRES_BATCH
        } else {
            SQLITE_BATCH
        }
    }

    /// Writes one night in one statement: upserts the night (its items live in its row) and
    /// raises the data version. One round trip; it was seven.
    async fn put_night_postgres(
        &self,
        person: PersonId,
        entry: &NightEntry,
    ) -> Result<(), StoreError> {
        bind_night(
            sqlx::query(UPSERT_NIGHT_POSTGRES.as_str()),
            person,
            entry,
            now(),
            Decimals::Text,
        )?
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// [`Self::put_night_postgres`] as a short SQLite transaction.
    async fn put_night_sqlite(
        &self,
        person: PersonId,
        entry: &NightEntry,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        bind_night(
            sqlx::query(UPSERT_NIGHT.as_str()),
            person,
            entry,
            now(),
            Decimals::Numbers,
        )?
        .execute(&mut *tx)
        .await?;
        bump(&mut tx, person).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn read_nights(
        &self,
        person: PersonId,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Vec<NightEntry>, StoreError> {
        read_nights(&self.pool, person, from, to).await
    }
}

async fn read_profile_versions<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    person: PersonId,
) -> Result<Vec<ProfileVersion>, StoreError> {
    let rows = sqlx::query(
        "SELECT version, created_at, body FROM profile_versions WHERE person_id = $1 \
         ORDER BY version",
    )
    .bind(person.0)
    .fetch_all(ex)
    .await?;
    rows.iter().map(profile_version_from_row).collect()
}

async fn read_labs<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    person: PersonId,
) -> Result<Vec<(i64, LabRecord)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, test, value, unit, canonical_value, canonical_unit, taken_on, source, \
         comparator FROM labs WHERE person_id = $1 ORDER BY taken_on, id",
    )
    .bind(person.0)
    .fetch_all(ex)
    .await?;
    rows.iter().map(lab_from_row).collect()
}

async fn read_experiments<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    person: PersonId,
) -> Result<Vec<Experiment>, StoreError> {
    let rows = sqlx::query(
        "SELECT remedy, start_night, planned_end, status, schedule_seed, schedule_pairs, \
         schedule_period_nights FROM experiments \
         WHERE person_id = $1 ORDER BY start_night, remedy",
    )
    .bind(person.0)
    .fetch_all(ex)
    .await?;
    rows.iter().map(experiment_from_row).collect()
}

async fn read_sleep_records<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    person: PersonId,
) -> Result<Vec<SleepRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT night, source, asleep_minutes, in_bed_minutes, awake_minutes, deep_minutes, \
         rem_minutes, core_minutes, restless_minutes, restless_count FROM sleep_records WHERE person_id = $1 \
         ORDER BY night, source",
    )
    .bind(person.0)
    .fetch_all(ex)
    .await?;
    rows.iter().map(sleep_from_row).collect()
}

async fn read_activity_records<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    person: PersonId,
) -> Result<Vec<DayActivity>, StoreError> {
    let rows = sqlx::query(
        "SELECT night, source, exercise_minutes, exercise_end, steps, resting_hr \
         FROM activity_records WHERE person_id = $1 ORDER BY night, source",
    )
    .bind(person.0)
    .fetch_all(ex)
    .await?;
    rows.iter().map(activity_from_row).collect()
}

async fn read_nights<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    person: PersonId,
    from: Option<Date>,
    to: Option<Date>,
) -> Result<Vec<NightEntry>, StoreError> {
    let from = from.map_or_else(|| "0000-01-01".to_string(), |d| d.to_string());
    let to = to.map_or_else(|| "9999-12-31".to_string(), |d| d.to_string());
    let rows = sqlx::query(&format!(
        "SELECT {} FROM nights WHERE person_id = $1 AND night >= $2 AND night <= $3 \
         ORDER BY night",
        NIGHT_COLUMNS.as_str()
    ))
    .bind(person.0)
    .bind(&from)
    .bind(&to)
    .fetch_all(ex)
    .await?;
    rows.iter().map(night_from_row).collect()
}

/// Everything a person has stored, read on one connection (inside a transaction, one
/// consistent view).
async fn read_bundle(
    conn: &mut sqlx::AnyConnection,
    person: PersonId,
) -> Result<Bundle, StoreError> {
    Ok(Bundle {
        format: Bundle::FORMAT.to_string(),
        version: Bundle::VERSION,
        profile_versions: read_profile_versions(&mut *conn, person).await?,
        labs: read_labs(&mut *conn, person)
            .await?
            .into_iter()
            .map(|(_, l)| l)
            .collect(),
        nights: read_nights(&mut *conn, person, None, None).await?,
        experiments: read_experiments(&mut *conn, person).await?,
        sleep: read_sleep_records(&mut *conn, person).await?,
        activity: read_activity_records(&mut *conn, person).await?,
    })
}

/// Writes nights (with their items) with multi-row inserts. The caller has removed any stored
/// version of these nights first.
async fn insert_nights(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    person: PersonId,
    entries: &[&NightEntry],
    batch: usize,
) -> Result<(), StoreError> {
    let stamp = now();
    for chunk in entries.chunks(batch) {
        let sql = format!(
            "INSERT INTO nights ({}) VALUES {}",
            NIGHT_COLUMNS.as_str(),
            values_clause(chunk.len(), night_row::parameters())
        );
        // Not a cached statement: sqlx 0.8's Any driver sends a missing f64 as a float4 NULL,
        // and PostgreSQL would then fix that parameter's type for every later execution.
        let mut q = sqlx::query(&sql).persistent(false);
        for e in chunk {
            q = bind_night(q, person, e, stamp.clone(), Decimals::Numbers)?;
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn delete_nights(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    person: PersonId,
    nights: &[Date],
) -> Result<(), StoreError> {
    for night in nights {
        let night = night.to_string();
        sqlx::query("DELETE FROM nights WHERE person_id = $1 AND night = $2")
            .bind(person.0)
            .bind(&night)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn lab_from_row(row: &AnyRow) -> Result<(i64, LabRecord), StoreError> {
    let taken_on: String = row.try_get("taken_on")?;
    let comparator = row
        .try_get::<Option<String>, _>("comparator")?
        .map(|c| Comparator::parse(&c).ok_or_else(|| invalid("comparator", &c)))
        .transpose()?;
    Ok((
        row.try_get("id")?,
        LabRecord {
            test: row.try_get("test")?,
            value: row.try_get("value")?,
            unit: row.try_get("unit")?,
            canonical_value: row.try_get("canonical_value")?,
            canonical_unit: row.try_get("canonical_unit")?,
            date: date(&taken_on)?,
            source: row.try_get("source")?,
            comparator,
        },
    ))
}

async fn insert_lab(
    conn: &mut sqlx::AnyConnection,
    person: PersonId,
    lab: &LabRecord,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO labs (person_id, test, value, unit, canonical_value, canonical_unit, \
         taken_on, source, comparator) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(person.0)
    .bind(&lab.test)
    .bind(lab.value)
    .bind(&lab.unit)
    .bind(lab.canonical_value)
    .bind(&lab.canonical_unit)
    .bind(lab.date.to_string())
    .bind(&lab.source)
    .bind(lab.comparator.map(|c| c.as_str()))
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

fn profile_version_from_row(row: &AnyRow) -> Result<ProfileVersion, StoreError> {
    let body: String = row.try_get("body")?;
    let profile: Profile = serde_json::from_str(&body)
        .map_err(|e| StoreError::Invalid(format!("stored profile cannot be read: {e}")))?;
    Ok(ProfileVersion {
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        profile,
    })
}

fn profile_body(profile: &Profile) -> Result<String, StoreError> {
    serde_json::to_string(profile)
        .map_err(|e| StoreError::Invalid(format!("profile cannot be saved: {e}")))
}

fn experiment_from_row(row: &AnyRow) -> Result<Experiment, StoreError> {
    let start: String = row.try_get("start_night")?;
    let end: Option<String> = row.try_get("planned_end")?;
    let status: String = row.try_get("status")?;
    let seed: Option<i64> = row.try_get("schedule_seed")?;
    let pairs: Option<i64> = row.try_get("schedule_pairs")?;
    let period: Option<i64> = row.try_get("schedule_period_nights")?;
    let schedule = match (seed, pairs, period) {
        (Some(seed), Some(pairs), Some(period)) => Some(OnOffSchedule {
            seed: u64::try_from(seed).map_err(|_| invalid("schedule_seed", &seed.to_string()))?,
            pairs: u32::try_from(pairs)
                .map_err(|_| invalid("schedule_pairs", &pairs.to_string()))?,
            period_nights: u32::try_from(period)
                .map_err(|_| invalid("schedule_period_nights", &period.to_string()))?,
        }),
        _ => None,
    };
    Ok(Experiment {
        remedy: row.try_get("remedy")?,
        start: date(&start)?,
        planned_end: end.map(|e| date(&e)).transpose()?,
        status: ExperimentStatus::parse(&status).ok_or_else(|| invalid("status", &status))?,
        schedule,
    })
}

fn sleep_from_row(row: &AnyRow) -> Result<SleepRecord, StoreError> {
    let night: String = row.try_get("night")?;
    Ok(SleepRecord {
        night: Some(date(&night)?),
        source: row.try_get("source")?,
        asleep_minutes: row.try_get("asleep_minutes")?,
        in_bed_minutes: row.try_get("in_bed_minutes")?,
        awake_minutes: row.try_get("awake_minutes")?,
        deep_minutes: row.try_get("deep_minutes")?,
        rem_minutes: row.try_get("rem_minutes")?,
        core_minutes: row.try_get("core_minutes")?,
        restless_minutes: row.try_get("restless_minutes")?,
        restless_count: row
            .try_get::<Option<i64>, _>("restless_count")?
            .and_then(|c| u32::try_from(c).ok()),
    })
}

fn activity_from_row(row: &AnyRow) -> Result<DayActivity, StoreError> {
    let night: String = row.try_get("night")?;
    let steps = row
        .try_get::<Option<i64>, _>("steps")?
        .map(|n| u32::try_from(n).map_err(|_| invalid("steps", &n.to_string())))
        .transpose()?;
    Ok(DayActivity {
        date: date(&night)?,
        source: row.try_get("source")?,
        exercise_minutes: row.try_get("exercise_minutes")?,
        exercise_end: clock(row.try_get("exercise_end")?)?,
        steps,
        resting_hr: row.try_get("resting_hr")?,
    })
}

/// Columns of one activity row, in the order [`insert_activity`] binds them.
const ACTIVITY_COLUMNS: &str =
    "person_id, night, source, exercise_minutes, exercise_end, steps, resting_hr";

/// Writes activity records with multi-row inserts. The caller has removed the stored record of
/// each of these days first, so a day never holds two.
async fn insert_activity(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    person: PersonId,
    days: &[&DayActivity],
    batch: usize,
) -> Result<(), StoreError> {
    for chunk in days.chunks(batch) {
        let sql = format!(
            "INSERT INTO activity_records ({ACTIVITY_COLUMNS}) VALUES {}",
            values_clause(chunk.len(), 7)
        );
        // Not a cached statement, as for nights: a missing f64 travels as a float4 NULL.
        let mut q = sqlx::query(&sql).persistent(false);
        for a in chunk {
            q = q
                .bind(person.0)
                .bind(a.date.to_string())
                .bind(a.source.clone())
                .bind(a.exercise_minutes)
                .bind(a.exercise_end.map(|t| t.to_string()))
                .bind(a.steps.map(i64::from))
                .bind(a.resting_hr);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn upsert_experiment(
    conn: &mut sqlx::AnyConnection,
    person: PersonId,
    e: &Experiment,
) -> Result<(), StoreError> {
    let schedule_seed = e
        .schedule
        .map(|s| {
            i64::try_from(s.seed)
                .map_err(|_| StoreError::Invalid("schedule seed is too large".into()))
        })
        .transpose()?;
    sqlx::query(
        "INSERT INTO experiments (person_id, remedy, start_night, planned_end, status, \
         schedule_seed, schedule_pairs, schedule_period_nights) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (person_id, remedy, start_night) \
         DO UPDATE SET planned_end = excluded.planned_end, status = excluded.status, \
         schedule_seed = excluded.schedule_seed, schedule_pairs = excluded.schedule_pairs, \
         schedule_period_nights = excluded.schedule_period_nights",
    )
    .bind(person.0)
    .bind(&e.remedy)
    .bind(e.start.to_string())
    .bind(e.planned_end.map(|d| d.to_string()))
    .bind(e.status.as_str())
    .bind(schedule_seed)
    .bind(e.schedule.map(|s| i64::from(s.pairs)))
    .bind(e.schedule.map(|s| i64::from(s.period_nights)))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn upsert_sleep(
    conn: &mut sqlx::AnyConnection,
    person: PersonId,
    s: &SleepRecord,
) -> Result<(), StoreError> {
    let night = s
        .night
        .ok_or_else(|| StoreError::Invalid("a sleep record needs its night".into()))?;
    sqlx::query(
        "INSERT INTO sleep_records (person_id, night, source, asleep_minutes, in_bed_minutes, \
         awake_minutes, deep_minutes, rem_minutes, core_minutes, restless_minutes, \
         restless_count) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CAST($10 AS DOUBLE PRECISION), $11) \
         ON CONFLICT (person_id, night, source) \
         DO UPDATE SET asleep_minutes = excluded.asleep_minutes, \
         in_bed_minutes = excluded.in_bed_minutes, awake_minutes = excluded.awake_minutes, \
         deep_minutes = excluded.deep_minutes, rem_minutes = excluded.rem_minutes, \
         core_minutes = excluded.core_minutes, restless_minutes = excluded.restless_minutes, \
         restless_count = excluded.restless_count",
    )
    .bind(person.0)
    .bind(night.to_string())
    .bind(&s.source)
    .bind(s.asleep_minutes)
    .bind(s.in_bed_minutes)
    .bind(s.awake_minutes)
    .bind(s.deep_minutes)
    .bind(s.rem_minutes)
    .bind(s.core_minutes)
    // As text, cast back: a missing f64 would travel as a float4 NULL (see `Decimals`).
    .bind(s.restless_minutes.map(|m| m.to_string()))
    .bind(s.restless_count.map(i64::from))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[async_trait]
impl Store for SqlStore {
    async fn ensure_person(&self, username: &str) -> Result<PersonId, StoreError> {
        let _turn = self.write_turn().await;
        if let Some(id) = self.find_person(username).await? {
            return Ok(id);
        }
        sqlx::query(
            "INSERT INTO people (username, password_hash, created_at) VALUES ($1, NULL, $2) \
             ON CONFLICT (username) DO NOTHING",
        )
        .bind(username)
        .bind(now())
        .execute(&self.pool)
        .await?;
        self.find_person(username)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("account '{username}' vanished")))
    }

    async fn find_person(&self, username: &str) -> Result<Option<PersonId>, StoreError> {
        let row = sqlx::query("SELECT id FROM people WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| r.try_get::<i64, _>("id"))
            .transpose()?
            .map(PersonId))
    }

    async fn create_person(
        &self,
        username: &str,
        password_hash: Option<&str>,
    ) -> Result<PersonId, StoreError> {
        let _turn = self.write_turn().await;
        let done = sqlx::query(
            "INSERT INTO people (username, password_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (username) DO NOTHING",
        )
        .bind(username)
        .bind(password_hash)
        .bind(now())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "the name '{username}' is already taken"
            )));
        }
        self.find_person(username)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("account '{username}' vanished")))
    }

    async fn password_hash(&self, person: PersonId) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT password_hash FROM people WHERE id = $1")
            .bind(person.0)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| r.try_get("password_hash"))
            .transpose()?
            .flatten())
    }

    async fn create_session(
        &self,
        token_hash: &str,
        person: PersonId,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO sessions (token_hash, person_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(person.0)
        .bind(csrf_token)
        .bind(now())
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: i64) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "SELECT s.person_id, p.username, s.csrf_token, s.expires_at, p.data_version \
             FROM sessions s \
             JOIN people p ON p.id = s.person_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Session {
                person: PersonId(r.try_get("person_id")?),
                username: r.try_get("username")?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at: r.try_get("expires_at")?,
                data_version: r.try_get("data_version")?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: i64) -> Result<u64, StoreError> {
        let _turn = self.write_turn().await;
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn create_share_link(
        &self,
        person: PersonId,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<i64, StoreError> {
        let _turn = self.write_turn().await;
        let row = sqlx::query(
            "INSERT INTO share_links (person_id, token_hash, created_at, expires_at, revoked) \
             VALUES ($1, $2, $3, $4, 0) RETURNING id",
        )
        .bind(person.0)
        .bind(token_hash)
        .bind(now())
        .bind(expires_at)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("id")?)
    }

    async fn share_links(&self, person: PersonId) -> Result<Vec<ShareLink>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, created_at, expires_at, revoked FROM share_links WHERE person_id = $1 \
             ORDER BY id DESC",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ShareLink {
                    id: r.try_get("id")?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                    revoked: r.try_get::<i64, _>("revoked")? != 0,
                })
            })
            .collect()
    }

    async fn revoke_share_link(&self, person: PersonId, id: i64) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let done =
            sqlx::query("UPDATE share_links SET revoked = 1 WHERE person_id = $1 AND id = $2")
                .bind(person.0)
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn share_link_owner(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<PersonId>, StoreError> {
        let row = sqlx::query(
            "SELECT person_id FROM share_links WHERE token_hash = $1 AND revoked = 0 \
             AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(|r| r.try_get::<i64, _>("person_id"))
            .transpose()?
            .map(PersonId))
    }

    async fn put_profile(&self, person: PersonId, profile: &Profile) -> Result<i64, StoreError> {
        let _turn = self.write_turn().await;
        let body = profile_body(profile)?;
        let mut tx = self.pool.begin().await?;
        let latest = sqlx::query(
            "SELECT version, body FROM profile_versions WHERE person_id = $1 \
             ORDER BY version DESC LIMIT 1",
        )
        .bind(person.0)
        .fetch_optional(&mut *tx)
        .await?;
        let next = match latest {
            Some(row) => {
                let version: i64 = row.try_get("version")?;
                let stored: String = row.try_get("body")?;
                if stored == body {
                    return Ok(version);
                }
                version + 1
            }
            None => 1,
        };
        sqlx::query(
            "INSERT INTO profile_versions (person_id, version, created_at, body) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(person.0)
        .bind(next)
        .bind(now())
        .bind(&body)
        .execute(&mut *tx)
        .await?;
        bump(&mut tx, person).await?;
        tx.commit().await?;
        Ok(next)
    }

    async fn profile(&self, person: PersonId) -> Result<Option<ProfileVersion>, StoreError> {
        let row = sqlx::query(
            "SELECT version, created_at, body FROM profile_versions WHERE person_id = $1 \
             ORDER BY version DESC LIMIT 1",
        )
        .bind(person.0)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(profile_version_from_row).transpose()
    }

    async fn profile_versions(&self, person: PersonId) -> Result<Vec<ProfileVersion>, StoreError> {
        read_profile_versions(&self.pool, person).await
    }

    async fn add_lab(&self, person: PersonId, lab: &LabRecord) -> Result<i64, StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        let id = insert_lab(&mut tx, person, lab).await?;
        bump(&mut tx, person).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn labs(&self, person: PersonId) -> Result<Vec<(i64, LabRecord)>, StoreError> {
        read_labs(&self.pool, person).await
    }

    async fn delete_lab(&self, person: PersonId, id: i64) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM labs WHERE person_id = $1 AND id = $2")
            .bind(person.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        bump(&mut tx, person).await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    async fn put_night(&self, person: PersonId, entry: &NightEntry) -> Result<(), StoreError> {
        if self.postgres {
            self.put_night_postgres(person, entry).await
        } else {
            self.put_night_sqlite(person, entry).await
        }
    }

    async fn night(&self, person: PersonId, night: Date) -> Result<Option<NightEntry>, StoreError> {
        Ok(self
            .read_nights(person, Some(night), Some(night))
            .await?
            .into_iter()
            .next())
    }

    async fn nights(
        &self,
        person: PersonId,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Vec<NightEntry>, StoreError> {
        self.read_nights(person, from, to).await
    }

    async fn delete_night(&self, person: PersonId, night: Date) -> Result<bool, StoreError> {
        let existed = self.night(person, night).await?.is_some();
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        delete_nights(&mut tx, person, &[night]).await?;
        bump(&mut tx, person).await?;
        tx.commit().await?;
        Ok(existed)
    }

    async fn data_version(&self, person: PersonId) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT data_version FROM people WHERE id = $1")
            .bind(person.0)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| r.try_get("data_version"))
            .transpose()?
            .unwrap_or(0))
    }

    async fn put_experiment(&self, person: PersonId, e: &Experiment) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        upsert_experiment(&mut tx, person, e).await?;
        bump(&mut tx, person).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn experiments(&self, person: PersonId) -> Result<Vec<Experiment>, StoreError> {
        read_experiments(&self.pool, person).await
    }

    async fn sleep_records(&self, person: PersonId) -> Result<Vec<SleepRecord>, StoreError> {
        read_sleep_records(&self.pool, person).await
    }

    async fn activity_records(&self, person: PersonId) -> Result<Vec<DayActivity>, StoreError> {
        read_activity_records(&self.pool, person).await
    }

    async fn export(&self, person: PersonId) -> Result<Bundle, StoreError> {
        // One transaction, so the export is one consistent moment of the journal.
        let mut tx = self.pool.begin().await?;
        let bundle = read_bundle(&mut tx, person).await?;
        tx.commit().await?;
        Ok(bundle)
    }

    async fn import(
        &self,
        person: PersonId,
        bundle: &Bundle,
        on_conflict: OnConflict,
    ) -> Result<ImportReport, StoreError> {
        let _turn = self.write_turn().await;
        match self
            .import_in_one_transaction(person, bundle, on_conflict)
            .await
        {
            Ok(report) => Ok(report),
            // Another request wrote a night (or anything else) this import also writes, after
            // this transaction read what was stored: the transaction is rolled back whole, so
            // the import ends cleanly as a conflict, never half-done.
            Err(StoreError::Database(e))
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                Err(StoreError::Conflict(
                    "something in this file was saved by another request while it was being \
                     imported (a check-in on another device?). Nothing was imported; import it \
                     again."
                        .into(),
                ))
            }
            Err(e) => Err(e),
        }
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn checkin_reminder(&self, person: PersonId) -> Result<Option<ClockTime>, StoreError> {
        let row = sqlx::query("SELECT at_minutes FROM checkin_reminders WHERE person_id = $1")
            .bind(person.0)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let minutes: i64 = row.try_get("at_minutes")?;
        let time = u8::try_from(minutes / 60)
            .ok()
            .zip(u8::try_from(minutes % 60).ok())
            .and_then(|(h, m)| ClockTime::new(h, m))
            .ok_or_else(|| invalid("reminder time", &minutes.to_string()))?;
        Ok(Some(time))
    }

    async fn set_checkin_reminder(
        &self,
        person: PersonId,
        at: Option<ClockTime>,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM checkin_reminders WHERE person_id = $1")
            .bind(person.0)
            .execute(&mut *tx)
            .await?;
        if let Some(at) = at {
            sqlx::query("INSERT INTO checkin_reminders (person_id, at_minutes) VALUES ($1, $2)")
                .bind(person.0)
                .bind(i64::from(at.minutes()))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn lab_goals(&self, person: PersonId) -> Result<Vec<LabGoal>, StoreError> {
        let rows =
            sqlx::query("SELECT test, due FROM lab_goals WHERE person_id = $1 ORDER BY test")
                .bind(person.0)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(LabGoal {
                    test: r.try_get("test")?,
                    due: date(&r.try_get::<String, _>("due")?)?,
                })
            })
            .collect()
    }

    async fn put_lab_goal(&self, person: PersonId, goal: &LabGoal) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        upsert_lab_goal(&mut tx, person, goal).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_lab_goal(&self, person: PersonId, test: &str) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let done = sqlx::query("DELETE FROM lab_goals WHERE person_id = $1 AND test = $2")
            .bind(person.0)
            .bind(test)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn replace_lab_goals(
        &self,
        person: PersonId,
        goals: &[LabGoal],
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM lab_goals WHERE person_id = $1")
            .bind(person.0)
            .execute(&mut *tx)
            .await?;
        for goal in goals {
            upsert_lab_goal(&mut tx, person, goal).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn create_api_token(
        &self,
        person: PersonId,
        name: &str,
        token_hash: &str,
        scopes: &[String],
    ) -> Result<i64, StoreError> {
        let _turn = self.write_turn().await;
        let row = sqlx::query(
            "INSERT INTO api_tokens (person_id, name, token_hash, scopes, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(person.0)
        .bind(name)
        .bind(token_hash)
        .bind(scopes.join(" "))
        .bind(now())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("id")?)
    }

    async fn api_tokens(&self, person: PersonId) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, scopes, created_at, last_used_at FROM api_tokens \
             WHERE person_id = $1 ORDER BY id DESC",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    scopes: split_scopes(&r.try_get::<String, _>("scopes")?),
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                })
            })
            .collect()
    }

    async fn revoke_api_token(&self, person: PersonId, id: i64) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let done = sqlx::query("DELETE FROM api_tokens WHERE person_id = $1 AND id = $2")
            .bind(person.0)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn use_api_token(
        &self,
        token_hash: &str,
        now: &str,
    ) -> Result<Option<TokenGrant>, StoreError> {
        let _turn = self.write_turn().await;
        let row = sqlx::query(
            "UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 \
             RETURNING id, person_id, scopes",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(TokenGrant {
                token_id: r.try_get("id")?,
                person: PersonId(r.try_get("person_id")?),
                scopes: split_scopes(&r.try_get::<String, _>("scopes")?),
            })
        })
        .transpose()
    }

    async fn create_calendar_feed(
        &self,
        person: PersonId,
        token_hash: &str,
    ) -> Result<i64, StoreError> {
        let _turn = self.write_turn().await;
        let row = sqlx::query(
            "INSERT INTO calendar_feeds (person_id, token_hash, created_at) \
             VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(person.0)
        .bind(token_hash)
        .bind(now())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("id")?)
    }

    async fn calendar_feeds(&self, person: PersonId) -> Result<Vec<CalendarFeed>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, created_at FROM calendar_feeds WHERE person_id = $1 ORDER BY id DESC",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CalendarFeed {
                    id: r.try_get("id")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    async fn revoke_calendar_feed(&self, person: PersonId, id: i64) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let done = sqlx::query("DELETE FROM calendar_feeds WHERE person_id = $1 AND id = $2")
            .bind(person.0)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn calendar_feed_owner(&self, token_hash: &str) -> Result<Option<PersonId>, StoreError> {
        let row = sqlx::query("SELECT person_id FROM calendar_feeds WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| r.try_get::<i64, _>("person_id"))
            .transpose()?
            .map(PersonId))
    }

    async fn add_episode(
        &self,
        person: PersonId,
        episode: &crate::Episode,
    ) -> Result<i64, StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "INSERT INTO episodes (person_id, night, at, local_time) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(person.0)
        .bind(episode.night.to_string())
        .bind(episode.at.to_string())
        .bind(episode.local_time.to_string())
        .fetch_one(&mut *tx)
        .await?;
        bump(&mut tx, person).await?;
        tx.commit().await?;
        Ok(row.try_get("id")?)
    }

    async fn episodes(
        &self,
        person: PersonId,
        night: Date,
    ) -> Result<Vec<crate::Episode>, StoreError> {
        let rows = sqlx::query(
            "SELECT night, at, local_time FROM episodes WHERE person_id = $1 AND night = $2 \
             ORDER BY at, id",
        )
        .bind(person.0)
        .bind(night.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let at: String = r.try_get("at")?;
                let local: String = r.try_get("local_time")?;
                Ok(crate::Episode {
                    night: date(&r.try_get::<String, _>("night")?)?,
                    at: at.parse().map_err(|_| invalid("instant", &at))?,
                    local_time: clock(Some(local))?.ok_or_else(|| invalid("time", ""))?,
                })
            })
            .collect()
    }

    async fn put_push_subscription(
        &self,
        person: PersonId,
        subscription: &crate::NewPushSubscription,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO push_subscriptions (person_id, endpoint, p256dh, auth, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id, endpoint) \
             DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth",
        )
        .bind(person.0)
        .bind(&subscription.endpoint)
        .bind(&subscription.p256dh)
        .bind(&subscription.auth)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete_push_subscription(
        &self,
        person: PersonId,
        endpoint: &str,
    ) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let done =
            sqlx::query("DELETE FROM push_subscriptions WHERE person_id = $1 AND endpoint = $2")
                .bind(person.0)
                .bind(endpoint)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn push_subscriptions(
        &self,
        person: PersonId,
    ) -> Result<Vec<crate::PushSubscription>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, endpoint, p256dh, auth FROM push_subscriptions WHERE person_id = $1 \
             ORDER BY id",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(crate::PushSubscription {
                    id: r.try_get("id")?,
                    person,
                    endpoint: r.try_get("endpoint")?,
                    p256dh: r.try_get("p256dh")?,
                    auth: r.try_get("auth")?,
                })
            })
            .collect()
    }

    async fn push_people(&self) -> Result<Vec<PersonId>, StoreError> {
        let rows =
            sqlx::query("SELECT DISTINCT person_id FROM push_subscriptions ORDER BY person_id")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok(PersonId(r.try_get("person_id")?)))
            .collect()
    }

    async fn forget_push_endpoint(&self, endpoint: &str) -> Result<u64, StoreError> {
        let _turn = self.write_turn().await;
        let done = sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = $1")
            .bind(endpoint)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn claim_push_delivery(
        &self,
        subscription: i64,
        kind: &str,
        due_at: i64,
    ) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        // The primary key makes the claim atomic across app servers sharing one database.
        let done = sqlx::query(
            "INSERT INTO push_deliveries (subscription_id, kind, due_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(subscription)
        .bind(kind)
        .bind(due_at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn release_push_delivery(
        &self,
        subscription: i64,
        kind: &str,
        due_at: i64,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "DELETE FROM push_deliveries WHERE subscription_id = $1 AND kind = $2 AND due_at = $3",
        )
        .bind(subscription)
        .bind(kind)
        .bind(due_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete_old_push_deliveries(&self, before: i64) -> Result<u64, StoreError> {
        let _turn = self.write_turn().await;
        let done = sqlx::query("DELETE FROM push_deliveries WHERE due_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

/// Scopes are stored space-separated (none contains a space).
fn split_scopes(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

async fn upsert_lab_goal(
    tx: &mut sqlx::AnyConnection,
    person: PersonId,
    goal: &LabGoal,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM lab_goals WHERE person_id = $1 AND test = $2")
        .bind(person.0)
        .bind(&goal.test)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO lab_goals (person_id, test, due) VALUES ($1, $2, $3)")
        .bind(person.0)
        .bind(&goal.test)
        .bind(goal.due.to_string())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

impl SqlStore {
    /// Reads what is stored, decides ([`import::decide`], pure) and writes, all in one
    /// transaction: all of it or none.
    async fn import_in_one_transaction(
        &self,
        person: PersonId,
        bundle: &Bundle,
        on_conflict: OnConflict,
    ) -> Result<ImportReport, StoreError> {
        let mut tx = self.pool.begin().await?;
        let stored = read_bundle(&mut tx, person).await?;
        let d = import::decide(&stored, bundle).map_err(StoreError::Invalid)?;
        if on_conflict != OnConflict::Overwrite
            && let Some(refusal) = d.refusal()
        {
            return Err(StoreError::Conflict(refusal));
        }
        for v in &d.new_versions {
            sqlx::query("DELETE FROM profile_versions WHERE person_id = $1 AND version = $2")
                .bind(person.0)
                .bind(v.version)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO profile_versions (person_id, version, created_at, body) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(person.0)
            .bind(v.version)
            .bind(&v.created_at)
            .bind(profile_body(&v.profile)?)
            .execute(&mut *tx)
            .await?;
        }
        for lab in &d.new_labs {
            insert_lab(&mut tx, person, lab).await?;
        }
        delete_nights(&mut tx, person, &d.replace_nights).await?;
        insert_nights(&mut tx, person, &d.write_nights, self.batch()).await?;
        for e in &d.write_experiments {
            upsert_experiment(&mut tx, person, e).await?;
        }
        for (night, source) in &d.replace_sleep {
            sqlx::query(
                "DELETE FROM sleep_records WHERE person_id = $1 AND night = $2 AND source = $3",
            )
            .bind(person.0)
            .bind(night.to_string())
            .bind(source)
            .execute(&mut *tx)
            .await?;
        }
        for s in &d.write_sleep {
            upsert_sleep(&mut tx, person, s).await?;
        }
        for (night, source) in &d.replace_activity {
            sqlx::query(
                "DELETE FROM activity_records WHERE person_id = $1 AND night = $2 AND source = $3",
            )
            .bind(person.0)
            .bind(night.to_string())
            .bind(source)
            .execute(&mut *tx)
            .await?;
        }
        insert_activity(&mut tx, person, &d.write_activity, self.batch()).await?;
        bump(&mut tx, person).await?;
        tx.commit().await?;
        Ok(ImportReport {
            added: d.added,
            updated: d.updated,
            unchanged: d.unchanged,
        })
    }
}
