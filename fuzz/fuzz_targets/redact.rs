//! Redaction must never panic, and a configured secret spliced anywhere must never survive.
#![no_main]

use agentwire::redact::Redactor;
use libfuzzer_sys::fuzz_target;

const CANARY: &str = "FuzzCanary0123456789";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let at = data.first().map_or(0, |b| usize::from(*b)) % (text.len() + 1);
    let at = (0..=at)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    let (a, b) = text.split_at(at);
    let spliced = format!("{a}{CANARY}{b}");
    let red = Redactor::new(vec![CANARY.to_string()]);
    assert!(!red.redact(&spliced).contains(CANARY));
    let _ = Redactor::default().redact(&text);
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
        let _ = red.redact_json(&v);
        let _ = red.redact_json_for_report(&v);
    }
});
