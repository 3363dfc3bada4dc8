//! The CX dashboard: sign in, pick a site, read its scores with their
//! intervals and how they moved, and read every answer. Served by the
//! collector at `/dashboard/`; every figure comes from the same admin API
//! scripts use.
//!
//! Pages are chosen by the URL's fragment (`#/sites/acme`,
//! `#/sites/acme/responses`, `#/sites/acme/breakdown`), so the collector
//! serves one page and the browser's back button works.

mod api;
mod breakdown;
mod catalog;
mod chart;
mod compare;
mod help;
mod i18n;
mod overview;
mod people;
mod responses;
mod users;

use api::{Failure, Login, Me};
use i18n::{Lang, Text};
use leptos::either::{Either, EitherOf4, EitherOf6};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// Which page is on screen, from the URL's fragment.
#[derive(Clone, Debug, PartialEq)]
enum Route {
    Sites,
    Overview(String),
    Responses(String),
    Breakdown(String),
    Help(String),
    Members(String),
    Compare(String),
    Tokens,
}

impl Route {
    fn from_hash(hash: &str) -> Self {
        let parts: Vec<&str> = hash
            .trim_start_matches('#')
            .split('/')
            .filter(|p| !p.is_empty())
            .collect();
        match parts.as_slice() {
            ["sites", key] => Route::Overview((*key).to_owned()),
            ["sites", key, "responses"] => Route::Responses((*key).to_owned()),
            ["sites", key, "breakdown"] => Route::Breakdown((*key).to_owned()),
            ["sites", key, "help"] => Route::Help((*key).to_owned()),
            ["sites", key, "members"] => Route::Members((*key).to_owned()),
            ["sites", key, "compare"] => Route::Compare((*key).to_owned()),
            ["tokens"] => Route::Tokens,
            _ => Route::Sites,
        }
    }

    fn current() -> Self {
        let hash = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        Self::from_hash(&hash)
    }
}

/// What every page shares, in leptos context.
#[derive(Clone, Copy)]
pub(crate) struct App {
    lang: RwSignal<Lang>,
    route: RwSignal<Route>,
    /// `None` until known; `Some(None)` when nobody is signed in.
    me: RwSignal<Option<Option<Me>>>,
}

impl App {
    pub(crate) fn text(self) -> &'static Text {
        self.lang.get().text()
    }

    pub(crate) fn lang(self) -> Lang {
        self.lang.get()
    }
}

pub(crate) fn use_app() -> App {
    use_context::<App>().unwrap_or_else(|| panic!("the dashboard's context is provided at mount"))
}

/// The language the page was last read in, else the browser's.
fn first_lang() -> Lang {
    let window = web_sys::window();
    let saved = window
        .as_ref()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item("sori:dashboard:lang").ok().flatten());
    let browser = window.and_then(|w| w.navigator().language());
    match saved.or(browser).as_deref() {
        Some(l) if l.starts_with("ko") => Lang::Ko,
        _ => Lang::En,
    }
}

fn set_document_lang(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.code());
    }
}

#[wasm_bindgen(start)]
pub fn start() {
    // A bug says what it was in the browser's console, not just "unreachable".
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&JsValue::from_str(&info.to_string()));
    }));
    let app = App {
        lang: RwSignal::new(first_lang()),
        route: RwSignal::new(Route::current()),
        me: RwSignal::new(None),
    };
    let on_hash = Closure::<dyn Fn()>::new(move || app.route.set(Route::current()));
    if let Some(window) = web_sys::window() {
        let _ =
            window.add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
    }
    on_hash.forget();
    leptos::mount::mount_to_body(move || {
        provide_context(app);
        // Inside the mount: leptos starts its task executor there.
        leptos::task::spawn_local(async move {
            let me = api::get::<Me>("/v1/auth/me").await.ok();
            app.me.set(Some(me));
        });
        Effect::new(move || set_document_lang(app.lang.get()));
        view! { <Shell/> }
    });
}

