//! The guard in front of every public `/v1/sites/{key}/…` route: the site
//! must exist, and a browser's `Origin` must be one the site allows. It puts
//! the [`Site`] into the request for the handler and answers CORS for it.

use crate::AppState;
use crate::error::AppError;
use crate::store::Site;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use sori_protocol::Slug;
use std::collections::HashMap;

pub async fn guard(
    State(app): State<AppState>,
    Path(params): Path<HashMap<String, String>>,
    mut request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let raw_key = params.get("key").map(String::as_str).unwrap_or("");
    let unknown =
        || AppError::not_found("unknown_site", format!("no site has the key '{raw_key}'"));
    let key = Slug::parse(raw_key).map_err(|_| unknown())?;
    let site = app.store.site(&key).await?.ok_or_else(unknown)?;
    let origin = request.headers().get(header::ORIGIN).cloned();
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    match origin.as_ref().map(|o| o.to_str().unwrap_or("")) {
        Some(o) if site.allows_origin(o) => {}
        // The demo page, served by this collector, on the demo site.
        Some(o) if app.demo.as_ref().is_some_and(|d| d.allows(&site.key, o)) => {}
        Some(o) => return Err(origin_refused(&site, o)),
        // Scripts and curl send no Origin; reading config is harmless, writing is not.
        None if reads => {}
        None => {
            return Err(AppError::Forbidden {
                code: "origin_required",
                message: "responses are accepted only from browsers on the site's allowed origins"
                    .into(),
            });
        }
    }
    request.extensions_mut().insert(site);
    let mut response = next.run(request).await;
    if let Some(origin) = origin {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.append(header::VARY, HeaderValue::from_static("origin"));
        // Not a CORS-safelisted header: without this the widget could not
        // read how long a 429 asks it to wait.
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("retry-after"),
        );
    }
    Ok(response)
}

fn origin_refused(site: &Site, origin: &str) -> AppError {
    AppError::Forbidden {
        code: "origin_not_allowed",
        message: format!(
            "origin '{origin}' is not allowed for site '{}'; add it to the site's allowed origins",
            site.key
        ),
    }
}
