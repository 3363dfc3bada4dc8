//! Months of made-up responses for the demo, so trends, comparisons and the
//! responses list have something to show on first run. They tell a story a
//! CX manager would recognise: satisfaction with sending invoices rises
//! over the period; people on phones are clearly less satisfied than on
//! desktops; Korean and English speakers are about equally satisfied; and
//! some of them say why, in their own language.
//!
//! Every response goes through the same validation as a real one, and the
//! same seed always makes the same history.

use crate::store::{NewResponse, Store, StoreError};
use fastrand::Rng;
use serde_json::{Value, json};
use sori_protocol::{
    QuestionKind, ResponseId, Slug, Submission, SurveyDefinition, validate_submission,
};
use time::OffsetDateTime;

/// Responses on an average day, across the demo's surveys.
const PER_DAY: usize = 340;
/// Written per transaction.
const BATCH: usize = 500;

/// What was written.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub responses: usize,
    /// Made-up responses the validation refused (a bug in this file if not 0).
    pub refused: usize,
}

const COMMENTS_EN_GOOD: [&str; 6] = [
    "Sending invoices is quick now",
    "Love the reminders",
    "Clean and simple",
    "The PDF looks professional",
    "Saved me an hour this week",
    "Exports are fast",
];
const COMMENTS_EN_BAD: [&str; 6] = [
    "Too many steps to send one invoice",
    "The app is slow on my phone",
    "Could not find the currency setting",
    "The email preview looks wrong on mobile",
    "Exports time out with big files",
    "Hard to tap the buttons on a small screen",
];
const COMMENTS_KO_GOOD: [&str; 6] = [
    "인보이스 보내기가 정말 빨라졌어요",
    "알림 기능이 좋아요",
    "깔끔하고 쉬워요",
    "PDF가 전문적으로 보여요",
    "이번 주에 한 시간은 아꼈어요",
    "내보내기가 빨라요",
];
const COMMENTS_KO_BAD: [&str; 6] = [
    "인보이스 하나 보내는 데 단계가 너무 많아요",
    "휴대폰에서 앱이 느려요",
    "통화 설정을 찾을 수 없었어요",
    "모바일에서 이메일 미리보기가 이상해요",
    "큰 파일은 내보내기가 멈춰요",
    "작은 화면에서 버튼 누르기가 어려워요",
];
const PAGES: [&str; 5] = [
    "/app/invoices",
    "/app/invoices/new",
    "/app/reports",
    "/app/settings",
    "/app/export",
];

/// One respondent's circumstances.
struct Who {
    korean: bool,
    device: &'static str,
    /// 0 at the start of the history, 1 at its end.
    progress: f64,
}

impl Who {
    /// How likely this person is to be satisfied: rising over the period,
    /// well lower on phones, the same in both languages.
    fn satisfied(&self) -> f64 {
        let base = 0.66 + 0.18 * self.progress;
        if self.device == "mobile" {
            base - 0.16
        } else {
            base
        }
    }

    fn comment(&self, rng: &mut Rng, good: bool) -> &'static str {
        let bank = match (self.korean, good) {
            (true, true) => &COMMENTS_KO_GOOD,
            (true, false) => &COMMENTS_KO_BAD,
            (false, true) => &COMMENTS_EN_GOOD,
            (false, false) => &COMMENTS_EN_BAD,
        };
        // The bad banks' odd entries are about phones: said on phones only.
        let mut i = rng.usize(..bank.len());
        if !good && self.device != "mobile" && i % 2 == 1 {
            i -= 1;
        }
        bank[i]
    }
}

fn pick<'a>(rng: &mut Rng, weighted: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut roll = rng.u32(..total.max(1));
    for (item, weight) in weighted {
        if roll < *weight {
            return item;
        }
        roll -= weight;
    }
    weighted.first().map_or("", |(item, _)| item)
}

/// A score on `low..=high` that is in `good` (the top) with probability `p`.
fn score(
    rng: &mut Rng,
    p: f64,
    bad: std::ops::RangeInclusive<i64>,
    good: std::ops::RangeInclusive<i64>,
) -> (i64, bool) {
    if rng.f64() < p {
        (rng.i64(good), true)
    } else {
        (rng.i64(bad), false)
    }
}

