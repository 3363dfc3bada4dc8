//! Who may use the admin API: users, roles per site, sessions, API tokens.

#![allow(clippy::unwrap_used)] // a test should panic at the step that failed

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sori_tests::app::{SITE, TestApp};

const OTHER: &str = "other";
const PASSWORD: &str = "long enough password";

/// Every admin route, with a body that would be accepted, on `site`.
fn admin_routes(site: &str) -> Vec<(Method, String)> {
    let s = format!("/v1/admin/sites/{site}");
    vec![
        (Method::GET, "/v1/admin/sites".to_owned()),
        (Method::GET, "/v1/admin/users".to_owned()),
        (Method::POST, "/v1/admin/users".to_owned()),
        (Method::PUT, "/v1/admin/sites/brand-new".to_owned()),
        (Method::GET, s.clone()),
        (Method::PUT, s.clone()),
        (Method::GET, format!("{s}/summary")),
        (Method::GET, format!("{s}/surveys")),
        (Method::POST, format!("{s}/surveys")),
        (Method::GET, format!("{s}/surveys/checkout")),
        (Method::PUT, format!("{s}/surveys/checkout")),
        (Method::DELETE, format!("{s}/surveys/checkout")),
        (Method::POST, format!("{s}/surveys/checkout/activate")),
        (Method::POST, format!("{s}/surveys/checkout/pause")),
        (Method::GET, format!("{s}/faq")),
        (Method::GET, format!("{s}/faq/stats")),
        (Method::GET, format!("{s}/faq/insights")),
        (Method::PUT, format!("{s}/faq/en/refunds")),
        (Method::DELETE, format!("{s}/faq/en/refunds")),
        (Method::GET, format!("{s}/trend?scale=csat")),
        (Method::GET, format!("{s}/compare?scale=csat")),
        (Method::GET, format!("{s}/breakdown?scale=csat&by=device")),
        (Method::GET, format!("{s}/events")),
        (Method::GET, format!("{s}/responses")),
        (Method::GET, format!("{s}/responses.csv")),
        (
            Method::GET,
            format!("{s}/responses/0199b0c4-0000-7000-8000-000000000000"),
        ),
        (Method::GET, format!("{s}/members")),
        (Method::POST, format!("{s}/members")),
        (Method::DELETE, format!("{s}/members/someone")),
    ]
}

/// A collector with sites `acme` and `other`, and one user per role.
struct People {
    app: TestApp,
}

impl People {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let site = json!({"key": OTHER, "name": "Other", "allowed_origins": [],
                          "default_locale": "en", "time_zone": "UTC"});
        let r = app
            .admin(Method::PUT, &format!("/v1/admin/sites/{OTHER}"), Some(site))
            .await;
        assert_eq!(r.status(), 200);
        for (email, site, role) in [
            ("viewer@acme.test", SITE, "viewer"),
            ("admin@acme.test", SITE, "admin"),
            ("admin@other.test", OTHER, "admin"),
        ] {
            let r = app
                .admin(
                    Method::POST,
                    "/v1/admin/users",
                    Some(json!({"email": email, "password": PASSWORD})),
                )
                .await;
            assert_eq!(r.status(), 201, "creating {email}");
            let r = app
                .admin(
                    Method::POST,
                    &format!("/v1/admin/sites/{site}/members"),
                    Some(json!({"email": email, "role": role})),
                )
                .await;
            assert_eq!(r.status(), 200, "making {email} {role}");
        }
        Self { app }
    }

    fn own_origin(&self) -> String {
        self.app.url.clone()
    }

    /// Signs in and returns the session cookie's `name=value`.
    async fn login(&self, email: &str) -> String {
        let r = self.login_with(email, PASSWORD, None).await;
        assert_eq!(r.status(), 200, "signing in as {email}");
        session_of(&r).unwrap()
    }

    async fn login_with(
        &self,
        email: &str,
        password: &str,
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .app
            .http
            .post(format!("{}/v1/auth/login", self.app.url))
            .header("origin", self.own_origin())
            .json(&json!({"email": email, "password": password}));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send().await.unwrap()
    }

    /// A request signed in by `cookie`, from the collector's own origin.
    async fn with_session(
        &self,
        cookie: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self
            .app
            .http
            .request(method, format!("{}{path}", self.app.url))
            .header("cookie", cookie)
            .header("origin", self.own_origin());
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }
}

/// The `name=value` of the session cookie a response sets.
fn session_of(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sori_session="))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

fn body_for(method: &Method) -> Option<Value> {
    (*method != Method::GET && *method != Method::DELETE).then(|| json!({}))
}

async fn code_of(r: reqwest::Response) -> (StatusCode, String) {
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_owned(),
    )
}