#[component]
fn Shell() -> impl IntoView {
    let app = use_app();
    let switch = move |_| {
        let next = match app.lang.get_untracked() {
            Lang::En => Lang::Ko,
            Lang::Ko => Lang::En,
        };
        if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = s.set_item("sori:dashboard:lang", next.code());
        }
        app.lang.set(next);
    };
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            let _ = api::post_empty("/v1/auth/logout").await;
            app.me.set(Some(None));
        });
    };
    let signed_in = move || matches!(app.me.get(), Some(Some(_)));
    view! {
        <header class="top">
            <a class="brand" href="#/">{move || app.text().product}</a>
            <div class="top-actions">
                <button type="button" class="link" on:click=switch lang=move || match app.lang() { Lang::En => "ko", Lang::Ko => "en" }>
                    {move || app.text().other_language}
                </button>
                <Show when=signed_in>
                    <a href="#/tokens">{move || app.text().tokens_link}</a>
                    <span class="who">{move || app.me.get().flatten().and_then(|m| m.email).unwrap_or_default()}</span>
                    <button type="button" class="link" on:click=sign_out>{move || app.text().sign_out}</button>
                </Show>
            </div>
        </header>
        <main id="main">
            {move || match app.me.get() {
                None => EitherOf4::A(view! { <p class="quiet" role="status">{app.text().loading}</p> }),
                Some(None) => EitherOf4::B(view! { <LoginPage/> }),
                Some(Some(me)) => match app.route.get() {
                    Route::Sites => EitherOf4::C(Either::Left(view! { <SitesPage me=me/> })),
                    Route::Tokens => EitherOf4::C(Either::Right(view! { <people::Tokens/> })),
                    route => EitherOf4::D(view! { <SitePage route=route/> }),
                },
            }}
        </main>
    }
}

#[component]
fn LoginPage() -> impl IntoView {
    let app = use_app();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<&'static str>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        let login = Login {
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            let answer = api::post::<Me>("/v1/auth/login", &login).await;
            busy.set(false);
            let text = app.lang.get_untracked().text();
            match answer {
                Ok(me) => app.me.set(Some(Some(me))),
                Err(Failure { status: 401, .. }) => problem.set(Some(text.wrong_password)),
                Err(Failure { status: 429, .. }) => problem.set(Some(text.too_many)),
                Err(_) => problem.set(Some(text.unreachable)),
            }
        });
    };
    view! {
        <section class="login">
            <h1>{move || app.text().sign_in}</h1>
            <form on:submit=submit novalidate>
                <label for="email">{move || app.text().email}</label>
                <input id="email" type="email" autocomplete="username" required
                    aria-invalid=move || problem.get().is_some().to_string()
                    aria-describedby="sign-in-problem"
                    prop:value=email on:input:target=move |ev| email.set(ev.target().value())/>
                <label for="password">{move || app.text().password}</label>
                <input id="password" type="password" autocomplete="current-password" required
                    aria-invalid=move || problem.get().is_some().to_string()
                    aria-describedby="sign-in-problem"
                    prop:value=password on:input:target=move |ev| password.set(ev.target().value())/>
                <p id="sign-in-problem" class="problem" role="alert">{move || problem.get().unwrap_or("")}</p>
                <button type="submit" class="primary" aria-disabled=move || busy.get().to_string()>
                    {move || if busy.get() { app.text().signing_in } else { app.text().sign_in }}
                </button>
            </form>
        </section>
    }
}

#[component]
fn SitesPage(me: Me) -> impl IntoView {
    let app = use_app();
    let empty = me.sites.is_empty();
    view! {
        <h1>{move || app.text().sites}</h1>
        <Show when=move || empty>
            <p>{move || app.text().no_sites}</p>
        </Show>
        <ul class="sites">
            {me.sites.into_iter().map(|s| view! { <SiteRow site=s.site role=s.role/> }).collect_view()}
        </ul>
    }
}

/// A site in the list: today's satisfaction and the last two weeks as a
/// sparkline, fetched on their own so a slow site holds up no other.
#[component]
fn SiteRow(site: String, role: String) -> impl IntoView {
    let app = use_app();
    let href = format!("#/sites/{}", api::encode(&site));
    let trend = RwSignal::new(None::<api::Trend>);
    let path = format!(
        "/v1/admin/sites/{}/trend?scale=csat&granularity=day&from={}",
        api::encode(&site),
        days_ago(13)
    );
    leptos::task::spawn_local(async move {
        if let Ok(t) = api::get::<api::Trend>(&path).await {
            trend.set(Some(t));
        }
    });
    let role_text = move || match role.as_str() {
        "admin" => app.text().admin,
        _ => app.text().viewer,
    };
    view! {
        <li>
            <a href=href>{site.clone()}</a>
            " "<span class="quiet">{role_text}</span>
            {move || trend.get().map(|t| {
                let today = t.points.last().cloned();
                let text = app.text();
                let figure = today
                    .map(|p| match p.figure.score {
                        Some(score) => format!("{} {}% ({})", text.today_csat, number(score), app.lang().answers(p.figure.n)),
                        None => format!("{} –", text.today_csat),
                    })
                    .unwrap_or_default();
                view! {
                    <span class="today">{figure}</span>
                    <chart::Sparkline points=t.points.clone() label=text.last_two_weeks/>
                }
            })}
        </li>
    }
}

