//! Turns one call's description into exactly what goes on the wire, with every check that
//! keeps a key out of URLs and headers. Pure: the transport only sends what this returns.

use crate::config::ClientConfig;
use crate::error::{AgentError, ErrorKind};
use crate::request::{self, RequestError};
use crate::retry::RequestSafety;
use serde_json::Value;

/// What a typed surface (or `client.request`) asks for, as the JS layer serialises it.
#[derive(Debug, Default)]
pub struct CallSpec {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
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
    pub stream: bool,
}

const SPEC_FIELDS: [&str; 13] = [
    "method",
    "path",
    "query",
    "headers",
    "timeoutMs",
    "deadlineMs",
    "idempotencyKey",
    "requestId",
    "paid",
    "contentType",
    "accept",
    "auth",
    "stream",
];

fn wrong(option: &'static str, expected: &str) -> AgentError {
    invalid(RequestError {
        option,
        message: format!("{option} must be {expected}"),
    })
}

impl CallSpec {
    /// Reads the JSON the JS layer builds from a call's options. Hand-written (a derived
    /// `Deserialize` cost several KB of wasm); a wrong type names the option it came from.
    pub fn from_json(json: &str) -> Result<CallSpec, AgentError> {
        let v: Value = serde_json::from_str(json).map_err(|e| {
            invalid(RequestError {
                option: "request",
                message: format!("request options are not valid JSON: {e}"),
            })
        })?;
        let Some(map) = v.as_object() else {
            return Err(wrong("request", "an object"));
        };
        if let Some(k) = map.keys().find(|k| !SPEC_FIELDS.contains(&k.as_str())) {
            return Err(invalid(RequestError {
                option: "request",
                message: format!(
                    "unknown request option {k:?}: valid ones are {}",
                    SPEC_FIELDS.join(", ")
                ),
            }));
        }
        let text = |k: &'static str| -> Result<Option<String>, AgentError> {
            match map.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(wrong(k, "a string")),
            }
        };
        let ms = |k: &'static str| -> Result<Option<u64>, AgentError> {
            match map.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(n) => n
                    .as_u64()
                    .map(Some)
                    .ok_or_else(|| wrong(k, "a whole number of milliseconds")),
            }
        };
        let flag = |k: &'static str| -> Result<Option<bool>, AgentError> {
            match map.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Bool(b)) => Ok(Some(*b)),
                Some(_) => Err(wrong(k, "true or false")),
            }
        };
        let pairs = |k: &'static str| -> Result<Vec<(String, String)>, AgentError> {
            match map.get(k) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|p| match p.as_array().map(Vec::as_slice) {
                        Some([Value::String(a), Value::String(b)]) => Ok((a.clone(), b.clone())),
                        _ => Err(wrong(k, "a list of [name, value] string pairs")),
                    })
                    .collect(),
                Some(_) => Err(wrong(k, "a list of [name, value] string pairs")),
            }
        };
        Ok(CallSpec {
            method: text("method")?.unwrap_or_else(|| "GET".into()),
            path: text("path")?
                .ok_or_else(|| wrong("path", "a string such as \"/v1/chat/completions\""))?,
            query: pairs("query")?,
            headers: pairs("headers")?,
            timeout_ms: ms("timeoutMs")?,
            deadline_ms: ms("deadlineMs")?,
            idempotency_key: text("idempotencyKey")?,
            request_id: text("requestId")?,
            paid: flag("paid")?,
            content_type: text("contentType")?,
            accept: text("accept")?,
            auth: text("auth")?,
            stream: flag("stream")?.unwrap_or(false),
        })
    }
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
