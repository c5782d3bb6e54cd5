//! Turns one call's description into exactly what goes on the wire, with every check that
//! keeps a key out of URLs and headers. Pure: the transport only sends what this returns.

use crate::config::ClientConfig;
use crate::error::{AgentError, ErrorKind};
use crate::request::{self, RequestError};
use crate::retry::RequestSafety;
use serde::Deserialize;

/// What a typed surface (or `client.request`) asks for, as the JS layer serialises it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallSpec {
    #[serde(default = "default_method")]
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub query: Vec<(String, String)>,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    pub timeout_ms: Option<u64>,
    pub deadline_ms: Option<u64>,
    pub idempotency_key: Option<String>,
    pub request_id: Option<String>,
    /// Overrides the method-based guess of whether the call starts billable work.
    pub paid: Option<bool>,
    /// Set for string bodies; multipart and binary bodies carry their own type.
    pub content_type: Option<String>,
    pub accept: Option<String>,
    /// Per-call override of the client's auth scheme (the compatible gateways default to bearer).
    pub auth: Option<String>,
    #[serde(default)]
    pub stream: bool,
}

fn default_method() -> String {
    "GET".into()
}

#[derive(Debug)]
pub struct Prepared {
    pub method: String,
    pub url: String,
    /// Everything but the auth header, which the transport adds from the held key.
    pub headers: Vec<(String, String)>,
    pub auth: request::AuthScheme,
    pub request_id: String,
    pub safety: RequestSafety,
    pub timeout_ms: u64,
    pub deadline_ms: u64,
}

pub fn invalid(e: RequestError) -> AgentError {
    let mut err = AgentError::client(ErrorKind::Validation, &e.to_string());
    err.code = Some("INVALID_REQUEST".into());
    err
}

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

pub fn prepare(
    cfg: &ClientConfig,
    spec: &CallSpec,
    secret: Option<&str>,
    random: &[u8; 16],
) -> Result<Prepared, AgentError> {
    let method = spec.method.to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        return Err(invalid(RequestError {
            option: "method",
            message: format!(
                "method {:?} is not supported: use one of {}",
                spec.method,
                METHODS.join(", ")
            ),
        }));
    }
    let url = request::build_url(&cfg.base_url, &spec.path, &spec.query).map_err(invalid)?;
    if let Some(s) = secret {
        if request::contains_secret(&url, s) {
            return Err(invalid(RequestError {
                option: "path",
                message: "the API key appears in the URL: keys are sent only in the auth header"
                    .into(),
            }));
        }
    }
    let auth = match &spec.auth {
        Some(a) => request::AuthScheme::parse(a).ok_or_else(|| {
            invalid(RequestError {
                option: "auth",
                message: format!("auth {a:?} is not a scheme: use \"x-api-key\", \"bearer\", \"authorization\" or \"none\""),
            })
        })?,
        None => cfg.auth,
    };
    let request_id = match &spec.request_id {
        Some(id) => {
            request::validate_request_id(id, secret).map_err(invalid)?;
            id.clone()
        }
        None => request::generate_request_id(random),
    };
    let mut headers: Vec<(String, String)> =
        Vec::with_capacity(cfg.headers.len() + spec.headers.len() + 4);
    for (n, v) in cfg.headers.iter().chain(spec.headers.iter()) {
        request::validate_header(n, v).map_err(invalid)?;
        if let Some(s) = secret {
            if request::contains_secret(v, s) {
                return Err(invalid(RequestError {
                    option: "headers",
                    message: format!(
                        "header {n} carries the API key: the client adds the auth header itself"
                    ),
                }));
            }
        }
        headers.retain(|(existing, _)| !existing.eq_ignore_ascii_case(n));
        headers.push((n.clone(), v.clone()));
    }
    let has =
        |h: &[(String, String)], name: &str| h.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    if let Some(ct) = &spec.content_type {
        if !has(&headers, "content-type") {
            headers.push(("Content-Type".into(), ct.clone()));
        }
    }
    let accept = spec.accept.clone().unwrap_or_else(|| {
        if spec.stream {
            "text/event-stream"
        } else {
            "application/json"
        }
        .into()
    });
    if !has(&headers, "accept") {
        headers.push(("Accept".into(), accept));
    }
    headers.push(("X-Request-ID".into(), request_id.clone()));
    if let Some(k) = &spec.idempotency_key {
        request::validate_header("Idempotency-Key", k).map_err(invalid)?;
        if secret.is_some_and(|s| request::contains_secret(k, s)) {
            return Err(invalid(RequestError {
                option: "idempotencyKey",
                message: "idempotencyKey carries the API key: use an opaque value such as a UUID (proxies and platforms log this header)".into(),
            }));
        }
        headers.push(("Idempotency-Key".into(), k.clone()));
    }
    let paid = spec
        .paid
        .unwrap_or(matches!(method.as_str(), "POST" | "PATCH"));
    let safety = if !paid || spec.idempotency_key.is_some() || cfg.retry_paid_requests {
        RequestSafety::Idempotent
    } else {
        RequestSafety::Paid
    };
    Ok(Prepared {
        method,
        url,
        headers,
        auth,
        request_id,
        safety,
        timeout_ms: spec.timeout_ms.unwrap_or(cfg.timeout_ms).max(1),
        deadline_ms: spec.deadline_ms.unwrap_or(cfg.deadline_ms).max(1),
    })
}
