//! Turning an HTTP error response, an SSE error event or a failed job into an `AgentError`.
//!
//! Envelopes are recognised by the shape of the JSON, never by content-type: gateways lie
//! about content-type, and the same platform answers with different shapes on different
//! routes.

use serde_json::{Map, Value};

use crate::classify::{advice, classify, retryable};
use crate::error::{AgentError, ErrorKind, FieldError, VendorFormat};
use crate::header_values::{
    bounded_ms, rate_limit, request_id_with, retry_after_ms, valid_request_id,
};
use crate::headers::HeaderList;
use crate::redact::{Redactor, OMITTED};
use crate::sanitize::{
    html_summary, looks_like_html, sanitize_message, sanitize_to, status_message,
};

/// Serialized size above which `details` is trimmed (long strings and collections cut).
const MAX_DETAILS_BYTES: usize = 4096;
const MAX_CODE_CHARS: usize = 100;
const MAX_FIELD_ERRORS: usize = 50;
const MAX_FIELD_CHARS: usize = 200;

/// What an envelope yielded before sanitizing and classifying.
#[derive(Default)]
struct Extract {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    details: Option<Value>,
    field_errors: Vec<(String, String)>,
    retry_after_s: Option<f64>,
}

pub fn parse_error(
    status: u16,
    headers: &HeaderList,
    body: &[u8],
    now_ms: f64,
    redactor: &Redactor,
) -> AgentError {
    let text = String::from_utf8_lossy(body);
    parse_error_str(status, headers, &text, now_ms, redactor)
}

pub fn parse_error_str(
    status: u16,
    headers: &HeaderList,
    body: &str,
    now_ms: f64,
    redactor: &Redactor,
) -> AgentError {
    let body = body.trim_start_matches('\u{FEFF}');
    let trimmed = body.trim();
    let (format, ex) = if trimmed.is_empty() {
        (VendorFormat::Empty, Extract::default())
    } else if let Some(v) = parse_json(trimmed) {
        detect(&v)
    } else if looks_like_html(trimmed) {
        let ex = Extract {
            message: html_summary(trimmed),
            ..Extract::default()
        };
        (VendorFormat::Html, ex)
    } else {
        (VendorFormat::Text, text_extract(trimmed))
    };
    let status_opt = Some(status).filter(|s| *s != 0);
    let mut err = build(status_opt, format, ex, redactor);
    if let Some(id) = request_id_with(headers, redactor) {
        err.request_id = Some(id);
    }
    if let Some(ms) = retry_after_ms(headers, now_ms) {
        err.retry_after_ms = Some(ms);
    }
    err.rate_limit = rate_limit(headers, now_ms);
    err
}

/// JSON only when the text is shaped like it; serde_json's depth limit turns hostile nesting
/// into an error, which falls back to text.
fn parse_json(trimmed: &str) -> Option<Value> {
    let first = trimmed.as_bytes().first().copied()?;
    if !matches!(first, b'{' | b'[' | b'"') {
        return None;
    }
    serde_json::from_str::<Value>(trimmed).ok()
}

/// XML error documents (S3 presigned URLs) carry `<Code>` and `<Message>`; other text is
/// used as-is (sanitizing keeps only the first few hundred chars).
fn text_extract(text: &str) -> Extract {
    if text.starts_with("<?xml") || text.starts_with("<Error") {
        let code = xml_tag(text, "Code");
        let message = xml_tag(text, "Message").or_else(|| code.clone());
        return Extract {
            code,
            message,
            ..Extract::default()
        };
    }
    Extract {
        message: Some(text.to_string()),
        ..Extract::default()
    }
}

fn xml_tag(text: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = text.find(&open)? + open.len();
    let rest = text.get(start..)?;
    let end = rest.find(&close).filter(|e| *e <= 1024)?;
    Some(crate::sanitize::decode_entities(rest.get(..end)?))
}

