//! Tests may panic: a failed assertion is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use agentwire::config::{BreakerConfig, ClientConfig, LogLevel, OPTION_NAMES};
use agentwire::request::{AuthScheme, RequestError};
use agentwire::retry::{BreakerState, RetryPolicy};

const KEY: &str = "hatz_sk_live_9f8e7d6c5b4a";

fn ok(json: &str) -> ClientConfig {
    ClientConfig::from_json(json, Some(KEY)).unwrap()
}

fn bad(json: &str) -> RequestError {
    ClientConfig::from_json(json, Some(KEY)).unwrap_err()
}

fn check_err(e: &RequestError, option: &str, needle: &str) {
    assert_eq!(e.option, option, "{e}");
    assert!(
        e.message.to_lowercase().contains(&needle.to_lowercase()),
        "message {:?} should mention {needle:?}",
        e.message
    );
    assert!(!e.message.contains(KEY), "secret leaked: {}", e.message);
}

#[test]
fn defaults() {
    let c = ok("{}");
    assert_eq!(c.base_url, "https://ai.hatz.ai");
    assert_eq!(c.auth, AuthScheme::XApiKey);
    assert_eq!(c.timeout_ms, 60_000);
    assert_eq!(c.deadline_ms, 180_000);
    assert_eq!(c.retry_policy(), RetryPolicy::default());
    assert!(c.headers.is_empty());
    assert!(!c.allow_insecure_http);
    assert!(!c.dangerously_allow_browser);
    assert_eq!(c.log_level, LogLevel::Warn);
    assert!(!c.log_bodies);
    assert_eq!(c.circuit_breaker, None);
    assert!(c.pace_rate_limits);
    assert_eq!(c.stream_idle_timeout_ms, 60_000);
    assert_eq!(c.max_upload_bytes, 100 * 1024 * 1024);
    assert!(!c.retry_paid_requests);
    assert_eq!(c, ClientConfig::default());
    // Empty input and null count as "no options"; no key is fine too.
    assert_eq!(ClientConfig::from_json("", None).unwrap(), c);
    assert_eq!(ClientConfig::from_json("null", None).unwrap(), c);
    // null for a single option means "default".
    assert_eq!(ok(r#"{"timeoutMs": null}"#).timeout_ms, 60_000);
}

#[test]
fn all_options_are_read() {
    let c = ok(r#"{
        "baseUrl": "https://ai.hatz.ai/v1/openai/",
        "auth": "bearer",
        "timeoutMs": 30000,
        "deadlineMs": 120000,
        "maxRetries": 4,
        "retryBaseDelayMs": 200,
        "retryMaxDelayMs": 5000,
        "maxRetryAfterMs": 45000,
        "headers": {"X-Tenant-Id": "acme", "X-Trace": "t1"},
        "allowInsecureHttp": false,
        "dangerouslyAllowBrowser": true,
        "logLevel": "debug",
        "logBodies": true,
        "circuitBreaker": {"threshold": 3, "windowMs": 60000, "cooldownMs": 5000},
        "paceRateLimits": false,
        "streamIdleTimeoutMs": 15000,
        "maxUploadBytes": 1048576,
        "retryPaidRequests": true
    }"#);
    assert_eq!(c.base_url, "https://ai.hatz.ai/v1/openai");
    assert_eq!(c.auth, AuthScheme::Bearer);
    assert_eq!(c.timeout_ms, 30_000);
    assert_eq!(c.deadline_ms, 120_000);
    assert_eq!(
        c.retry_policy(),
        RetryPolicy {
            max_retries: 4,
            base_delay_ms: 200,
            max_delay_ms: 5_000,
            max_retry_after_ms: 45_000
        }
    );
    assert_eq!(c.headers.len(), 2);
    assert!(c
        .headers
        .contains(&("X-Tenant-Id".to_string(), "acme".to_string())));
    assert!(c.dangerously_allow_browser);
    assert_eq!(c.log_level, LogLevel::Debug);
    assert!(c.logs_bodies());
    assert_eq!(
        c.circuit_breaker,
        Some(BreakerConfig {
            threshold: 3,
            window_ms: 60_000.0,
            cooldown_ms: 5_000.0
        })
    );
    assert!(!c.pace_rate_limits);
    assert_eq!(c.stream_idle_timeout_ms, 15_000);
    assert_eq!(c.max_upload_bytes, 1_048_576);
    assert!(c.retry_paid_requests);
}

#[test]
fn deadline_defaults_to_three_timeouts() {
    assert_eq!(ok(r#"{"timeoutMs": 10000}"#).deadline_ms, 30_000);
}

#[test]
fn unknown_option_is_named_with_valid_list_and_suggestion() {
    let e = bad(r#"{"timeout": 5}"#);
    check_err(&e, "options", "unknown option \"timeout\"");
    assert!(
        e.message.contains("did you mean \"timeoutMs\""),
        "{}",
        e.message
    );
    for name in OPTION_NAMES {
        assert!(e.message.contains(name), "lists {name}");
    }
    let e = bad(r#"{"baseURL": "https://x.io"}"#);
    assert!(
        e.message.contains("did you mean \"baseUrl\""),
        "{}",
        e.message
    );
    let e = bad(r#"{"zzzzzzzz": 1}"#);
    assert!(!e.message.contains("did you mean"));
}

#[test]
fn unknown_option_that_is_the_key_is_not_echoed() {
    let e = bad(&format!(r#"{{"{KEY}": true}}"#));
    check_err(&e, "options", "unrecognised option");
}

#[test]
fn js_only_options_are_reported_as_wrapper_bug() {
    for name in ["apiKey", "fetch", "logger", "signal"] {
        let e = ClientConfig::from_json(&format!(r#"{{"{name}": "x"}}"#), None).unwrap_err();
        check_err(&e, "options", name);
        assert!(e.message.contains("wrapper"));
    }
}

#[test]
fn wrong_types_name_option_and_expected_type() {
    let cases: [(&str, &str, &str); 9] = [
        (r#"{"timeoutMs": "60000"}"#, "timeoutMs", "whole number"),
        (
            r#"{"timeoutMs": 1.5}"#,
            "timeoutMs",
            "got a fractional number",
        ),
        (
            r#"{"maxRetries": -1}"#,
            "maxRetries",
            "got a negative number",
        ),
        (r#"{"baseUrl": 5}"#, "baseUrl", "string"),
        (
            r#"{"allowInsecureHttp": "yes"}"#,
            "allowInsecureHttp",
            "true or false",
        ),
        (r#"{"headers": ["a"]}"#, "headers", "object"),
        (r#"{"headers": {"X-A": 1}}"#, "headers", "string value"),
        (r#"{"circuitBreaker": "on"}"#, "circuitBreaker", "threshold"),
        (
            r#"{"circuitBreaker": {"threshold": "3"}}"#,
            "circuitBreaker",
            "threshold",
        ),
    ];
    for (json, option, needle) in cases {
        check_err(&bad(json), option, needle);
    }
    // Wrong-typed values are described, never quoted.
    let e = bad(&format!(r#"{{"timeoutMs": "{KEY}"}}"#));
    check_err(&e, "timeoutMs", "got a string");
}

#[test]
fn malformed_json_and_non_objects() {
    check_err(&bad("{"), "options", "not valid JSON");
    check_err(&bad("[1]"), "options", "must be an object");
    check_err(&bad(&format!("\"{KEY}\"")), "options", "must be an object");
}

#[test]
fn ranges_are_enforced() {
    let cases: [(&str, &str); 10] = [
        (r#"{"timeoutMs": 0}"#, "timeoutMs"),
        (r#"{"timeoutMs": 600001}"#, "timeoutMs"),
        (r#"{"deadlineMs": 0}"#, "deadlineMs"),
        (r#"{"maxRetries": 11}"#, "maxRetries"),
        (r#"{"retryBaseDelayMs": 0}"#, "retryBaseDelayMs"),
        (
            r#"{"retryBaseDelayMs": 1000, "retryMaxDelayMs": 500}"#,
            "retryMaxDelayMs",
        ),
        (r#"{"streamIdleTimeoutMs": 0}"#, "streamIdleTimeoutMs"),
        (r#"{"maxUploadBytes": 0}"#, "maxUploadBytes"),
        (r#"{"circuitBreaker": {"threshold": 0}}"#, "circuitBreaker"),
        (r#"{"circuitBreaker": {"cooldownMs": 0}}"#, "circuitBreaker"),
    ];
    for (json, option) in cases {
        let e = bad(json);
        assert_eq!(e.option, option, "{json}: {e}");
        assert!(e.message.contains(option), "{}", e.message);
    }
    assert_eq!(ok(r#"{"timeoutMs": 600000}"#).timeout_ms, 600_000);
    assert_eq!(ok(r#"{"maxRetries": 0}"#).max_retries, 0);
    assert_eq!(ok(r#"{"maxRetries": 10}"#).max_retries, 10);
    // Raising only the base delay lifts the default cap with it.
    let c = ok(r#"{"retryBaseDelayMs": 20000}"#);
    assert_eq!(c.retry_max_delay_ms, 20_000);
}

#[test]
fn auth_and_log_level_values() {
    assert_eq!(
        ok(r#"{"auth": "authorization"}"#).auth,
        AuthScheme::Authorization
    );
    assert_eq!(ok(r#"{"auth": "none"}"#).auth, AuthScheme::None);
    let e = bad(r#"{"auth": "basic"}"#);
    check_err(
        &e,
        "auth",
        "\"x-api-key\", \"bearer\", \"authorization\", \"none\"",
    );
    assert_eq!(ok(r#"{"logLevel": "off"}"#).log_level, LogLevel::Off);
    check_err(&bad(r#"{"logLevel": "verbose"}"#), "logLevel", "\"debug\"");
    // Bodies are only logged at debug level.
    assert!(!ok(r#"{"logBodies": true, "logLevel": "info"}"#).logs_bodies());
}

#[test]
fn base_url_rules_apply() {
    check_err(
        &bad(r#"{"baseUrl": "http://ai.hatz.ai"}"#),
        "baseUrl",
        "allowInsecureHttp",
    );
    assert_eq!(
        ok(r#"{"baseUrl": "http://ai.hatz.ai", "allowInsecureHttp": true}"#).base_url,
        "http://ai.hatz.ai"
    );
    assert_eq!(
        ok(r#"{"baseUrl": "http://localhost:4010"}"#).base_url,
        "http://localhost:4010"
    );
}

#[test]
fn key_inside_base_url_is_refused() {
    let e = bad(&format!(r#"{{"baseUrl": "https://ai.hatz.ai/{KEY}/v1"}}"#));
    check_err(&e, "baseUrl", "API key");
    let e = bad(&format!(r#"{{"baseUrl": "https://x:{KEY}@ai.hatz.ai"}}"#));
    check_err(&e, "baseUrl", "API key");
}

#[test]
fn headers_are_validated() {
    let e = bad(r#"{"headers": {"Authorization": "Bearer abc"}}"#);
    check_err(&e, "headers", "Authorization");
    let e = bad(r#"{"headers": {"x-api-key": "abc"}}"#);
    check_err(&e, "headers", "apiKey");
    let e = bad(r#"{"headers": {"X-A": "a\r\nX-B: b"}}"#);
    check_err(&e, "headers", "CR, LF");
    let e = bad(r#"{"headers": {"X A": "a"}}"#);
    check_err(&e, "headers", "name");
    let e = bad(r#"{"headers": {"X-A": "1", "x-a": "2"}}"#);
    check_err(&e, "headers", "twice");
}

#[test]
fn key_inside_headers_is_refused() {
    let e = bad(&format!(
        r#"{{"headers": {{"X-Upstream": "token {KEY}"}}}}"#
    ));
    check_err(&e, "headers", "API key");
    assert!(e.message.contains("X-Upstream"));
}

#[test]
fn api_key_checks() {
    let e = ClientConfig::from_json("{}", Some("")).unwrap_err();
    assert_eq!(e.option, "apiKey");
    assert_eq!(
        e.message,
        "apiKey is empty: pass the key from your secret store, or omit it for auth \"none\""
    );
    for key in [
        format!("{KEY}\n"),
        format!("{KEY}\r\n"),
        format!(" {KEY}"),
        "abc def".to_string(),
    ] {
        let e = ClientConfig::from_json("{}", Some(&key)).unwrap_err();
        assert_eq!(e.option, "apiKey");
        assert!(e.message.contains("whitespace"));
        assert!(!e.message.contains(KEY));
    }
    assert!(ClientConfig::from_json("{}", Some(KEY)).is_ok());
}

#[test]
fn debug_output_holds_no_header_values() {
    let c = ok(r#"{"headers": {"X-Tenant-Token": "tenant-private-value"}}"#);
    let dbg = format!("{c:?}");
    assert!(dbg.contains("X-Tenant-Token"));
    assert!(!dbg.contains("tenant-private-value"));
}

#[test]
fn circuit_breaker_option_forms() {
    assert_eq!(ok(r#"{"circuitBreaker": false}"#).circuit_breaker, None);
    assert_eq!(
        ok(r#"{"circuitBreaker": true}"#).circuit_breaker,
        Some(BreakerConfig::default())
    );
    let c = ok(r#"{"circuitBreaker": {"threshold": 2}}"#);
    assert_eq!(c.circuit_breaker.unwrap().threshold, 2);
    assert_eq!(c.circuit_breaker.unwrap().cooldown_ms, 30_000.0);
    let mut b = c.new_circuit_breaker().unwrap();
    b.record_failure(0.0);
    b.record_failure(1.0);
    assert!(matches!(b.state(), BreakerState::Open { .. }));
    assert!(ok("{}").new_circuit_breaker().is_none());
    check_err(
        &bad(r#"{"circuitBreaker": {"limit": 2}}"#),
        "circuitBreaker",
        "unknown field",
    );
}
