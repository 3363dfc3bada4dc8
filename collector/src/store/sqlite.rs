//! The embedded default: one SQLite file in WAL mode with `synchronous=FULL`,
//! so an acknowledged response survives a power cut.

use super::{
    Inserted, NewResponse, ScoreCount, Site, Store, StoreError, SurveyStatus, answers_json,
};
use async_trait::async_trait;
use sori_protocol::{Locale, Scale, Slug, SurveyDefinition, ValidAnswer};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::str::FromStr;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;

pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }
}

fn now_rfc3339() -> String {
    rfc3339(time::OffsetDateTime::now_utc())
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn parse_definition(json: &str) -> Result<SurveyDefinition, StoreError> {
    serde_json::from_str(json).map_err(|e| corrupt(format!("survey definition: {e}")))
}

#[async_trait]
impl Store for SqliteStore {
    async fn site(&self, key: &Slug) -> Result<Option<Site>, StoreError> {
        let row = sqlx::query(
            "SELECT name, allowed_origins, default_locale, time_zone FROM sites WHERE key = ?",
        )
        .bind(key.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let origins: String = row.get("allowed_origins");
        let locale: String = row.get("default_locale");
        Ok(Some(Site {
            key: key.clone(),
            name: row.get("name"),
            allowed_origins: serde_json::from_str(&origins).map_err(corrupt)?,
            default_locale: Locale::from_tag(&locale)
                .ok_or_else(|| corrupt(format!("locale '{locale}'")))?,
            time_zone: row.get("time_zone"),
        }))
    }

    async fn site_count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sites")
            .fetch_one(&self.pool)
            .await?;
        Ok(n.max(0) as u64)
    }

    async fn put_site(&self, site: &Site) -> Result<(), StoreError> {
        let origins = serde_json::to_string(&site.allowed_origins).map_err(corrupt)?;
        sqlx::query(
            "INSERT INTO sites (key, name, allowed_origins, default_locale, time_zone, created_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET name = excluded.name,
                 allowed_origins = excluded.allowed_origins,
                 default_locale = excluded.default_locale, time_zone = excluded.time_zone",
        )
        .bind(site.key.as_str())
        .bind(&site.name)
        .bind(origins)
        .bind(site.default_locale.code())
        .bind(&site.time_zone)
        .bind(now_rfc3339())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn put_survey(
        &self,
        site: &Slug,
        def: &SurveyDefinition,
        status: SurveyStatus,
    ) -> Result<SurveyDefinition, StoreError> {
        let mut tx = self.pool.begin().await?;
        let current: Option<(i64, String)> = sqlx::query_as(
            "SELECT v.version, v.definition FROM surveys s
             JOIN survey_versions v ON v.site_key = s.site_key AND v.survey_id = s.id
                 AND v.version = s.current_version
             WHERE s.site_key = ? AND s.id = ?",
        )
        .bind(site.as_str())
        .bind(def.id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let now = now_rfc3339();
        let mut stored = def.clone();
        let unchanged = match &current {
            Some((version, json)) => {
                stored.version = u32::try_from(*version).map_err(corrupt)?;
                parse_definition(json)? == stored
            }
            None => false,
        };
        if !unchanged {
            stored.version = current.as_ref().map_or(1, |(v, _)| *v as u32 + 1);
            sqlx::query(
                "INSERT INTO surveys (site_key, id, status, current_version, updated_at)
                 VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (site_key, id) DO UPDATE SET status = excluded.status,
                     current_version = excluded.current_version, updated_at = excluded.updated_at",
            )
            .bind(site.as_str())
            .bind(def.id.as_str())
            .bind(status.as_str())
            .bind(i64::from(stored.version))
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO survey_versions (site_key, survey_id, version, definition, created_at)
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(site.as_str())
            .bind(def.id.as_str())
            .bind(i64::from(stored.version))
            .bind(serde_json::to_string(&stored).map_err(corrupt)?)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "UPDATE surveys SET status = ?, updated_at = ? WHERE site_key = ? AND id = ?",
            )
            .bind(status.as_str())
            .bind(&now)
            .bind(site.as_str())
            .bind(def.id.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn active_surveys(&self, site: &Slug) -> Result<Vec<SurveyDefinition>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT v.definition FROM surveys s
             JOIN survey_versions v ON v.site_key = s.site_key AND v.survey_id = s.id
                 AND v.version = s.current_version
             WHERE s.site_key = ? AND s.status = 'active' ORDER BY s.id",
        )
        .bind(site.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|(json,)| parse_definition(json)).collect()
    }

    async fn survey_version(
        &self,
        site: &Slug,
        survey: &Slug,
        version: u32,
    ) -> Result<Option<SurveyDefinition>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT definition FROM survey_versions
             WHERE site_key = ? AND survey_id = ? AND version = ?",
        )
        .bind(site.as_str())
        .bind(survey.as_str())
        .bind(i64::from(version))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(json,)| parse_definition(&json)).transpose()
    }

    async fn insert_responses(&self, batch: &[NewResponse]) -> Result<Vec<Inserted>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for new in batch {
            let r = &new.response;
            let written = sqlx::query(
                "INSERT INTO responses (id, site_key, survey_id, survey_version, finished, locale,
                     page_path, device, respondent, answers, received_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(r.id.to_string())
            .bind(new.site.as_str())
            .bind(r.survey.as_str())
            .bind(i64::from(r.survey_version))
            .bind(r.finished)
            .bind(r.locale.code())
            .bind(&r.page_path)
            .bind(r.device.name())
            .bind(r.respondent.map(|u| u.to_string()))
            .bind(answers_json(r))
            .bind(rfc3339(new.received_at))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if written == 0 {
                outcomes.push(Inserted::Duplicate);
                continue;
            }
            let hour = new.received_at.unix_timestamp().div_euclid(3600);
            for answer in &r.answers {
                if let ValidAnswer::Score {
                    question,
                    scale,
                    value,
                } = answer
                {
                    sqlx::query(
                        "INSERT INTO score_rollup (site_key, survey_id, question, scale, hour, value, count)
                         VALUES (?, ?, ?, ?, ?, ?, 1)
                         ON CONFLICT (site_key, survey_id, question, hour, value)
                         DO UPDATE SET count = count + 1",
                    )
                    .bind(new.site.as_str())
                    .bind(r.survey.as_str())
                    .bind(question.as_str())
                    .bind(scale.name())
                    .bind(hour)
                    .bind(i64::from(*value))
                    .execute(&mut *tx)
                    .await?;
                }
            }
            outcomes.push(Inserted::New);
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    async fn score_counts(
        &self,
        site: &Slug,
        survey: Option<&Slug>,
    ) -> Result<Vec<ScoreCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT survey_id, question, scale, value, SUM(count) AS n FROM score_rollup
             WHERE site_key = ? AND (? IS NULL OR survey_id = ?)
             GROUP BY survey_id, question, scale, value ORDER BY survey_id, question, value",
        )
        .bind(site.as_str())
        .bind(survey.map(Slug::as_str))
        .bind(survey.map(Slug::as_str))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let scale: String = row.get("scale");
                let value: i64 = row.get("value");
                let n: i64 = row.get("n");
                Ok(ScoreCount {
                    survey: Slug::parse(row.get("survey_id")).map_err(corrupt)?,
                    question: Slug::parse(row.get("question")).map_err(corrupt)?,
                    scale: Scale::from_name(&scale)
                        .ok_or_else(|| corrupt(format!("scale '{scale}'")))?,
                    value: u8::try_from(value).map_err(corrupt)?,
                    count: u64::try_from(n).map_err(corrupt)?,
                })
            })
            .collect()
    }
}