fn str_field(obj: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match obj.get(*k) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

fn is_upper_snake(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().any(|b| b.is_ascii_uppercase())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn detect(v: &Value) -> (VendorFormat, Extract) {
    let Some(obj) = v.as_object() else {
        let message = v.as_str().map(str::to_string);
        let details = if message.is_some() {
            None
        } else {
            Some(v.clone())
        };
        return (
            VendorFormat::UnknownJson,
            Extract {
                message,
                details,
                ..Extract::default()
            },
        );
    };
    let top_request_id = str_field(obj, &["requestId", "request_id"]);
    let is_error_type = obj.get("type").and_then(Value::as_str) == Some("error");
    let status_failed = obj
        .get("status")
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("failed") || s.eq_ignore_ascii_case("error"));

    if is_error_type {
        if let Some(inner) = obj.get("error").and_then(Value::as_object) {
            let has_code = inner.get("code").is_some_and(|c| !c.is_null());
            let format = if has_code {
                VendorFormat::StreamEvent
            } else {
                VendorFormat::Anthropic
            };
            let ex = Extract {
                code: str_field(inner, &["code", "type"]),
                message: str_field(inner, &["message"]),
                request_id: str_field(inner, &["requestId", "request_id"]).or(top_request_id),
                details: inner.get("details").cloned(),
                ..Extract::default()
            };
            return (format, ex);
        }
        // OpenAI Responses stream: `{"type":"error","code","message","param"}`.
        if obj.contains_key("message") || obj.contains_key("code") {
            let ex = Extract {
                code: str_field(obj, &["code"]),
                message: str_field(obj, &["message"]),
                request_id: top_request_id,
                ..Extract::default()
            };
            return (VendorFormat::StreamEvent, ex);
        }
    }

    if status_failed {
        if let Some(err) = obj.get("error") {
            let mut ex = match err {
                Value::Object(inner) => Extract {
                    code: str_field(inner, &["code", "type"]),
                    message: str_field(inner, &["message"]),
                    details: inner.get("details").cloned(),
                    ..Extract::default()
                },
                Value::String(s) => Extract {
                    message: Some(s.clone()),
                    ..Extract::default()
                },
                _ => Extract::default(),
            };
            if let Some(id) = str_field(obj, &["id", "task_id", "taskId", "job_id"]) {
                let mut d = Map::new();
                d.insert("taskId".into(), Value::String(id));
                if let Some(Value::Object(extra)) = ex.details.take() {
                    d.extend(extra);
                }
                ex.details = Some(Value::Object(d));
            }
            ex.request_id = top_request_id;
            return (VendorFormat::FailedTask, ex);
        }
    }

    if let Some(detail) = obj.get("detail") {
        match detail {
            Value::String(s) => {
                let ex = Extract {
                    message: Some(s.clone()),
                    request_id: top_request_id,
                    ..Extract::default()
                };
                return (VendorFormat::HatzDetail, ex);
            }
            Value::Array(items) if items.iter().any(|i| i.get("msg").is_some()) => {
                return (
                    VendorFormat::FastapiValidation,
                    fastapi(items, top_request_id),
                );
            }
            Value::Object(inner) => {
                let ex = Extract {
                    code: str_field(inner, &["code", "error", "type"]),
                    message: str_field(inner, &["message", "msg", "detail"]),
                    request_id: top_request_id,
                    details: Some(detail.clone()),
                    ..Extract::default()
                };
                return (VendorFormat::HatzDetail, ex);
            }
            _ => {}
        }
    }

    match obj.get("error") {
        Some(Value::Object(inner)) => {
            let openai = inner.contains_key("type") || inner.contains_key("param");
            let agntix = !openai && (inner.contains_key("code") || inner.contains_key("requestId"));
            let mut details = Map::new();
            if let Some(p) = inner.get("param").filter(|p| !p.is_null()) {
                details.insert("param".into(), p.clone());
            }
            if let Some(Value::Object(d)) = inner.get("details") {
                details.extend(d.clone());
            }
            let code = if openai {
                str_field(inner, &["code"]).or_else(|| str_field(inner, &["type"]))
            } else {
                str_field(inner, &["code", "type", "status"])
            };
            let ex = Extract {
                code,
                message: str_field(inner, &["message", "msg", "detail"]),
                request_id: str_field(inner, &["requestId", "request_id"]).or(top_request_id),
                details: (!details.is_empty()).then_some(Value::Object(details)),
                retry_after_s: retry_after_field(inner),
                ..Extract::default()
            };
            // `{"error":{"message"}}` alone is what OpenAI-compatible gateways send.
            let format = if agntix {
                VendorFormat::Agntix
            } else {
                VendorFormat::Openai
            };
            return (format, ex);
        }
        Some(Value::String(e)) => {
            let message = str_field(obj, &["message"]);
            let zazmic = obj.contains_key("statusCode")
                || obj.contains_key("details")
                || (message.is_some() && !is_upper_snake(e));
            if zazmic {
                let ex = Extract {
                    code: Some(e.clone()),
                    message: message.or_else(|| Some(e.clone())),
                    request_id: top_request_id,
                    details: obj.get("details").filter(|d| !d.is_null()).cloned(),
                    retry_after_s: obj
                        .get("details")
                        .and_then(Value::as_object)
                        .and_then(retry_after_field),
                    ..Extract::default()
                };
                return (VendorFormat::Zazmic, ex);
            }
            if is_upper_snake(e) {
                let ex = Extract {
                    code: Some(e.clone()),
                    message: message.or_else(|| Some(e.clone())),
                    request_id: top_request_id,
                    ..Extract::default()
                };
                return (VendorFormat::Heylock, ex);
            }
            let ex = Extract {
                message: Some(e.clone()),
                request_id: top_request_id,
                code: str_field(obj, &["code"]),
                ..Extract::default()
            };
            return (VendorFormat::BareError, ex);
        }
        _ => {}
    }

    if let Some(message) = str_field(obj, &["message"]) {
        let ex = Extract {
            code: str_field(obj, &["code", "error_code", "errorCode"]),
            message: Some(message),
            request_id: top_request_id,
            retry_after_s: retry_after_field(obj),
            ..Extract::default()
        };
        return (VendorFormat::BareMessage, ex);
    }

    let ex = Extract {
        request_id: top_request_id,
        details: Some(v.clone()),
        ..Extract::default()
    };
    (VendorFormat::UnknownJson, ex)
}

/// Body-level retry hints: seconds in `retryAfter`/`retry_after`, ms in `retryAfterMs`.
fn retry_after_field(obj: &Map<String, Value>) -> Option<f64> {
    if let Some(ms) = obj.get("retryAfterMs").and_then(Value::as_f64) {
        return Some(ms / 1000.0);
    }
    obj.get("retryAfter")
        .or_else(|| obj.get("retry_after"))
        .and_then(|v| match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        })
}

