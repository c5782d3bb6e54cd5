//! Tests may panic: a failed assertion is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use agentwire::request::{
    build_url, contains_secret, generate_request_id, percent_encode, validate_base_url,
    validate_header, validate_request_id, AuthScheme, RequestError,
};
use proptest::prelude::*;

const KEY: &str = "hatz_sk_live_9f8e7d6c5b4a";

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Every error must name its option, explain itself, and never carry the key.
fn check_err(e: &RequestError, option: &str, needle: &str) {
    assert_eq!(e.option, option, "{e}");
    assert!(
        e.message.to_lowercase().contains(&needle.to_lowercase()),
        "message {:?} should mention {needle:?}",
        e.message
    );
    assert!(!e.message.contains(KEY), "secret leaked: {}", e.message);
    assert!(!e.to_string().contains(KEY));
    assert!(e.to_string().contains(option));
}

#[test]
fn auth_scheme_parse_and_headers() {
    assert_eq!(AuthScheme::parse("x-api-key"), Some(AuthScheme::XApiKey));
    assert_eq!(AuthScheme::parse("Bearer"), Some(AuthScheme::Bearer));
    assert_eq!(
        AuthScheme::parse("authorization"),
        Some(AuthScheme::Authorization)
    );
    assert_eq!(AuthScheme::parse("none"), Some(AuthScheme::None));
    assert_eq!(AuthScheme::parse("basic"), None);
    assert_eq!(AuthScheme::parse(""), None);
    assert_eq!(AuthScheme::default(), AuthScheme::XApiKey);

    assert_eq!(
        AuthScheme::XApiKey.header(KEY),
        Some(("X-API-Key", KEY.to_string()))
    );
    assert_eq!(
        AuthScheme::Bearer.header(KEY),
        Some(("Authorization", format!("Bearer {KEY}")))
    );
    assert_eq!(
        AuthScheme::Authorization.header("hl_agent_123"),
        Some(("Authorization", "hl_agent_123".to_string()))
    );
    assert_eq!(AuthScheme::None.header(KEY), None);
    for name in AuthScheme::NAMES {
        assert_eq!(AuthScheme::parse(name).unwrap().as_str(), name);
    }
}

#[test]
fn base_url_is_normalised() {
    assert_eq!(
        validate_base_url("https://ai.hatz.ai", false).unwrap(),
        "https://ai.hatz.ai"
    );
    assert_eq!(
        validate_base_url("HTTPS://AI.Hatz.AI/v1/openai/", false).unwrap(),
        "https://ai.hatz.ai/v1/openai"
    );
    assert_eq!(
        validate_base_url("https://api.agntix.ai:8443//", false).unwrap(),
        "https://api.agntix.ai:8443"
    );
}

#[test]
fn http_only_to_loopback_unless_allowed() {
    for ok in [
        "http://localhost:8080",
        "http://127.0.0.1:3000/mock",
        "http://127.10.20.30",
        "http://[::1]:9000",
        "http://api.localhost",
    ] {
        assert!(validate_base_url(ok, false).is_ok(), "{ok}");
    }
    for bad in [
        "http://ai.hatz.ai",
        "http://10.0.0.5",
        "http://127.0.0.1.evil.com",
        "http://localhost.evil.com",
        "http://[::2]",
    ] {
        let e = validate_base_url(bad, false).unwrap_err();
        check_err(&e, "baseUrl", "allowInsecureHttp");
        assert!(
            validate_base_url(bad, true).is_ok(),
            "{bad} allowed when insecure http is on"
        );
    }
}

#[test]
fn base_url_rejects_bad_shapes() {
    let cases: [(&str, &str); 11] = [
        ("", "empty"),
        ("ai.hatz.ai", "absolute"),
        ("ftp://ai.hatz.ai", "https://"),
        ("https://", "no host"),
        ("https://ai.hatz.ai?x=1", "query"),
        ("https://ai.hatz.ai/#frag", "fragment"),
        ("https://ai.hatz.ai:0", "port"),
        ("https://ai.hatz.ai:99999", "port"),
        ("https://ai.hatz.ai:80a", "port"),
        ("https://ai.hatz.ai/a/../b", ".."),
        ("https://ai.ha%tz.ai", "host"),
    ];
    for (url, needle) in cases {
        let e = validate_base_url(url, false).unwrap_err();
        check_err(&e, "baseUrl", needle);
    }
}