/// The answers one person gives to `survey`.
fn answers(rng: &mut Rng, survey: &SurveyDefinition, who: &Who) -> Vec<Value> {
    let mut out = Vec::new();
    let mut good = true;
    for q in &survey.questions {
        let id = q.id.as_str();
        match &q.kind {
            QuestionKind::Csat => {
                let (v, g) = score(rng, who.satisfied(), 1..=3, 4..=5);
                good = g;
                out.push(json!({"question": id, "value": v}));
            }
            QuestionKind::Nps => {
                let promoter =
                    0.40 + 0.15 * who.progress - if who.device == "mobile" { 0.1 } else { 0.0 };
                let roll = rng.f64();
                let v = if roll < promoter {
                    rng.i64(9..=10)
                } else if roll < promoter + 0.35 {
                    rng.i64(7..=8)
                } else {
                    rng.i64(0..=6)
                };
                good = v >= 7;
                out.push(json!({"question": id, "value": v}));
            }
            QuestionKind::Ces => {
                let (v, g) = score(rng, 0.72, 1..=4, 5..=7);
                good = g;
                out.push(json!({"question": id, "value": v}));
            }
            QuestionKind::Rating { points, .. } => {
                let top = i64::from(*points);
                let (v, g) = score(rng, who.satisfied(), 1..=top - 2, top - 1..=top);
                good = g;
                out.push(json!({"question": id, "value": v}));
            }
            QuestionKind::YesNo => {
                if rng.f64() < 0.8 {
                    out.push(
                        json!({"question": id, "value": rng.f64() < if good { 0.9 } else { 0.5 }}),
                    );
                }
            }
            QuestionKind::SingleChoice { choices } => {
                // Asked only after a low score (the demo's skip rule).
                if !good && !choices.is_empty() {
                    let choice = &choices[rng.usize(..choices.len())];
                    out.push(json!({"question": id, "value": choice.id}));
                }
            }
            QuestionKind::MultiChoice { choices, .. } => {
                if rng.f64() < 0.6 && !choices.is_empty() {
                    let mut picked: Vec<&str> = choices
                        .iter()
                        .filter(|_| rng.f64() < 0.4)
                        .map(|c| c.id.as_str())
                        .collect();
                    if picked.is_empty() {
                        picked.push(choices[0].id.as_str());
                    }
                    out.push(json!({"question": id, "value": picked}));
                }
            }
            QuestionKind::Text { .. } => {
                if rng.f64() < 0.3 {
                    out.push(json!({"question": id, "value": who.comment(rng, good)}));
                }
            }
        }
    }
    out
}