/// The date `days` days before today, in the browser's calendar: a
/// sparkline's start (the collector reads it in the site's zone).
fn days_ago(days: u32) -> String {
    let now = js_sys::Date::new_0();
    let then = js_sys::Date::new(&JsValue::from_f64(
        now.get_time() - f64::from(days) * 86_400_000.0,
    ));
    format!(
        "{:04}-{:02}-{:02}",
        then.get_full_year(),
        then.get_month() + 1,
        then.get_date()
    )
}

/// A site's pages under one heading with their navigation.
#[component]
fn SitePage(route: Route) -> impl IntoView {
    let app = use_app();
    let key = match &route {
        Route::Overview(key)
        | Route::Responses(key)
        | Route::Breakdown(key)
        | Route::Help(key)
        | Route::Members(key)
        | Route::Compare(key) => key.clone(),
        Route::Sites | Route::Tokens => String::new(),
    };
    let base = format!("#/sites/{}", api::encode(&key));
    let link = |href: String, here: bool, text: fn(&Text) -> &'static str| {
        view! {
            <a href=href aria-current=here.then_some("page")>{move || text(app.text())}</a>
        }
    };
    // A new page takes the focus to its heading, as a page load would.
    let heading = NodeRef::<leptos::html::H1>::new();
    Effect::new(move || {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let here = |r: fn(&Route) -> bool| r(&route);
    let (on_overview, on_responses, on_breakdown, on_compare, on_help, on_members) = (
        here(|r| matches!(r, Route::Overview(_))),
        here(|r| matches!(r, Route::Responses(_))),
        here(|r| matches!(r, Route::Breakdown(_))),
        here(|r| matches!(r, Route::Compare(_))),
        here(|r| matches!(r, Route::Help(_))),
        here(|r| matches!(r, Route::Members(_))),
    );
    let page = match route {
        Route::Responses(_) => EitherOf6::B(view! { <responses::Responses site=key.clone()/> }),
        Route::Help(_) => EitherOf6::C(view! { <help::Help site=key.clone()/> }),
        Route::Members(_) => EitherOf6::D(view! { <people::Members site=key.clone()/> }),
        Route::Compare(_) => EitherOf6::E(view! { <compare::Compare site=key.clone()/> }),
        Route::Breakdown(_) => EitherOf6::F(view! { <breakdown::Breakdowns site=key.clone()/> }),
        _ => EitherOf6::A(view! { <overview::Overview site=key.clone()/> }),
    };
    view! {
        <nav class="site-nav" aria-label=move || app.text().main_nav>
            <a href="#/">{move || app.text().sites}</a>
            <span aria-hidden="true">" / "</span>
            {link(base.clone(), on_overview, |t| t.overview)}
            {link(format!("{base}/responses"), on_responses, |t| t.responses)}
            {link(format!("{base}/breakdown"), on_breakdown, |t| t.breakdowns)}
            {link(format!("{base}/compare"), on_compare, |t| t.compare_page)}
            {link(format!("{base}/help"), on_help, |t| t.help_center)}
            {link(format!("{base}/members"), on_members, |t| t.members)}
        </nav>
        <h1 tabindex="-1" node_ref=heading>{key.clone()}</h1>
        {page}
    }
}

/// A session that has ended (expired, or signed out elsewhere) shows the
/// sign-in page, not a failure.
pub(crate) fn signed_out_if(app: App, failure: &Failure) {
    if failure.status == 401 {
        app.me.set(Some(None));
    }
}

/// A figure with one decimal, or none when it is whole.
pub(crate) fn number(value: f64) -> String {
    if value.fract().abs() < 0.005 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}