#[tokio::test]
async fn every_admin_route_refuses_anonymous_and_wrong_credentials() {
    let people = People::new().await;
    let app = &people.app;
    for (method, path) in admin_routes(SITE) {
        let wrong_cookie =
            "sori_session=0000000000000000000000000000000000000000000000000000000000000000";
        for (label, auth, cookie) in [
            ("anonymous", None, None),
            ("a wrong token", Some("not-the-admin-token-at-all"), None),
            (
                "an unknown API token",
                Some("sori_pat_0123456789abcdef"),
                None,
            ),
            ("a made-up session", None, Some(wrong_cookie)),
        ] {
            let mut request = app
                .http
                .request(method.clone(), format!("{}{path}", app.url))
                .header("origin", people.own_origin());
            if let Some(token) = auth {
                request = request.bearer_auth(token);
            }
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            if let Some(body) = body_for(&method) {
                request = request.json(&body);
            }
            let (status, code) = code_of(request.send().await.unwrap()).await;
            assert_eq!(
                (status.as_u16(), code.as_str()),
                (401, "unauthorized"),
                "{method} {path} with {label}"
            );
        }
    }
}

/// An admin of one site reads and changes nothing of another: its routes
/// answer as if the site did not exist, the owner-only ones 403.
#[tokio::test]
async fn an_admin_of_another_site_reads_nothing_of_this_one() {
    let people = People::new().await;
    let cookie = people.login("admin@other.test").await;
    for (method, path) in admin_routes(SITE) {
        let r = people
            .with_session(&cookie, method.clone(), &path, body_for(&method))
            .await;
        let (status, code) = code_of(r).await;
        let expected = match path.as_str() {
            "/v1/admin/sites" => (200, ""),
            "/v1/admin/users" | "/v1/admin/sites/brand-new" => (403, "forbidden"),
            _ => (404, "unknown_site"),
        };
        assert_eq!(
            (status.as_u16(), code.as_str()),
            expected,
            "{method} {path}"
        );
    }
    let sites: Value = people
        .with_session(&cookie, Method::GET, "/v1/admin/sites", None)
        .await
        .json()
        .await
        .unwrap();
    let keys: Vec<&str> = sites
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, [OTHER]);
}

/// A viewer reads its site and changes nothing; an admin changes it.
#[tokio::test]
async fn a_viewer_reads_and_an_admin_manages() {
    let people = People::new().await;
    let viewer = people.login("viewer@acme.test").await;
    let admin = people.login("admin@acme.test").await;
    let summary = format!("/v1/admin/sites/{SITE}/summary");
    let r = people
        .with_session(&viewer, Method::GET, &summary, None)
        .await;
    assert_eq!(r.status(), 200);
    let pause = format!("/v1/admin/sites/{SITE}/surveys/checkout/pause");
    let (status, code) = code_of(
        people
            .with_session(&viewer, Method::POST, &pause, None)
            .await,
    )
    .await;
    assert_eq!((status.as_u16(), code.as_str()), (403, "forbidden"));
    let r = people
        .with_session(&admin, Method::POST, &pause, None)
        .await;
    assert_eq!(r.status(), 200);
    let members: Value = people
        .with_session(
            &admin,
            Method::GET,
            &format!("/v1/admin/sites/{SITE}/members"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let roles: Vec<(&str, &str)> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        roles,
        [("admin@acme.test", "admin"), ("viewer@acme.test", "viewer")]
    );
}

/// The cookie is HttpOnly and SameSite=Strict; a session id planted in the
/// browser before sign-in is not the one signed in, and signing in again
/// ends the previous session.
#[tokio::test]
async fn sign_in_rotates_the_session_and_the_cookie_is_locked_down() {
    let people = People::new().await;
    let planted = "sori_session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let r = people
        .login_with("viewer@acme.test", PASSWORD, Some(planted))
        .await;
    assert_eq!(r.status(), 200);
    let set = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=604800"] {
        assert!(set.contains(attribute), "{attribute} missing: {set}");
    }
    assert!(!set.contains("Secure"), "Secure on plain http: {set}");
    let first = session_of(&r).unwrap();
    assert_ne!(first, planted);
    assert_eq!(first.len(), "sori_session=".len() + 64);
    let me = |cookie: String| {
        let people = &people;
        async move {
            people
                .with_session(&cookie, Method::GET, "/v1/auth/me", None)
                .await
                .status()
        }
    };
    assert_eq!(me(planted.to_owned()).await, 401);
    assert_eq!(me(first.clone()).await, 200);
    let second = session_of(
        &people
            .login_with("viewer@acme.test", PASSWORD, Some(&first))
            .await,
    )
    .unwrap();
    assert_ne!(second, first);
    assert_eq!(me(first).await, 401, "the earlier session still works");
    assert_eq!(me(second).await, 200);
}

