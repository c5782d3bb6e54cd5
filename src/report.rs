//! The diagnostics bundle a user pastes into a support ticket.
//!
//! Holds what Hatz Support asks for (endpoint, base URL, auth method by name, X-Request-ID,
//! timestamp with time zone, status, sanitized error body, SDK/runtime, model, streaming,
//! job/step/file ids) and never what it forbids (keys, tokens, prompts, files, raw logs).

use serde_json::{Map, Value};

use crate::error::AgentError;
use crate::header_values::{civil_from_days, valid_request_id};
use crate::parse::bounded_details;
use crate::redact::Redactor;
use crate::sanitize::{sanitize_message, sanitize_to};

const MAX_FIELD_CHARS: usize = 200;

#[derive(Clone, Debug, Default)]
pub struct ReportContext {
    pub endpoint: Option<String>,
    pub base_url: Option<String>,
    pub method: Option<String>,
    /// Name only: "x-api-key" | "bearer" | "authorization" | "none".
    pub auth_scheme: Option<String>,
    pub sdk_name: Option<String>,
    pub sdk_version: Option<String>,
    pub runtime: Option<String>,
    pub model: Option<String>,
    pub streaming: Option<bool>,
    pub job_id: Option<String>,
    pub step_id: Option<String>,
    pub file_id: Option<String>,
    pub attempts: Option<u32>,
    pub timestamp_ms: Option<f64>,
    pub tz_offset_minutes: Option<i32>,
    pub request_id: Option<String>,
    pub response_body: Option<String>,
}

impl ReportContext {
    /// Reads the camelCase context the JS layer sends. Hand-written rather than derived to keep
    /// the wasm small; a field of the wrong type is simply absent.
    pub fn from_value(v: &Value) -> ReportContext {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        ReportContext {
            endpoint: s("endpoint"),
            base_url: s("baseUrl"),
            method: s("method"),
            auth_scheme: s("authScheme"),
            sdk_name: s("sdkName"),
            sdk_version: s("sdkVersion"),
            runtime: s("runtime"),
            model: s("model"),
            streaming: v.get("streaming").and_then(Value::as_bool),
            job_id: s("jobId"),
            step_id: s("stepId"),
            file_id: s("fileId"),
            attempts: v
                .get("attempts")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok()),
            timestamp_ms: v.get("timestampMs").and_then(Value::as_f64),
            tz_offset_minutes: v
                .get("tzOffsetMinutes")
                .and_then(Value::as_i64)
                .and_then(|n| i32::try_from(n).ok()),
            request_id: s("requestId"),
            response_body: s("responseBody"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub text: String,
    pub json: Value,
}

/// Query strings, fragments and userinfo can all carry credentials; none help support.
fn clean_url(url: &str, redactor: &Redactor) -> String {
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    let base = url.get(..cut).unwrap_or(url);
    let base = match base.find("://") {
        Some(scheme_end) => {
            let after = base.get(scheme_end + 3..).unwrap_or("");
            let host_end = after.find('/').unwrap_or(after.len());
            let authority = after.get(..host_end).unwrap_or("");
            match authority.rfind('@') {
                Some(at) => format!(
                    "{}{}",
                    base.get(..scheme_end + 3).unwrap_or(""),
                    after.get(at + 1..).unwrap_or("")
                ),
                None => base.to_string(),
            }
        }
        None => base.to_string(),
    };
    sanitize_to(&base, redactor, MAX_FIELD_CHARS)
}

/// Anything other than a known scheme name could be the credential itself pasted by mistake.
fn auth_name(s: &str) -> &'static str {
    match s.trim().to_ascii_lowercase().as_str() {
        "x-api-key" => "x-api-key",
        "bearer" => "bearer",
        "authorization" => "authorization",
        "none" | "" => "none",
        _ => "other",
    }
}

/// ISO 8601 with the caller's offset, e.g. `2024-01-15T12:30:00.000+02:00`.
pub fn format_timestamp(ms: f64, tz_offset_minutes: i32) -> Option<String> {
    if !ms.is_finite() || ms.abs() > 8.64e15 || tz_offset_minutes.abs() > 18 * 60 {
        return None;
    }
    let local = ms.floor() as i64 + i64::from(tz_offset_minutes) * 60_000;
    let days = local.div_euclid(86_400_000);
    let in_day = local.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    let off = if tz_offset_minutes == 0 {
        "Z".to_string()
    } else {
        let sign = if tz_offset_minutes < 0 { '-' } else { '+' };
        let a = tz_offset_minutes.unsigned_abs();
        format!("{sign}{:02}:{:02}", a / 60, a % 60)
    };
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}{off}"
    ))
}

