//! The collector's API as the dashboard reads it: same-origin requests
//! (the session cookie goes along by itself), JSON in and out, and the
//! shapes of the answers it shows. The dashboard uses exactly the API that
//! scripts use; nothing here is private to it.

use crate::i18n::Lang;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// A request that did not give what was asked: the HTTP status (0 when the
/// collector could not be reached), the API's message, and the field it
/// names when one input was wrong (`email`, `from`), so a form can mark it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Failure {
    pub status: u16,
    pub message: String,
    pub field: Option<String>,
}

impl Failure {
    fn offline() -> Self {
        Self::default()
    }
}

async fn send(method: &str, path: &str, body: Option<String>) -> Result<Response, Failure> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(&body));
    }
    let request = Request::new_with_str_and_init(path, &init).map_err(|_| Failure::offline())?;
    if method != "GET" {
        let _ = request.headers().set("content-type", "application/json");
    }
    let window = web_sys::window().ok_or_else(Failure::offline)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| Failure::offline())?
        .unchecked_into();
    if response.ok() {
        return Ok(response);
    }
    let detail = match response.json() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| serde_wasm_bindgen::from_value::<ErrorBody>(v).ok())
            .map(|e| e.error),
        Err(_) => None,
    };
    let (message, field) = detail.map_or_else(Default::default, |d| (d.message, d.field));
    Err(Failure {
        status: response.status(),
        message,
        field,
    })
}

async fn json<T: DeserializeOwned>(response: Response) -> Result<T, Failure> {
    let promise = response.json().map_err(|_| Failure::offline())?;
    let value = JsFuture::from(promise)
        .await
        .map_err(|_| Failure::offline())?;
    serde_wasm_bindgen::from_value(value).map_err(|e| Failure {
        status: 200,
        message: e.to_string(),
        field: None,
    })
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    json(send("GET", path, None).await?).await
}

pub async fn post<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, Failure> {
    let body = serde_json_string(body)?;
    json(send("POST", path, Some(body)).await?).await
}

/// A DELETE; its answer has no body (204).
pub async fn delete(path: &str) -> Result<(), Failure> {
    send("DELETE", path, None).await.map(|_| ())
}

/// A POST whose answer has no body (204).
pub async fn post_empty(path: &str) -> Result<(), Failure> {
    send("POST", path, Some("{}".into())).await.map(|_| ())
}

fn serde_json_string(body: &impl Serialize) -> Result<String, Failure> {
    let value = serde_wasm_bindgen::to_value(body).map_err(|_| Failure::offline())?;
    js_sys::JSON::stringify(&value)
        .map(String::from)
        .map_err(|_| Failure::offline())
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
    #[serde(default)]
    field: Option<String>,
}

/// `GET /v1/auth/me`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Me {
    pub email: Option<String>,
    pub owner: bool,
    pub sites: Vec<SiteRole>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SiteRole {
    pub site: String,
    pub role: String,
}

#[derive(Serialize)]
pub struct Login {
    pub email: String,
    pub password: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// A score with its sample: what every figure of the API carries.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Figure {
    pub n: u64,
    pub score: Option<f64>,
    pub ci95: Option<Interval>,
    pub low_sample: bool,
    /// How many gave each answer, lowest first, where the API gives it.
    #[serde(default)]
    pub distribution: Vec<u64>,
}

/// `GET …/summary`: the site's headline scores.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Summary {
    pub csat: Figure,
    pub nps: Figure,
    pub ces: Figure,
}

/// `GET …/trend`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Trend {
    pub points: Vec<Point>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Point {
    pub date: String,
    #[serde(flatten)]
    pub figure: Figure,
}