/// Writes `days` days of responses to `surveys`, ending now.
pub async fn write(
    store: &dyn Store,
    site: &Slug,
    surveys: &[SurveyDefinition],
    days: u32,
    seed: u64,
) -> Result<Written, StoreError> {
    let mut rng = Rng::with_seed(seed);
    let mut written = Written::default();
    let mut batch = Vec::with_capacity(BATCH);
    let now = OffsetDateTime::now_utc();
    let weights: Vec<(&str, u32)> = surveys
        .iter()
        .map(|s| {
            let weight = match s.id.as_str() {
                "send-csat" => 35,
                "invoice-csat" | "nps" => 20,
                "export-ces" => 15,
                _ => 10,
            };
            (s.id.as_str(), weight)
        })
        .collect();
    for day in (0..days).rev() {
        let progress = 1.0 - f64::from(day) / f64::from(days.max(1));
        // Weekends are quieter.
        let start = now - time::Duration::days(i64::from(day) + 1);
        let weekend = matches!(
            start.weekday(),
            time::Weekday::Saturday | time::Weekday::Sunday
        );
        let count = if weekend { PER_DAY / 3 } else { PER_DAY } + rng.usize(..PER_DAY / 5);
        for _ in 0..count {
            let at = start + time::Duration::seconds(rng.i64(0..86_400));
            let survey_id = pick(&mut rng, &weights);
            let Some(survey) = surveys.iter().find(|s| s.id.as_str() == survey_id) else {
                continue;
            };
            let who = Who {
                korean: rng.f64() < 0.4,
                device: pick(&mut rng, &[("desktop", 55), ("mobile", 35), ("tablet", 10)]),
                progress,
            };
            let millis = u64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
            let mut random = [0u8; 10];
            rng.fill(&mut random);
            let body = json!({
                "id": ResponseId::from_parts(millis, random),
                "survey": survey.id,
                "survey_version": survey.version,
                "locale": if who.korean { "ko" } else { "en" },
                "page_path": PAGES[rng.usize(..PAGES.len())],
                "device": who.device,
                "respondent": uuid::Uuid::from_bytes(std::array::from_fn(|_| rng.u8(..))),
                "attributes": {"plan": if rng.f64() < 0.3 { "pro" } else { "free" }},
                "answers": answers(&mut rng, survey, &who),
            });
            let valid = serde_json::from_value::<Submission>(body)
                .ok()
                .and_then(|sub| validate_submission(survey, sub).ok());
            let Some(response) = valid else {
                written.refused += 1;
                continue;
            };
            batch.push(NewResponse {
                site: site.clone(),
                response,
                received_at: at,
            });
            if batch.len() == BATCH {
                written.responses += batch.len();
                store.insert_responses(&batch).await?;
                batch.clear();
            }
        }
    }
    if !batch.is_empty() {
        written.responses += batch.len();
        store.insert_responses(&batch).await?;
    }
    Ok(written)
}

const MISSING_EN: [&str; 4] = [
    "Nothing about partial refunds",
    "Which currencies are supported?",
    "The screenshots are out of date",
    "How do I do this on my phone?",
];
const MISSING_KO: [&str; 4] = [
    "부분 환불에 대한 내용이 없어요",
    "어떤 통화를 지원하나요?",
    "스크린샷이 예전 화면이에요",
    "휴대폰에서는 어떻게 하나요?",
];
const SEARCHES_EN: [(&str, bool); 6] = [
    ("refund", true),
    ("invoice", true),
    ("currency", true),
    ("payroll", false),
    ("bank feed", false),
    ("export csv", true),
];
const SEARCHES_KO: [(&str, bool); 4] = [
    ("환불", true),
    ("인보이스", true),
    ("급여", false),
    ("세금계산서", false),
];

/// The help center's side of the story: article views, votes (a few with
/// what was missing), and searches, some that found nothing. `scale` is
/// about one reader per thirty responses.
pub async fn write_help(
    store: &dyn Store,
    site: &Slug,
    responses: usize,
    seed: u64,
) -> Result<(), StoreError> {
    use crate::store::Vote;
    use sori_protocol::Locale;
    let mut rng = Rng::with_seed(seed);
    let articles = store.articles(site, None).await?;
    if articles.is_empty() {
        return Ok(());
    }
    for _ in 0..responses / 30 {
        let a = &articles[rng.usize(..articles.len())];
        store.count_article_view(site, a.locale, &a.id).await?;
        if rng.f64() < 0.4 {
            let helpful = rng.f64() < 0.72;
            let reason = (!helpful && rng.f64() < 0.5).then(|| {
                let bank = if a.locale == Locale::Ko {
                    &MISSING_KO
                } else {
                    &MISSING_EN
                };
                bank[rng.usize(..bank.len())].to_owned()
            });
            let vote = Vote {
                locale: a.locale,
                article: a.id.clone(),
                respondent: uuid::Uuid::from_bytes(std::array::from_fn(|_| rng.u8(..))),
                helpful,
                reason,
            };
            store.put_vote(site, &vote).await?;
        }
        if rng.f64() < 0.5 {
            let (locale, (query, found)) = if rng.f64() < 0.4 {
                (Locale::Ko, SEARCHES_KO[rng.usize(..SEARCHES_KO.len())])
            } else {
                (Locale::En, SEARCHES_EN[rng.usize(..SEARCHES_EN.len())])
            };
            store
                .count_search(site, locale, query, usize::from(found))
                .await?;
        }
    }
    Ok(())
}