/// Logging out ends the session on the server: a copy of the cookie kept
/// elsewhere no longer works. An expired session does not work either.
#[tokio::test]
async fn logout_and_expiry_end_a_session() {
    let people = People::new().await;
    let cookie = people.login("viewer@acme.test").await;
    let r = people
        .with_session(&cookie, Method::POST, "/v1/auth/logout", None)
        .await;
    assert_eq!(r.status(), 204);
    let cleared = r.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let r = people
        .with_session(&cookie, Method::GET, "/v1/auth/me", None)
        .await;
    assert_eq!(r.status(), 401);

    let store = sori_collector::store::connect(&people.app.database_url)
        .await
        .unwrap();
    let user = store
        .user_by_email("viewer@acme.test")
        .await
        .unwrap()
        .unwrap();
    let id = "b".repeat(64);
    let past = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
    store
        .create_session(&sori_collector::accounts::secret_hash(&id), &user.id, past)
        .await
        .unwrap();
    let r = people
        .with_session(
            &format!("sori_session={id}"),
            Method::GET,
            "/v1/auth/me",
            None,
        )
        .await;
    assert_eq!(r.status(), 401, "an expired session was accepted");
}

/// A signed-in browser's changes must come from the collector's own pages.
#[tokio::test]
async fn a_signed_in_change_from_another_origin_is_refused() {
    let people = People::new().await;
    let cookie = people.login("admin@acme.test").await;
    let pause = format!(
        "{}/v1/admin/sites/{SITE}/surveys/checkout/pause",
        people.app.url
    );
    for origin in [Some("https://evil.example"), None] {
        let mut request = people.app.http.post(&pause).header("cookie", &cookie);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let (status, code) = code_of(request.send().await.unwrap()).await;
        assert_eq!(
            (status.as_u16(), code.as_str()),
            (403, "origin_not_allowed"),
            "{origin:?}"
        );
    }
    // Reads need no Origin: a link to the dashboard opens it.
    let r = people
        .app
        .http
        .get(format!("{}/v1/admin/sites/{SITE}/summary", people.app.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = people
        .app
        .http
        .post(format!("{}/v1/auth/login", people.app.url))
        .header("origin", "https://evil.example")
        .json(&json!({"email": "admin@acme.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a login form on another site signed in");
}

/// Ten attempts on one account, then it waits, right password or not.
#[tokio::test]
async fn logins_are_throttled_per_account() {
    let people = People::new().await;
    for _ in 0..10 {
        let (status, code) = code_of(
            people
                .login_with("viewer@acme.test", "wrong password!", None)
                .await,
        )
        .await;
        assert_eq!((status.as_u16(), code.as_str()), (401, "unauthorized"));
    }
    let r = people.login_with("viewer@acme.test", PASSWORD, None).await;
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=91).contains(&wait), "{wait}");
    // Another account from elsewhere is not held up by it.
    assert_eq!(
        people
            .login_with("admin@acme.test", PASSWORD, None)
            .await
            .status(),
        200
    );
}

/// A personal token works like its user, is shown once, and stops working
/// when revoked.
#[tokio::test]
async fn an_api_token_is_shown_once_and_can_be_revoked() {
    let people = People::new().await;
    let cookie = people.login("viewer@acme.test").await;
    let r = people
        .with_session(
            &cookie,
            Method::POST,
            "/v1/admin/tokens",
            Some(json!({"name": "nightly export"})),
        )
        .await;
    assert_eq!(r.status(), 201);
    let made: Value = r.json().await.unwrap();
    let token = made["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("sori_pat_"), "{token}");
    let summary = format!("{}/v1/admin/sites/{SITE}/summary", people.app.url);
    let by_token = |token: String| {
        let http = people.app.http.clone();
        let summary = summary.clone();
        async move {
            http.get(summary)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(by_token(token.clone()).await, 200);
    let listed: Value = people
        .with_session(&cookie, Method::GET, "/v1/admin/tokens", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["name"], "nightly export");
    assert!(listed[0]["last_used_at"].is_string(), "{listed}");
    assert!(
        !listed.to_string().contains(&token),
        "the token was shown again"
    );
    // A viewer's token is a viewer: it changes nothing.
    let pause = format!(
        "{}/v1/admin/sites/{SITE}/surveys/checkout/pause",
        people.app.url
    );
    let r = people
        .app
        .http
        .post(&pause)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let id = made["id"].as_str().unwrap();
    let r = people
        .with_session(
            &cookie,
            Method::DELETE,
            &format!("/v1/admin/tokens/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(by_token(token).await, 401);
}
