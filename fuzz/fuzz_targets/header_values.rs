//! Header value parsers on arbitrary values: never panic, never return absurd delays.
#![no_main]

use agentwire::header_values::{
    parse_http_date, rate_limit, request_id, retry_after_ms, usage_headers, MAX_RETRY_AFTER_MS,
};
use agentwire::HeaderList;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 10] = [
    "retry-after",
    "retry-after-ms",
    "date",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-reset-requests",
    "anthropic-ratelimit-requests-reset",
    "x-request-id",
    "x-balance",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let headers: HeaderList = text
        .split('\n')
        .zip(NAMES.iter().cycle())
        .map(|(v, n)| (n.to_string(), v.to_string()))
        .collect();
    let _ = parse_http_date(&text);
    if let Some(ms) = retry_after_ms(&headers, 1_705_314_600_000.0) {
        assert!(ms <= MAX_RETRY_AFTER_MS);
    }
    let _ = rate_limit(&headers, 1_705_314_600_000.0);
    if let Some(id) = request_id(&headers) {
        assert!(id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic()));
    }
    let _ = usage_headers(&headers);
});