#[test]
fn base_url_rejects_whitespace_and_controls() {
    for url in [
        "https://ai.hatz.ai\n",
        " https://ai.hatz.ai",
        "https://ai.hatz.ai/v1\t",
        "https://ai.hatz\0.ai",
    ] {
        let e = validate_base_url(url, false).unwrap_err();
        check_err(&e, "baseUrl", "whitespace");
    }
    let e = validate_base_url("https://ai.hatz.ai\\@evil.com", false).unwrap_err();
    check_err(&e, "baseUrl", "backslash");
}

#[test]
fn base_url_with_credentials_is_refused_without_echoing_them() {
    let url = format!("https://user:{KEY}@ai.hatz.ai");
    let e = validate_base_url(&url, false).unwrap_err();
    check_err(&e, "baseUrl", "credentials");
    let e = validate_base_url(&format!("https://{KEY}@ai.hatz.ai"), false).unwrap_err();
    check_err(&e, "baseUrl", "credentials");
}

#[test]
fn build_url_joins_and_encodes() {
    let url = build_url(
        "https://ai.hatz.ai",
        "/v1/workflows/5ae6e9dd-0296",
        &q(&[("a b", "c&d=e/ü"), ("page_token", "x~y.z_-")]),
    )
    .unwrap();
    assert_eq!(
        url,
        "https://ai.hatz.ai/v1/workflows/5ae6e9dd-0296?a%20b=c%26d%3De%2F%C3%BC&page_token=x~y.z_-"
    );
    assert_eq!(
        build_url("https://ai.hatz.ai/", "/v1/chat/completions", &[]).unwrap(),
        "https://ai.hatz.ai/v1/chat/completions"
    );
    // Non-ASCII path bytes are encoded; existing escapes are kept.
    assert_eq!(
        build_url("https://x.io", "/files/r%C3%A9sum\u{e9}", &[]).unwrap(),
        "https://x.io/files/r%C3%A9sum%C3%A9"
    );
}

#[test]
fn build_url_rejects_paths_that_leave_the_base() {
    let cases: [(&str, &str); 10] = [
        ("v1/chat", "start with"),
        ("https://evil.com/v1", "start with"),
        ("//evil.com/v1", "//"),
        ("/v1/../admin", ".."),
        ("/v1/%2E%2E/admin", ".."),
        ("/v1/./x", ".."),
        ("/v1/chat\r\nX-Evil: 1", "control"),
        ("/v1/a b", "whitespace"),
        ("/v1/chat?api_key=1", "query"),
        ("/v1\\..\\admin", "backslash"),
    ];
    for (path, needle) in cases {
        let e = build_url("https://ai.hatz.ai", path, &[]).unwrap_err();
        check_err(&e, "path", needle);
    }
}

#[test]
fn build_url_refuses_credential_query_params() {
    for name in [
        "key",
        "api_key",
        "apiKey",
        "APIKEY",
        "access_token",
        "token",
        "x-api-key",
        "auth",
        "authorization",
        "password",
        "secret",
        "hatz_api_key",
        "client_secret",
    ] {
        let e = build_url("https://ai.hatz.ai", "/v1/x", &q(&[(name, KEY)])).unwrap_err();
        check_err(&e, "query", "headers");
        assert!(
            e.message.contains(name),
            "names the parameter: {}",
            e.message
        );
    }
    // Ordinary parameters that merely contain these words are fine.
    for name in [
        "page_token",
        "max_tokens",
        "keyword",
        "author_id",
        "next_page_token",
    ] {
        assert!(
            build_url("https://ai.hatz.ai", "/v1/x", &q(&[(name, "1")])).is_ok(),
            "{name}"
        );
    }
    let e = build_url("https://ai.hatz.ai", "/v1/x", &q(&[("", "1")])).unwrap_err();
    check_err(&e, "query", "empty name");
}

