//! Who may read and manage a site (its admins add and remove members;
//! instance owners also create users here, `users.rs`), and your own API
//! tokens for scripts: made here, shown once, revocable.

use crate::api::{self, MadeToken, Member, NewMember, NewToken, Token};
use crate::use_app;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn Members(site: String) -> impl IntoView {
    let app = use_app();
    let base = format!("/v1/admin/sites/{}/members", api::encode(&site));
    // `None` while loading; `Some(Err(status))` when refused or failed.
    let members = RwSignal::new(None::<Result<Vec<Member>, u16>>);
    let problem = RwSignal::new(String::new());
    let load = {
        let base = base.clone();
        move || {
            let base = base.clone();
            leptos::task::spawn_local(async move {
                let answer = api::get::<Vec<Member>>(&base).await;
                if let Err(failure) = &answer {
                    crate::signed_out_if(app, failure);
                }
                members.set(Some(answer.map_err(|f| f.status)));
            });
        }
    };
    load();
    let email = RwSignal::new(String::new());
    let role = RwSignal::new("viewer".to_owned());
    let role_select = NodeRef::<leptos::html::Select>::new();
    // A user an owner just made: their email goes into the form below,
    // and the focus to the role to choose for them.
    let offer = move |new: String| {
        problem.set(String::new());
        email.set(new);
        if let Some(select) = role_select.get_untracked() {
            let _ = select.focus();
        }
    };
    let is_owner = move || app.me.get().flatten().is_some_and(|me| me.owner);
    let add = {
        let base = base.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let body = NewMember {
                email: email.get_untracked(),
                role: role.get_untracked(),
            };
            let base = base.clone();
            leptos::task::spawn_local(async move {
                match api::post::<Vec<Member>>(&base, &body).await {
                    Ok(list) => {
                        problem.set(String::new());
                        email.set(String::new());
                        members.set(Some(Ok(list)));
                    }
                    Err(failure) => problem.set(failure.message),
                }
            });
        }
    };
    let remove = move |user_id: String| {
        let path = format!("{base}/{}", api::encode(&user_id));
        let load = load.clone();
        leptos::task::spawn_local(async move {
            match api::delete(&path).await {
                Ok(()) => load(),
                Err(failure) => problem.set(failure.message),
            }
        });
    };
    view! {
        {move || {
            app.lang.track();
            let t = app.text();
            match members.get() {
                None => Either::Left(view! { <p class="quiet" role="status">{t.loading}</p> }),
                Some(Err(403)) => Either::Left(view! { <p class="quiet" role="status">{t.admins_only}</p> }),
                Some(Err(_)) => Either::Left(view! { <p class="problem" role="alert">{t.failed}</p> }),
                Some(Ok(list)) => {
                    let remove = remove.clone();
                    Either::Right(view! {
                        <section class="segment-table">
                            <h2>{t.members}</h2>
                            <table>
                                <thead><tr>
                                    <th scope="col">{t.email}</th>
                                    <th scope="col">{t.role}</th>
                                    <th scope="col"><span class="visually-hidden">{t.actions}</span></th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|m| {
                                        let remove = remove.clone();
                                        let id = m.user_id.clone();
                                        let label = format!("{} {}", t.remove, m.email);
                                        view! {
                                            <tr>
                                                <th scope="row">{m.email.clone()}</th>
                                                <td>{if m.role == "admin" { t.admin } else { t.viewer }}</td>
                                                <td><button type="button" class="secondary" aria-label=label
                                                    on:click=move |_| remove(id.clone())>{t.remove}</button></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                    })
                }
            }
        }}
        <form class="inline-form" on:submit=add>
            <h2>{move || app.text().add_member}</h2>
            <label for="member-email">{move || app.text().email}</label>
            <input id="member-email" type="email" required
                prop:value=email on:input:target=move |ev| email.set(ev.target().value())/>
            <label for="member-role">{move || app.text().role}</label>
            <select id="member-role" node_ref=role_select on:change:target=move |ev| role.set(ev.target().value())>
                <option value="viewer" selected=move || role.get() == "viewer">{move || app.text().viewer}</option>
                <option value="admin" selected=move || role.get() == "admin">{move || app.text().admin}</option>
            </select>
            <button type="submit" class="primary">{move || app.text().add}</button>
            <p class="problem collapse" role="alert">{move || problem.get()}</p>
        </form>
        <Show when=is_owner>
            <crate::users::NewUser site=site.clone() offer=offer/>
        </Show>
    }
}

#[component]
pub fn Tokens() -> impl IntoView {
    let app = use_app();
    let tokens = RwSignal::new(None::<Result<Vec<Token>, u16>>);
    let made = RwSignal::new(None::<String>);
    let problem = RwSignal::new(String::new());
    let load = move || {
        leptos::task::spawn_local(async move {
            let answer = api::get::<Vec<Token>>("/v1/admin/tokens").await;
            if let Err(failure) = &answer {
                crate::signed_out_if(app, failure);
            }
            tokens.set(Some(answer.map_err(|f| f.status)));
        });
    };
    load();
    let name = RwSignal::new(String::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewToken {
            name: name.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match api::post::<MadeToken>("/v1/admin/tokens", &body).await {
                Ok(token) => {
                    problem.set(String::new());
                    name.set(String::new());
                    made.set(Some(token.token));
                    load();
                }
                Err(failure) => problem.set(failure.message),
            }
        });
    };
    let revoke = move |id: String| {
        leptos::task::spawn_local(async move {
            match api::delete(&format!("/v1/admin/tokens/{}", api::encode(&id))).await {
                Ok(()) => load(),
                Err(failure) => problem.set(failure.message),
            }
        });
    };
    view! {
        <h1>{move || app.text().tokens}</h1>
        <p>{move || app.text().tokens_about}</p>
        {move || made.get().map(|token| view! {
            <div class="made" role="status">
                <label for="made-token">{app.text().copy_now}</label>
                <input id="made-token" readonly prop:value=token/>
            </div>
        })}
        <form class="inline-form" on:submit=create>
            <label for="token-name">{move || app.text().token_name}</label>
            <input id="token-name" required maxlength="100"
                prop:value=name on:input:target=move |ev| name.set(ev.target().value())/>
            <button type="submit" class="primary">{move || app.text().make_token}</button>
            <p class="problem" role="alert">{move || problem.get()}</p>
        </form>
        {move || {
            app.lang.track();
            let t = app.text();
            match tokens.get() {
                None => Either::Left(view! { <p class="quiet" role="status">{t.loading}</p> }),
                Some(Err(403)) => Either::Left(view! { <p class="quiet" role="status">{t.no_tokens_for_bootstrap}</p> }),
                Some(Err(_)) => Either::Left(view! { <p class="problem" role="alert">{t.failed}</p> }),
                Some(Ok(list)) => Either::Right(view! {
                    <ul class="plain tokens">
                        {list.into_iter().map(|token| {
                            let id = token.id.clone();
                            let live = token.revoked_at.is_none();
                            let used = token.last_used_at.clone().map(|u| u.get(..10).unwrap_or(&u).to_owned());
                            let label = format!("{} {}", t.revoke, token.name);
                            view! {
                                <li>
                                    <strong>{token.name.clone()}</strong>
                                    " · "{token.created_at.get(..10).unwrap_or(&token.created_at).to_owned()}
                                    {used.map(|u| format!(" · {} {u}", t.last_used))}
                                    {(!live).then(|| format!(" · {}", t.revoked))}
                                    {live.then(|| view! {
                                        " "<button type="button" class="secondary" aria-label=label
                                            on:click=move |_| revoke(id.clone())>{t.revoke}</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }),
            }
        }}
    }
}