/// `GET …/compare`: two sides and the difference of `a` from `b`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Comparison {
    pub a: Side,
    pub b: Side,
    pub difference: Difference,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Side {
    pub from: String,
    pub to: String,
    pub survey: Option<String>,
    pub locale: Option<String>,
    pub device: Option<String>,
    #[serde(flatten)]
    pub figure: Figure,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Difference {
    pub difference: Option<f64>,
    pub ci95: Option<Interval>,
    pub significant: bool,
    /// Either side has fewer than 30 answers.
    pub low_sample: bool,
}

/// `GET …/breakdown`: a figure per segment, most answers first.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Breakdown {
    /// The days it covers, both included, in the site's time zone.
    pub from: String,
    pub to: String,
    /// With `by=attribute`: the attribute's name.
    #[serde(default)]
    pub attribute: Option<String>,
    pub segments: Vec<Segment>,
    /// How many segments beyond those listed were left out.
    #[serde(default)]
    pub other_segments: u64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Segment {
    pub segment: String,
    #[serde(flatten)]
    pub figure: Figure,
}

/// `GET …/surveys`: a survey as the dashboard names it; the rest of its
/// definition (trigger, targeting) is not read here.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SurveyInfo {
    pub id: String,
    /// The author's name for it, meant for the dashboard.
    pub name: String,
    pub questions: Vec<QuestionInfo>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct QuestionInfo {
    pub id: String,
    /// `csat`, `nps`, `ces`, `yes_no`, `rating`, `text`, …
    pub kind: String,
    pub prompt: Localized,
}

/// A text in each language it was written in.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Localized {
    pub en: Option<String>,
    pub ko: Option<String>,
}

impl Localized {
    /// The text in `lang`, else in the other language.
    pub fn get(&self, lang: Lang) -> Option<&str> {
        let (first, second) = match lang {
            Lang::En => (&self.en, &self.ko),
            Lang::Ko => (&self.ko, &self.en),
        };
        first.as_deref().or(second.as_deref())
    }
}

/// `GET …/faq/insights`: the help center's figures.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct HelpInsights {
    pub views: u64,
    pub helpful: Figure,
    pub searches: u64,
    pub no_result_searches: u64,
    pub handoffs: u64,
    pub top_articles: Vec<ArticleFigures>,
    pub top_unanswered: Vec<QueryFigures>,
    pub missing: Vec<Missing>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ArticleFigures {
    pub id: String,
    pub locale: String,
    pub title: String,
    pub views: u64,
    pub handoffs: u64,
    pub helpful_rate: Figure,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct QueryFigures {
    pub query: String,
    pub locale: String,
    pub no_results: u64,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Missing {
    pub locale: String,
    pub title: String,
    pub reason: String,
    pub voted_at: String,
}

/// `GET …/members`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Member {
    pub user_id: String,
    pub email: String,
    pub role: String,
}

#[derive(Serialize)]
pub struct NewMember {
    pub email: String,
    pub role: String,
}

/// `POST /v1/admin/users`: a new user. Owners create them; a site's
/// admins then give them a role.
#[derive(Serialize)]
pub struct NewUser {
    pub email: String,
    pub password: String,
    pub owner: bool,
}

/// A user as the API answers: the email as stored (trimmed, lower case).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct User {
    pub email: String,
}

/// `GET /v1/admin/tokens`: one of your API tokens, never the token itself.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Token {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A token as made: the only time the token is shown.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct MadeToken {
    pub token: String,
}

#[derive(Serialize)]
pub struct NewToken {
    pub name: String,
}

/// `GET …/responses`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Page {
    pub responses: Vec<Shown>,
    pub next_cursor: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Shown {
    pub id: String,
    pub received_at: String,
    pub survey: String,
    pub locale: String,
    pub device: String,
    pub page_path: String,
    pub answers: Vec<Readable>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Readable {
    pub question: String,
    pub prompt: String,
    pub text: String,
    pub band: Option<String>,
}

/// A path segment or query value, percent-encoded.
pub fn encode(raw: &str) -> String {
    String::from(js_sys::encode_uri_component(raw))
}