fn fastapi(items: &[Value], request_id: Option<String>) -> Extract {
    let field_errors: Vec<(String, String)> = items
        .iter()
        .filter_map(|item| {
            let msg = item.get("msg").and_then(Value::as_str)?;
            let path = item
                .get("loc")
                .and_then(Value::as_array)
                .map(|loc| {
                    loc.iter()
                        .map(|p| match p {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default();
            Some((path, msg.to_string()))
        })
        .take(MAX_FIELD_ERRORS)
        .collect();
    let message = field_errors.first().map(|(path, msg)| {
        let more = items.len().saturating_sub(1);
        let head = if path.is_empty() {
            format!("Request validation failed: {msg}")
        } else {
            format!("Request validation failed: {path}: {msg}")
        };
        if more > 0 {
            format!("{head} (and {more} more)")
        } else {
            head
        }
    });
    Extract {
        message,
        request_id,
        field_errors,
        ..Extract::default()
    }
}

fn build(
    status: Option<u16>,
    format: VendorFormat,
    ex: Extract,
    redactor: &Redactor,
) -> AgentError {
    let code = ex
        .code
        .as_deref()
        .map(|c| sanitize_to(c, redactor, MAX_CODE_CHARS))
        .filter(|c| !c.is_empty());
    let raw_message = ex.message.unwrap_or_default();
    let mut message = sanitize_message(&raw_message, redactor);
    if message.is_empty() {
        message = match status {
            Some(s) => status_message(s),
            None => "Unknown error".to_string(),
        };
    }
    // Classify on the raw texts: redaction may hide words like "balance" inside a code.
    let kind = classify(status, ex.code.as_deref(), &raw_message);
    let field_errors = ex
        .field_errors
        .iter()
        .map(|(p, m)| FieldError {
            path: sanitize_to(p, redactor, MAX_FIELD_CHARS),
            message: sanitize_to(m, redactor, MAX_FIELD_CHARS),
        })
        .collect();
    let request_id = ex
        .request_id
        .as_deref()
        .and_then(|id| valid_request_id(id, redactor));
    AgentError {
        kind,
        status,
        advice: advice(kind, code.as_deref(), format),
        retryable: retryable(kind, status),
        code,
        message,
        request_id,
        retry_after_ms: ex.retry_after_s.and_then(|s| bounded_ms(s * 1000.0)),
        rate_limit: None,
        field_errors,
        vendor_format: format,
        details: ex.details.and_then(|d| bounded_details(&d, redactor)),
    }
}

/// Redacted details no larger than `MAX_DETAILS_BYTES` serialized: trimmed first, dropped
/// if still too large. Trimming happens before redaction so 8 MiB details stay cheap.
pub fn bounded_details(v: &Value, redactor: &Redactor) -> Option<Value> {
    if v.is_null() {
        return None;
    }
    let small = trim_value(v, 0);
    let red = redactor.redact_json(&small);
    let size = serde_json::to_string(&red)
        .map(|s| s.len())
        .unwrap_or(usize::MAX);
    (size <= MAX_DETAILS_BYTES).then_some(red)
}

fn trim_value(v: &Value, depth: usize) -> Value {
    const MAX_DEPTH: usize = 6;
    const MAX_ITEMS: usize = 20;
    const MAX_STR: usize = 256;
    if depth > MAX_DEPTH {
        return Value::String(OMITTED.to_string());
    }
    match v {
        Value::String(s) if s.chars().count() > MAX_STR => {
            // Cut at a boundary so a secret cut in half cannot slip past redaction.
            Value::String(sanitize_to(s, &Redactor::default(), MAX_STR))
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .take(MAX_ITEMS)
                .map(|x| trim_value(x, depth + 1))
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .take(MAX_ITEMS * 2)
                .map(|(k, x)| {
                    let key = if k.chars().count() > MAX_STR {
                        sanitize_to(k, &Redactor::default(), MAX_STR)
                    } else {
                        k.clone()
                    };
                    (key, trim_value(x, depth + 1))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// An SSE `data:` payload that reports an error, in any of the stream shapes platforms use.
pub fn parse_event_error(data: &str, redactor: &Redactor) -> Option<AgentError> {
    let v = parse_json(data.trim().trim_start_matches('\u{FEFF}'))?;
    let obj = v.as_object()?;
    let is_error_type = obj.get("type").and_then(Value::as_str) == Some("error");
    // OpenAI Responses: `{"type":"response.failed","response":{"error":{...}}}`.
    if obj.get("type").and_then(Value::as_str) == Some("response.failed") {
        let inner = obj
            .get("response")
            .and_then(|r| r.get("error"))?
            .as_object()?;
        let ex = Extract {
            code: str_field(inner, &["code", "type"]),
            message: str_field(inner, &["message"]),
            ..Extract::default()
        };
        return Some(stream_error(VendorFormat::StreamEvent, ex, redactor));
    }
    let has_error_obj = obj.get("error").is_some_and(Value::is_object);
    let heylock = obj
        .get("error")
        .and_then(Value::as_str)
        .is_some_and(is_upper_snake);
    if !(is_error_type || has_error_obj || heylock) {
        return None;
    }
    let (format, ex) = detect(&v);
    Some(stream_error(format, ex, redactor))
}

fn stream_error(format: VendorFormat, ex: Extract, redactor: &Redactor) -> AgentError {
    let mut err = build(None, format, ex, redactor);
    // An error inside a stream with no recognised code is a stream failure.
    if err.kind == ErrorKind::Unknown {
        err.kind = ErrorKind::Stream;
    }
    err.retryable = retryable(err.kind, None);
    err.advice = advice(err.kind, err.code.as_deref(), format);
    err
}

/// A workflow job whose status is failed, with the failing step's details.
pub fn failed_job_error(job: &Value, redactor: &Redactor) -> AgentError {
    let empty = Map::new();
    let obj = job.as_object().unwrap_or(&empty);
    let job_id = str_field(obj, &["job_id", "id", "jobId"]);
    let step = obj
        .get("step_outputs")
        .or_else(|| obj.get("steps"))
        .and_then(Value::as_array)
        .and_then(|steps| {
            steps.iter().find(|s| {
                s.get("status").and_then(Value::as_str).is_some_and(|st| {
                    st.eq_ignore_ascii_case("failed") || st.eq_ignore_ascii_case("error")
                })
            })
        })
        .and_then(Value::as_object);
    let (mut code, mut message) = match obj.get("error") {
        Some(Value::Object(e)) => (
            str_field(e, &["code", "type"]),
            str_field(e, &["message", "detail"]),
        ),
        Some(Value::String(s)) => (None, Some(s.clone())),
        _ => (None, None),
    };
    let mut details = Map::new();
    if let Some(id) = &job_id {
        details.insert("jobId".into(), Value::String(id.clone()));
    }
    if let Some(s) = str_field(obj, &["status"]) {
        details.insert("status".into(), Value::String(s));
    }
    if let Some(step) = step {
        let mut sd = Map::new();
        for (from, to) in [
            ("step_id", "stepId"),
            ("step_type", "stepType"),
            ("status", "status"),
        ] {
            if let Some(v) = str_field(step, &[from]) {
                sd.insert(to.into(), Value::String(v));
            }
        }
        let step_err = step.get("error").filter(|e| !e.is_null());
        match step_err {
            Some(Value::Object(e)) => {
                code = code.or_else(|| str_field(e, &["code", "type"]));
                message = message.or_else(|| str_field(e, &["message", "detail"]));
            }
            Some(Value::String(s)) => message = message.or_else(|| Some(s.clone())),
            _ => {}
        }
        if let Some(e) = step_err {
            sd.insert("error".into(), e.clone());
        }
        if let Some(out) = step.get("output_data").filter(|o| !o.is_null()) {
            if message.is_none() {
                message = out.as_str().map(str::to_string);
            }
            sd.insert("outputData".into(), out.clone());
        }
        details.insert("step".into(), Value::Object(sd));
    }
    if let Some(c) = &code {
        details.insert("code".into(), Value::String(c.clone()));
    }
    let message = message.unwrap_or_else(|| "Workflow job failed".to_string());
    let step_suffix = step
        .and_then(|s| str_field(s, &["step_id"]))
        .map(|id| format!(" (step {id})"))
        .unwrap_or_default();
    let full = format!("{message}{step_suffix}");
    let ex = Extract {
        code,
        message: Some(full),
        details: Some(Value::Object(details)),
        ..Extract::default()
    };
    let mut err = build(None, VendorFormat::FailedTask, ex, redactor);
    err.kind = ErrorKind::JobFailed;
    err.retryable = false;
    err.advice = advice(ErrorKind::JobFailed, None, VendorFormat::FailedTask);
    err
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(status: u16, body: &str) -> AgentError {
        parse_error_str(status, &HeaderList::new(), body, 0.0, &Redactor::default())
    }

    #[test]
    fn shapes_are_detected() {
        assert_eq!(
            p(404, r#"{"detail":"Job not found"}"#).vendor_format,
            VendorFormat::HatzDetail
        );
        assert_eq!(
            p(400, r#"{"error":"INVALID_JSON","message":"x"}"#).vendor_format,
            VendorFormat::Heylock
        );
        assert_eq!(
            p(
                400,
                r#"{"error":"Bad Request","message":"x","statusCode":400}"#
            )
            .vendor_format,
            VendorFormat::Zazmic
        );
        assert_eq!(
            p(500, r#"{"error":"boom"}"#).vendor_format,
            VendorFormat::BareError
        );
        assert_eq!(
            p(500, r#"{"message":"boom"}"#).vendor_format,
            VendorFormat::BareMessage
        );
        assert_eq!(p(500, r#"[1,2]"#).vendor_format, VendorFormat::UnknownJson);
        assert_eq!(p(500, "").message, "HTTP 500 Internal Server Error");
    }

    #[test]
    fn event_errors() {
        let red = Redactor::default();
        assert!(parse_event_error(r#"{"type":"message","content":"hi"}"#, &red).is_none());
        assert!(parse_event_error("not json", &red).is_none());
        let e = parse_event_error(
            r#"{"type":"error","error":{"code":"STREAM_ERROR","message":"x"}}"#,
            &red,
        )
        .unwrap();
        assert_eq!((e.kind, e.status), (ErrorKind::Stream, None));
        let e = parse_event_error(
            r#"{"type":"error","error":{"code":"WHATEVER","message":"x"}}"#,
            &red,
        )
        .unwrap();
        assert_eq!(e.kind, ErrorKind::Stream);
        let e = parse_event_error(r#"{"type":"response.failed","response":{"error":{"code":"rate_limit_exceeded","message":"x"}}}"#, &red).unwrap();
        assert_eq!(e.kind, ErrorKind::RateLimited);
    }

    #[test]
    fn failed_job() {
        let job = json!({"job_id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "status": "failed",
            "step_outputs": [{"step_id": "s1", "status": "complete"},
                             {"step_id": "s2", "step_type": "prompt", "status": "failed", "error": "Model refused"}]});
        let e = failed_job_error(&job, &Redactor::default());
        assert_eq!(e.kind, ErrorKind::JobFailed);
        assert!(!e.retryable);
        assert_eq!(e.message, "Model refused (step s2)");
        let d = e.details.unwrap();
        assert_eq!(d["jobId"], "a1b2c3d4-e5f6-7890-abcd-ef1234567890");
        assert_eq!(d["step"]["stepId"], "s2");
        assert_eq!(d["step"]["stepType"], "prompt");
    }
}
