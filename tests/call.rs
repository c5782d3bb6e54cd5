//! One call's wire form: URL, headers, request id and whether it may be re-sent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use agentwire::call::{prepare, CallSpec};
use agentwire::config::ClientConfig;
use agentwire::retry::RequestSafety;
use agentwire::ErrorKind;

const KEY: &str = "test-canary-key-9f8e7d6c5b4a";

fn cfg(json: &str) -> ClientConfig {
    ClientConfig::from_json(json, Some(KEY)).expect("valid options")
}

fn spec(method: &str, path: &str) -> CallSpec {
    CallSpec {
        method: method.into(),
        path: path.into(),
        ..Default::default()
    }
}

#[test]
fn builds_url_headers_and_a_generated_request_id() {
    let c = cfg(r#"{"baseUrl":"http://127.0.0.1:8787"}"#);
    let mut s = spec("post", "/v1/chat/completions");
    s.content_type = Some("application/json".into());
    let p = prepare(&c, &s, Some(KEY), &[7u8; 16]).unwrap();
    assert_eq!(p.method, "POST");
    assert_eq!(p.url, "http://127.0.0.1:8787/v1/chat/completions");
    let rid = p
        .headers
        .iter()
        .find(|(n, _)| n == "X-Request-ID")
        .map(|(_, v)| v.clone())
        .unwrap();
    assert_eq!(rid, p.request_id);
    assert!(rid.len() >= 16, "{rid}");
    assert!(p
        .headers
        .iter()
        .any(|(n, v)| n == "Content-Type" && v == "application/json"));
    assert!(p
        .headers
        .iter()
        .any(|(n, v)| n == "Accept" && v == "application/json"));
    // The auth header is added by the transport from the held key, never by preparation.
    assert!(p.headers.iter().all(|(_, v)| !v.contains(KEY)));
}

#[test]
fn different_random_bytes_give_different_request_ids() {
    let c = cfg("{}");
    let a = prepare(&c, &spec("GET", "/v1/workflows/x"), None, &[1u8; 16]).unwrap();
    let b = prepare(&c, &spec("GET", "/v1/workflows/x"), None, &[2u8; 16]).unwrap();
    assert_ne!(a.request_id, b.request_id);
}

#[test]
fn callers_request_id_is_used_when_valid_and_refused_when_it_leaks() {
    let c = cfg("{}");
    let mut s = spec("GET", "/v1/workflows/abc");
    s.request_id = Some("trace-1234.abc:9".into());
    assert_eq!(
        prepare(&c, &s, Some(KEY), &[0; 16]).unwrap().request_id,
        "trace-1234.abc:9"
    );
    for bad in ["has space", "me@example.com", KEY, ""] {
        s.request_id = Some(bad.into());
        let e = prepare(&c, &s, Some(KEY), &[0; 16]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation, "{bad}");
        assert!(!e.message.contains(KEY));
    }
}

#[test]
fn key_in_query_or_headers_is_refused_without_echoing_it() {
    let c = cfg("{}");
    let mut s = spec("GET", "/v1/x");
    s.query = vec![("q".into(), KEY.into())];
    let e = prepare(&c, &s, Some(KEY), &[0; 16]).unwrap_err();
    assert!(!e.message.contains(KEY), "{}", e.message);
    let mut s = spec("GET", "/v1/x");
    s.headers = vec![("X-Custom".into(), format!("prefix {KEY}"))];
    let e = prepare(&c, &s, Some(KEY), &[0; 16]).unwrap_err();
    assert!(
        e.message.contains("X-Custom") && !e.message.contains(KEY),
        "{}",
        e.message
    );
    let mut s = spec("GET", "/v1/x");
    s.query = vec![("api_key".into(), "whatever".into())];
    assert!(prepare(&c, &s, Some(KEY), &[0; 16]).is_err());
}

#[test]
fn paid_posts_are_not_resent_unless_idempotent_or_opted_in() {
    let c = cfg("{}");
    assert_eq!(
        prepare(&c, &spec("POST", "/v1/workflows/run"), None, &[0; 16])
            .unwrap()
            .safety,
        RequestSafety::Paid
    );
    assert_eq!(
        prepare(&c, &spec("GET", "/v1/workflows/j"), None, &[0; 16])
            .unwrap()
            .safety,
        RequestSafety::Idempotent
    );
    let mut s = spec("POST", "/v1/workflows/run");
    s.idempotency_key = Some("run-42".into());
    let p = prepare(&c, &s, None, &[0; 16]).unwrap();
    assert_eq!(p.safety, RequestSafety::Idempotent);
    assert!(p
        .headers
        .iter()
        .any(|(n, v)| n == "Idempotency-Key" && v == "run-42"));
    let opted = cfg(r#"{"retryPaidRequests":true}"#);
    assert_eq!(
        prepare(&opted, &spec("POST", "/v1/x"), None, &[0; 16])
            .unwrap()
            .safety,
        RequestSafety::Idempotent
    );
    let mut s = spec("POST", "/v1/workflows/presigned-url");
    s.paid = Some(false);
    assert_eq!(
        prepare(&c, &s, None, &[0; 16]).unwrap().safety,
        RequestSafety::Idempotent
    );
}

#[test]
fn bad_method_path_and_auth_are_typed_validation_errors() {
    let c = cfg("{}");
    for (m, p) in [
        ("BREW", "/v1/x"),
        ("GET", "http://evil.example/v1"),
        ("GET", "//evil.example/x"),
        ("GET", "v1/no-slash"),
    ] {
        let e = prepare(&c, &spec(m, p), None, &[0; 16]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation, "{m} {p}");
        assert_eq!(e.code.as_deref(), Some("INVALID_REQUEST"));
    }
    let mut s = spec("GET", "/v1/x");
    s.auth = Some("basic".into());
    assert!(prepare(&c, &s, None, &[0; 16])
        .unwrap_err()
        .message
        .contains("basic"));
}

#[test]
fn stream_calls_ask_for_event_streams_and_caller_headers_override_defaults() {
    let c = cfg(r#"{"headers":{"X-Team":"a"}}"#);
    let mut s = spec("POST", "/v1/chat/completions");
    s.stream = true;
    s.headers = vec![("x-team".into(), "b".into())];
    let p = prepare(&c, &s, None, &[0; 16]).unwrap();
    assert!(p
        .headers
        .iter()
        .any(|(n, v)| n == "Accept" && v == "text/event-stream"));
    let teams: Vec<_> = p
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("x-team"))
        .collect();
    assert_eq!(teams.len(), 1);
    assert_eq!(teams[0].1, "b");
}

#[test]
fn idempotency_key_carrying_the_api_key_is_refused() {
    let c = cfg("{}");
    let mut s = spec("POST", "/v1/chat/completions");
    s.idempotency_key = Some(format!("idem-{KEY}"));
    let e = prepare(&c, &s, Some(KEY), &[0; 16]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation);
    assert!(
        e.message.contains("idempotencyKey") && !e.message.contains(KEY),
        "{}",
        e.message
    );
}

#[test]
fn call_specs_are_read_with_errors_that_name_the_option() {
    let s = CallSpec::from_json(
        r#"{"method":"POST","path":"/v1/x","query":[["a","1"]],"headers":[["X-T","v"]],"timeoutMs":5,"paid":false,"stream":true}"#,
    )
    .unwrap();
    assert_eq!(
        (
            s.method.as_str(),
            s.path.as_str(),
            s.timeout_ms,
            s.paid,
            s.stream
        ),
        ("POST", "/v1/x", Some(5), Some(false), true)
    );
    assert_eq!(s.query, vec![("a".to_string(), "1".to_string())]);
    assert_eq!(s.headers, vec![("X-T".to_string(), "v".to_string())]);
    assert_eq!(
        CallSpec::from_json(r#"{"path":"/v1/x"}"#).unwrap().method,
        "GET"
    );
    for (json, option) in [
        (r#"{"path":"/x","timeoutMs":"soon"}"#, "timeoutMs"),
        (r#"{"path":"/x","timeoutMs":-1}"#, "timeoutMs"),
        (r#"{"path":"/x","paid":"yes"}"#, "paid"),
        (r#"{"path":"/x","query":[["a",1]]}"#, "query"),
        (r#"{"path":"/x","headers":{"a":"b"}}"#, "headers"),
        (r#"{"path":5}"#, "path"),
        (r#"{}"#, "path"),
        (r#"{"path":"/x","bogus":1}"#, "bogus"),
        (r#"[1]"#, "request"),
    ] {
        let e = CallSpec::from_json(json).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation, "{json}");
        assert!(e.message.contains(option), "{json}: {}", e.message);
    }
}
