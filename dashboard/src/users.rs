//! Creating a user, for instance owners, on the members page: email,
//! password and whether they are an owner too. The API says what is wrong
//! (a short password, a taken email) and that is shown at the field it is
//! about; once made, the page offers to give them a role on this site
//! through the members form beside it.

use crate::api::{self, Failure, User};
use crate::use_app;
use leptos::prelude::*;

/// What the API said is wrong, by the input it is about; empty when
/// nothing is.
#[derive(Clone, Copy)]
struct Problems {
    email: RwSignal<String>,
    password: RwSignal<String>,
    other: RwSignal<String>,
}

impl Problems {
    fn clear(self) {
        for p in [self.email, self.password, self.other] {
            p.set(String::new());
        }
    }

    fn say(self, failure: &Failure, message: String) {
        let at = match failure.field.as_deref() {
            Some("email") => self.email,
            Some("password") => self.password,
            // A taken email is a 409 that names no field.
            _ if failure.status == 409 => self.email,
            _ => self.other,
        };
        at.set(message);
    }
}

/// The form. `offer` is called with the new user's email when the owner
/// takes up the offer to give them a role here.
#[component]
pub fn NewUser(
    site: String,
    offer: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let app = use_app();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let owner = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let problems = Problems {
        email: RwSignal::new(String::new()),
        password: RwSignal::new(String::new()),
        other: RwSignal::new(String::new()),
    };
    let created = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problems.clear();
        created.set(None);
        let body = api::NewUser {
            email: email.get_untracked(),
            password: password.get_untracked(),
            owner: owner.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            let answer = api::post::<User>("/v1/admin/users", &body).await;
            busy.set(false);
            match answer {
                Ok(user) => {
                    email.set(String::new());
                    password.set(String::new());
                    owner.set(false);
                    created.set(Some(user.email));
                }
                Err(failure) => {
                    crate::signed_out_if(app, &failure);
                    let t = app.lang.get_untracked().text();
                    let message = match failure.status {
                        0 => t.unreachable.to_owned(),
                        _ if failure.message.is_empty() => t.failed.to_owned(),
                        _ => failure.message.clone(),
                    };
                    problems.say(&failure, message);
                }
            }
        });
    };
    let invalid = move |p: RwSignal<String>| move || p.with(|p| (!p.is_empty()).then_some("true"));
    let done = move || {
        created
            .get()
            .map(|e| app.lang().user_created(&e))
            .unwrap_or_default()
    };
    let take_offer = move |_| {
        if let Some(e) = created.get_untracked() {
            created.set(None);
            offer(e);
        }
    };
    view! {
        <section class="new-user" aria-labelledby="new-user-title">
            <h2 id="new-user-title">{move || app.text().new_user}</h2>
            <p class="quiet">{move || app.text().new_user_about}</p>
            <form class="inline-form" on:submit=submit novalidate>
                <label for="new-user-email">{move || app.text().email}</label>
                <input id="new-user-email" type="email" autocomplete="off" required
                    aria-invalid=invalid(problems.email) aria-describedby="new-user-email-problem"
                    prop:value=email on:input:target=move |ev| email.set(ev.target().value())/>
                <p id="new-user-email-problem" class="problem collapse" role="alert">{problems.email}</p>
                <label for="new-user-password">{move || app.text().password}</label>
                <input id="new-user-password" type="password" autocomplete="new-password" required
                    aria-invalid=invalid(problems.password) aria-describedby="new-user-password-problem"
                    prop:value=password on:input:target=move |ev| password.set(ev.target().value())/>
                <p id="new-user-password-problem" class="problem collapse" role="alert">{problems.password}</p>
                <label class="check" for="new-user-owner">
                    <input id="new-user-owner" type="checkbox" prop:checked=owner
                        on:change:target=move |ev| owner.set(ev.target().checked())/>
                    {move || app.text().instance_owner}
                </label>
                <button type="submit" class="primary" aria-disabled=move || busy.get().to_string()>
                    {move || app.text().create_user}
                </button>
                <p class="problem collapse" role="alert">{problems.other}</p>
            </form>
            <p class="done collapse" role="status">{done}</p>
            {move || created.get().is_some().then(|| {
                let label = app.lang().give_role_on(&site);
                view! { <button type="button" class="offer" on:click=take_offer>{label}</button> }
            })}
        </section>
    }
}
