//! Properties of the error model under hostile input: no panics, bounded messages, and a
//! configured secret never escaping into the error value or the support report.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use agentwire::error::MAX_MESSAGE_CHARS;
use agentwire::parse::{failed_job_error, parse_error, parse_error_str, parse_event_error};
use agentwire::redact::Redactor;
use agentwire::report::{support_report, ReportContext};
use agentwire::{header_values, HeaderList, VendorFormat};
use proptest::prelude::*;

const NOW: f64 = 1_705_314_600_000.0;

fn headers_strategy() -> impl Strategy<Value = Vec<(String, String)>> {
    let names = prop::sample::select(vec![
        "retry-after",
        "retry-after-ms",
        "date",
        "x-request-id",
        "request-id",
        "cf-ray",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-reset-requests",
        "ratelimit-reset",
        "anthropic-ratelimit-requests-reset",
        "x-balance",
        "content-type",
        "x-amzn-requestid",
    ]);
    prop::collection::vec((names.prop_map(String::from), any::<String>()), 0..6)
}

/// Bodies shaped like each envelope, so the canary lands inside parsed JSON fields too.
fn body_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        Just(r#"{"error":"Rate limit exceeded","message":"slow down","statusCode":429,"details":{"retryAfter":45,"note":"x"}}"#.to_string()),
        Just(r#"{"error":{"code":"SESSION_NOT_FOUND","message":"gone","requestId":"req_1"}}"#.to_string()),
        Just(r#"{"error":{"message":"bad","type":"invalid_request_error","param":"model","code":null}}"#.to_string()),
        Just(r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#.to_string()),
        Just(r#"{"detail":[{"loc":["body","inputs","topic"],"msg":"field required","type":"missing"}]}"#.to_string()),
        Just(r#"{"status":"failed","id":"task_1","error":{"code":"AGENT_ERROR","message":"m","details":{"k":"v"}}}"#.to_string()),
        Just(r#"{"detail":"Job not found"}"#.to_string()),
        Just(r#"{"error":"INVALID_CONTENT","message":"Missing content field"}"#.to_string()),
        Just(r#"{"weird":{"nested":["a","b"]},"n":1}"#.to_string()),
        Just("<html><head><title>502 Bad Gateway</title></head><body><h1>x</h1></body></html>".to_string()),
        Just("upstream connect error or disconnect/reset before headers".to_string()),
    ]
}

fn insert_at(s: &str, frac: f64, needle: &str) -> String {
    let boundaries: Vec<usize> = s
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .collect();
    let idx = ((boundaries.len() - 1) as f64 * frac) as usize;
    let at = boundaries[idx.min(boundaries.len() - 1)];
    format!("{}{}{}", &s[..at], needle, &s[at..])
}

fn assert_bounded(err: &agentwire::AgentError) {
    assert!(!err.message.is_empty());
    assert!(err.message.chars().count() <= MAX_MESSAGE_CHARS);
    assert!(!err.advice.is_empty());
    if let Some(d) = &err.details {
        assert!(serde_json::to_string(d).unwrap().len() <= 4096);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_input(
        status in any::<u16>(),
        headers in headers_strategy(),
        body in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let h: HeaderList = headers.into_iter().collect();
        let err = parse_error(status, &h, &body, NOW, &Redactor::default());
        assert_bounded(&err);
        let _ = header_values::retry_after_ms(&h, NOW);
        let _ = header_values::rate_limit(&h, NOW);
        let text = String::from_utf8_lossy(&body);
        if let Some(e) = parse_event_error(&text, &Redactor::default()) {
            assert_bounded(&e);
            prop_assert_eq!(e.status, None);
        }
    }

    #[test]
    fn envelope_bodies_never_panic(status in 100u16..600, body in body_strategy(), cut in 0.0f64..1.0) {
        // Truncated envelopes exercise the JSON-to-text fallback.
        let n = body.char_indices().map(|(i, _)| i).nth((body.chars().count() as f64 * cut) as usize).unwrap_or(body.len());
        let err = parse_error_str(status, &HeaderList::new(), &body[..n], NOW, &Redactor::default());
        assert_bounded(&err);
    }

    #[test]
    fn configured_secret_never_escapes(
        canary_tail in "[A-Za-z0-9]{6,30}",
        status in 100u16..600,
        body in body_strategy(),
        pos in 0.0f64..1.0,
        in_header in any::<bool>(),
        header_name in prop::sample::select(vec!["x-request-id", "retry-after", "x-ratelimit-reset", "www-authenticate", "cf-ray", "date"]),
        header_pos in 0.0f64..1.0,
    ) {
        let canary = format!("Zq9{canary_tail}");
        let red = Redactor::new(vec![canary.clone()]);
        let mut headers = HeaderList::new();
        let body = if in_header {
            headers.push(header_name, insert_at("req_12345", header_pos, &canary));
            body
        } else {
            insert_at(&body, pos, &canary)
        };
        let err = parse_error_str(status, &headers, &body, NOW, &red);
        let ser = serde_json::to_string(&err).unwrap();
        prop_assert!(!ser.contains(&canary), "error leaked: {}", ser);
        assert_bounded(&err);

        let ctx = ReportContext {
            endpoint: Some(format!("https://api.example.com/v1/{canary}/run?key={canary}")),
            base_url: Some("https://api.example.com".into()),
            model: Some(canary.clone()),
            request_id: Some(canary.clone()),
            response_body: Some(body.clone()),
            auth_scheme: Some(canary.clone()),
            ..ReportContext::default()
        };
        let rep = support_report(&err, &ctx, &red);
        prop_assert!(!rep.text.contains(&canary), "report text leaked: {}", rep.text);
        let rj = rep.json.to_string();
        prop_assert!(!rj.contains(&canary), "report json leaked: {}", rj);

        if let Some(ev) = parse_event_error(&body, &red) {
            prop_assert!(!serde_json::to_string(&ev).unwrap().contains(&canary));
        }
        if let Ok(job) = serde_json::from_str::<serde_json::Value>(&body) {
            let e = failed_job_error(&job, &red);
            prop_assert!(!serde_json::to_string(&e).unwrap().contains(&canary));
        }
    }

    #[test]
    fn redact_never_leaks_and_never_panics(text in any::<String>(), canary_tail in "[A-Za-z0-9]{6,30}", pos in 0.0f64..1.0) {
        let canary = format!("Zq9{canary_tail}");
        let red = Redactor::new(vec![canary.clone()]);
        let out = red.redact(&insert_at(&text, pos, &canary));
        prop_assert!(!out.contains(&canary));
        let _ = Redactor::default().redact(&text);
    }
}

#[test]
fn deep_nesting_falls_back_to_text() {
    for body in [
        "[".repeat(100_000),
        "{\"a\":".repeat(100_000),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    ] {
        let err = parse_error_str(400, &HeaderList::new(), &body, NOW, &Redactor::default());
        assert_eq!(err.vendor_format, VendorFormat::Text);
        assert_bounded(&err);
        assert!(parse_event_error(&body, &Redactor::default()).is_none());
    }
}

#[test]
fn eight_mib_bodies() {
    let red = Redactor::new(vec!["Zq9CanaryCanary".into()]);
    let big_msg = format!(
        "{{\"error\":{{\"code\":\"GENERIC_ERROR\",\"message\":\"{} Zq9CanaryCanary\",\"requestId\":\"req_9\"}}}}",
        "x y ".repeat(2 * 1024 * 1024)
    );
    let err = parse_error_str(500, &HeaderList::new(), &big_msg, NOW, &red);
    assert_eq!(err.vendor_format, VendorFormat::Agntix);
    assert_eq!(err.request_id.as_deref(), Some("req_9"));
    assert_bounded(&err);

    let html = format!(
        "<!DOCTYPE html><html><head><title>Bad gateway</title></head><body>{}</body></html>",
        "<p>x</p>".repeat(1024 * 1024)
    );
    let err = parse_error_str(502, &HeaderList::new(), &html, NOW, &red);
    assert_eq!(err.message, "Bad gateway");

    let details = format!("{{\"error\":\"Bad Request\",\"message\":\"m\",\"statusCode\":400,\"details\":{{\"blob\":\"{}Zq9CanaryCanary\"}}}}", "a".repeat(8 * 1024 * 1024));
    let err = parse_error_str(400, &HeaderList::new(), &details, NOW, &red);
    assert!(!serde_json::to_string(&err)
        .unwrap()
        .contains("Zq9CanaryCanary"));
    assert_bounded(&err);

    // Empty titles everywhere must not make the title search quadratic.
    let empty_titles = format!(
        "<html>{}<h2>Down</h2>",
        "<title></title>".repeat(512 * 1024)
    );
    let err = parse_error_str(503, &HeaderList::new(), &empty_titles, NOW, &red);
    assert_eq!(err.message, "Down");

    let bytes: Vec<u8> = (0..8 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    assert_bounded(&parse_error(500, &HeaderList::new(), &bytes, NOW, &red));
}

#[test]
fn generated_request_ids_survive_into_the_report_text() {
    use agentwire::report::{support_report, ReportContext};
    let id = agentwire::request::generate_request_id(&[
        0x05, 0x2b, 0x94, 0x54, 0x14, 0xf5, 0x6b, 0xf3, 0x20, 0x43, 0x86, 0xd9, 0xad, 0xcf, 0x79,
        0x45,
    ]);
    let mut e = agentwire::AgentError::client(agentwire::ErrorKind::Server, "boom");
    e.request_id = Some(id.clone());
    let r = support_report(
        &e,
        &ReportContext::default(),
        &agentwire::redact::Redactor::default(),
    );
    assert!(r.text.contains(&id), "{}", r.text);
    assert_eq!(
        r.json["requestId"]
            .as_str()
            .or(r.json["request_id"].as_str())
            .or(r.json.pointer("/error/requestId").and_then(|v| v.as_str())),
        Some(id.as_str()),
        "{}",
        r.json
    );
}

#[test]
fn bodies_shown_in_debug_logs_are_redacted_and_bounded() {
    let key = "sk-live-Zq8vN3mK9pL2xR7tY4wB6c";
    let red = agentwire::redact::Redactor::new(vec![key.into()]);
    let json = format!(
        r#"{{"model":"m","api_key":"{key}","note":"Bearer {key}","messages":[{{"content":"hi"}}]}}"#
    );
    let shown = red.for_log(&json, 2000);
    assert!(!shown.contains(key), "{shown}");
    assert!(shown.contains("\"model\":\"m\""), "{shown}");
    let text = format!("upstream said: token={key} for me@example.com");
    let shown = red.for_log(&text, 2000);
    assert!(
        !shown.contains(key) && !shown.contains("me@example.com"),
        "{shown}"
    );
    assert!(red.for_log(&"x".repeat(10_000), 100).chars().count() <= 101);
}

#[test]
fn errors_and_report_contexts_read_back_from_their_json() {
    use agentwire::report::ReportContext;
    let secret = "sk-test-roundtrip-0123456789";
    let mut e = agentwire::parse::parse_error_str(
        429,
        &agentwire::HeaderList(vec![
            ("retry-after".into(), "2".into()),
            ("x-request-id".into(), "req_77".into()),
        ]),
        r#"{"detail":[{"loc":["body","model"],"msg":"field required","type":"value_error.missing"}]}"#,
        0.0,
        &agentwire::redact::Redactor::new(vec![secret.into()]),
    );
    e.rate_limit = Some(agentwire::RateLimit {
        limit: Some(10),
        remaining: Some(0),
        reset_at: Some(1.5e12),
    });
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(agentwire::AgentError::from_value(&v), Some(e.clone()));
    let mut bad = v.clone();
    bad["kind"] = serde_json::json!("teapot");
    assert_eq!(agentwire::AgentError::from_value(&bad), None);
    let minimal =
        agentwire::AgentError::from_value(&serde_json::json!({"kind": "unknown", "message": "x"}))
            .unwrap();
    assert_eq!(minimal.vendor_format, agentwire::VendorFormat::Client);
    assert!(!minimal.retryable);

    let ctx = ReportContext::from_value(&serde_json::json!({
        "endpoint": "/v1/chat/completions", "baseUrl": "https://ai.hatz.ai", "streaming": true,
        "attempts": 3, "timestampMs": 1.7e12, "tzOffsetMinutes": -300, "jobId": "job_1", "model": 5
    }));
    assert_eq!(ctx.endpoint.as_deref(), Some("/v1/chat/completions"));
    assert_eq!(ctx.base_url.as_deref(), Some("https://ai.hatz.ai"));
    assert_eq!(
        (ctx.streaming, ctx.attempts, ctx.tz_offset_minutes),
        (Some(true), Some(3), Some(-300))
    );
    assert_eq!(ctx.job_id.as_deref(), Some("job_1"));
    assert_eq!(
        ctx.model, None,
        "a wrongly typed field is absent, not an error"
    );
}