#[test]
fn contains_secret_finds_plain_and_encoded_forms() {
    let key = "sk/abc+def=ghi jkl";
    assert!(contains_secret(&format!("x{key}y"), key));
    let encoded = percent_encode(key);
    assert_eq!(encoded, "sk%2Fabc%2Bdef%3Dghi%20jkl");
    assert!(contains_secret(&format!("https://x.io/?q={encoded}"), key));
    assert!(contains_secret("q=sk%2fabc%2bdef%3dghi%20jkl", key));
    assert!(contains_secret("q=sk%2Fabc%2Bdef%3Dghi+jkl", key));
    assert!(!contains_secret("sk/abc", key));
    assert!(!contains_secret("anything", ""));
}

#[test]
fn header_names_must_be_tokens() {
    assert!(validate_header("X-Tenant-Id", "acme").is_ok());
    assert!(validate_header("Idempotency-Key", "run-42").is_ok());
    assert!(validate_header("X-Trace", "a\tb").is_ok());
    for name in ["", "X Tenant", "X-Tenant:", "Ü-Header", "X-(x)"] {
        let e = validate_header(name, "v").unwrap_err();
        check_err(&e, "headers", "name");
    }
}

#[test]
fn header_values_cannot_inject() {
    for value in ["a\r\nX-Evil: 1", "a\nb", "a\rb", "a\0b"] {
        let e = validate_header("X-Tenant", value).unwrap_err();
        check_err(&e, "headers", "CR, LF or NUL");
        assert!(e.message.contains("X-Tenant"));
    }
    let e = validate_header("X-Tenant", "a\u{7}b").unwrap_err();
    check_err(&e, "headers", "control");
    let e = validate_header("X-Tenant", "caf\u{e9}").unwrap_err();
    check_err(&e, "headers", "non-ASCII");
}

#[test]
fn auth_headers_cannot_be_overridden() {
    for name in [
        "Authorization",
        "authorization",
        "X-API-Key",
        "x-api-key",
        "Cookie",
        "Proxy-Authorization",
    ] {
        let e = validate_header(name, KEY).unwrap_err();
        check_err(&e, "headers", "apiKey");
        assert!(e.message.contains(name));
    }
    let e = validate_header("X-Request-ID", "abc").unwrap_err();
    check_err(&e, "headers", "requestId");
}

#[test]
fn request_id_rules() {
    for ok in ["a", "req_01J2K", "aw_0123:abc.def-ghi", &"x".repeat(128)] {
        assert!(validate_request_id(ok, Some(KEY)).is_ok(), "{ok}");
    }
    check_err(
        &validate_request_id("", None).unwrap_err(),
        "requestId",
        "empty",
    );
    check_err(
        &validate_request_id(&"x".repeat(129), None).unwrap_err(),
        "requestId",
        "128",
    );
    check_err(
        &validate_request_id("jane.doe@example.com", None).unwrap_err(),
        "requestId",
        "email",
    );
    for bad in ["has space", "slash/id", "quote\"", "new\nline", "ünï"] {
        check_err(
            &validate_request_id(bad, None).unwrap_err(),
            "requestId",
            "letters, digits",
        );
    }
    let e = validate_request_id(&format!("req-{KEY}"), Some(KEY)).unwrap_err();
    check_err(&e, "requestId", "API key");
}

#[test]
fn generated_request_ids_are_valid_and_hex() {
    let id = generate_request_id(&[0u8; 16]);
    assert_eq!(id, format!("aw_{}", "0".repeat(32)));
    let bytes: [u8; 16] = core::array::from_fn(|i| (i as u8) * 17);
    let id = generate_request_id(&bytes);
    assert_eq!(id, "aw_00112233445566778899aabbccddeeff");
    assert!(validate_request_id(&id, None).is_ok());
}

proptest! {
    #[test]
    fn any_generated_id_validates(bytes in any::<[u8; 16]>()) {
        let id = generate_request_id(&bytes);
        prop_assert_eq!(id.len(), 35);
        prop_assert!(validate_request_id(&id, None).is_ok());
    }

    #[test]
    fn query_values_round_trip_through_encoding(value in ".{0,40}") {
        let url = build_url("https://x.io", "/p", &q(&[("v", &value)])).unwrap();
        let encoded = url.strip_prefix("https://x.io/p?v=").unwrap();
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        prop_assert!(contains_secret(&url, &value) || value.is_empty());
    }
}