fn body_for_report(body: &str, redactor: &Redactor) -> Value {
    let trimmed = body.trim().trim_start_matches('\u{FEFF}');
    if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
        let v = redactor.redact_json_for_report(&v);
        if let Some(b) = bounded_details(&v, redactor) {
            return b;
        }
    }
    Value::String(sanitize_message(trimmed, redactor))
}

pub fn support_report(err: &AgentError, ctx: &ReportContext, redactor: &Redactor) -> Report {
    let short = |s: &Option<String>| {
        s.as_deref()
            .map(|v| sanitize_to(v, redactor, MAX_FIELD_CHARS))
            .filter(|v| !v.is_empty())
    };
    let endpoint = ctx.endpoint.as_deref().map(|u| clean_url(u, redactor));
    let base_url = ctx.base_url.as_deref().map(|u| clean_url(u, redactor));
    let method = short(&ctx.method).map(|m| m.to_ascii_uppercase());
    let auth = ctx.auth_scheme.as_deref().map(auth_name);
    let request_id = err.request_id.clone().or_else(|| {
        ctx.request_id
            .as_deref()
            .and_then(|id| valid_request_id(id, redactor))
    });
    let timestamp = ctx
        .timestamp_ms
        .and_then(|ms| format_timestamp(ms, ctx.tz_offset_minutes.unwrap_or(0)));
    let message = sanitize_message(&err.message, redactor);
    let code = err.code.as_deref().map(|c| sanitize_to(c, redactor, 100));
    let details = err
        .details
        .as_ref()
        .map(|d| redactor.redact_json_for_report(d));
    let body = ctx
        .response_body
        .as_deref()
        .filter(|b| !b.trim().is_empty())
        .map(|b| body_for_report(b, redactor));

    let mut j = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            j.insert(k.to_string(), v);
        }
    };
    let s = |v: &Option<String>| v.clone().map(Value::String);
    put("endpoint", s(&endpoint));
    put("baseUrl", s(&base_url));
    put("method", s(&method));
    put("authScheme", auth.map(|a| Value::String(a.into())));
    put("requestId", s(&request_id));
    put("timestamp", s(&timestamp));
    put("status", err.status.map(Value::from));
    put("kind", Some(Value::String(err.kind.as_str().into())));
    put("code", s(&code));
    put("message", Some(Value::String(message.clone())));
    put("retryable", Some(Value::Bool(err.retryable)));
    put("details", details.clone());
    put("responseBody", body.clone());
    put("sdkName", s(&short(&ctx.sdk_name)));
    put("sdkVersion", s(&short(&ctx.sdk_version)));
    put("runtime", s(&short(&ctx.runtime)));
    put("model", s(&short(&ctx.model)));
    put("streaming", ctx.streaming.map(Value::Bool));
    put("jobId", s(&short(&ctx.job_id)));
    put("stepId", s(&short(&ctx.step_id)));
    put("fileId", s(&short(&ctx.file_id)));
    put("attempts", ctx.attempts.map(Value::from));

    let mut lines = vec!["agentwire support report".to_string()];
    let mut line = |label: &str, v: Option<String>| {
        if let Some(v) = v {
            lines.push(format!("{label}: {v}"));
        }
    };
    line("Endpoint", endpoint);
    line("Base URL", base_url);
    line("Method", method);
    line("Auth method", auth.map(str::to_string));
    line("X-Request-ID", request_id);
    line("Timestamp", timestamp);
    line("HTTP status", err.status.map(|s| s.to_string()));
    line("Kind", Some(err.kind.as_str().to_string()));
    line("Code", code);
    line("Message", Some(message));
    line("Retryable", Some(err.retryable.to_string()));
    line("Details", details.map(|d| d.to_string()));
    line(
        "Response body",
        body.map(|b| match b {
            Value::String(s) => s,
            other => other.to_string(),
        }),
    );
    let sdk = match (short(&ctx.sdk_name), short(&ctx.sdk_version)) {
        (Some(n), Some(v)) => Some(format!("{n} {v}")),
        (n, v) => n.or(v),
    };
    line("SDK", sdk);
    line("Runtime", short(&ctx.runtime));
    line("Model", short(&ctx.model));
    line("Streaming", ctx.streaming.map(|b| b.to_string()));
    line("Job ID", short(&ctx.job_id));
    line("Step ID", short(&ctx.step_id));
    line("File ID", short(&ctx.file_id));
    line("Attempts", ctx.attempts.map(|a| a.to_string()));
    // Belt and braces: every piece was redacted, but the joined text is checked once more.
    let text = redactor.redact(&lines.join("\n"));
    Report {
        text,
        json: Value::Object(j),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn timestamps() {
        assert_eq!(
            format_timestamp(1_705_314_600_000.0, 120).as_deref(),
            Some("2024-01-15T12:30:00.000+02:00")
        );
        assert_eq!(
            format_timestamp(1_705_314_600_123.0, -330).as_deref(),
            Some("2024-01-15T05:00:00.123-05:30")
        );
        assert_eq!(
            format_timestamp(0.0, 0).as_deref(),
            Some("1970-01-01T00:00:00.000Z")
        );
        assert_eq!(format_timestamp(f64::NAN, 0), None);
    }

    #[test]
    fn report_has_what_support_needs_and_nothing_secret() {
        let red = Redactor::new(vec!["hk_live_secret_123456".into()]);
        let mut err = AgentError::client(ErrorKind::Server, "boom");
        err.status = Some(500);
        err.request_id = Some("req_abc".into());
        let ctx = ReportContext {
            endpoint: Some("https://ai.hatz.ai/v1/chat/completions?api_key=hk_live_secret_123456".into()),
            base_url: Some("https://user:pw@ai.hatz.ai/v1".into()),
            method: Some("post".into()),
            auth_scheme: Some("hk_live_secret_123456".into()),
            model: Some("gpt-4o".into()),
            streaming: Some(true),
            job_id: Some("a1b2c3d4-e5f6-7890-abcd-ef1234567890".into()),
            timestamp_ms: Some(1_705_314_600_000.0),
            tz_offset_minutes: Some(60),
            response_body: Some(
                r#"{"error":"x","messages":[{"content":"my private prompt"}],"echo":"hk_live_secret_123456"}"#.into(),
            ),
            ..ReportContext::default()
        };
        let r = support_report(&err, &ctx, &red);
        let json = r.json.to_string();
        for out in [&r.text, &json] {
            assert!(!out.contains("hk_live_secret_123456"), "{out}");
            assert!(!out.contains("private prompt"), "{out}");
            assert!(!out.contains("pw@"), "{out}");
        }
        assert!(r
            .text
            .contains("Endpoint: https://ai.hatz.ai/v1/chat/completions\n"));
        assert!(r.text.contains("X-Request-ID: req_abc"));
        assert!(r.text.contains("Timestamp: 2024-01-15T11:30:00.000+01:00"));
        assert!(r
            .text
            .contains("Job ID: a1b2c3d4-e5f6-7890-abcd-ef1234567890"));
        assert_eq!(r.json["authScheme"], "other");
        assert_eq!(r.json["method"], "POST");
        assert_eq!(r.json["baseUrl"], "https://ai.hatz.ai/v1");
        assert_eq!(r.json["responseBody"]["messages"], "[omitted]");
    }

    #[test]
    fn context_deserializes_camel_case() {
        let c = ReportContext::from_value(
            &serde_json::from_str(
                r#"{"baseUrl":"https://x","tzOffsetMinutes":-60,"streaming":false}"#,
            )
            .unwrap(),
        );
        assert_eq!(c.base_url.as_deref(), Some("https://x"));
        assert_eq!(c.tz_offset_minutes, Some(-60));
    }
}
