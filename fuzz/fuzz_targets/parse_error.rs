//! Status from the first two bytes; then header lines up to a blank line; the rest is the body.
#![no_main]

use agentwire::parse::{parse_error, parse_event_error};
use agentwire::redact::Redactor;
use agentwire::HeaderList;
use libfuzzer_sys::fuzz_target;

const CANARY: &str = "FuzzCanary0123456789";

fuzz_target!(|data: &[u8]| {
    let (status, rest) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]), rest),
        _ => return,
    };
    let split = rest
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(rest.len());
    let (head, body) = rest.split_at(split);
    let headers: HeaderList = String::from_utf8_lossy(head)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let red = Redactor::new(vec![CANARY.to_string()]);
    let err = parse_error(status, &headers, body, 1_705_314_600_000.0, &red);
    assert!(err.message.chars().count() <= agentwire::error::MAX_MESSAGE_CHARS);
    let json = serde_json::to_string(&err).unwrap_or_default();
    assert!(!json.contains(CANARY), "configured secret leaked: {json}");
    if let Some(e) = parse_event_error(&String::from_utf8_lossy(body), &red) {
        assert!(!serde_json::to_string(&e)
            .unwrap_or_default()
            .contains(CANARY));
    }
});
