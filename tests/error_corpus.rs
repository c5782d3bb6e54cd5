//! Every error example from the platform documents, plus real-world gateway failures, parsed
//! and checked against the expected classification recorded next to it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::Path;

use agentwire::error::MAX_MESSAGE_CHARS;
use agentwire::parse::{failed_job_error, parse_error, parse_event_error};
use agentwire::redact::Redactor;
use agentwire::{AgentError, HeaderList};
use serde_json::Value;

fn b64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            other => panic!("bad base64 byte {other}"),
        }
    };
    let clean: Vec<u8> = s
        .bytes()
        .filter(|b| *b != b'=' && !b.is_ascii_whitespace())
        .collect();
    let mut out = Vec::new();
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= val(*c) << (18 - 6 * i);
        }
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}

fn run_fixture(fx: &Value) -> AgentError {
    let name = fx["name"].as_str().unwrap();
    let body: Vec<u8> = match (fx.get("body"), fx.get("bodyBase64")) {
        (Some(Value::String(s)), _) => s.clone().into_bytes(),
        (_, Some(Value::String(b))) => b64_decode(b),
        _ => panic!("{name}: no body"),
    };
    let headers: HeaderList = fx["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h[0].as_str().unwrap(), h[1].as_str().unwrap()))
        .collect();
    let now = fx["nowMs"].as_f64().unwrap();
    let red = Redactor::default();
    match fx["mode"].as_str().unwrap() {
        "http" => {
            let status = u16::try_from(fx["status"].as_u64().unwrap()).unwrap();
            parse_error(status, &headers, &body, now, &red)
        }
        "event" => parse_event_error(std::str::from_utf8(&body).unwrap(), &red)
            .unwrap_or_else(|| panic!("{name}: not recognised as an error event")),
        "job" => {
            let job: Value = serde_json::from_slice(&body).unwrap();
            let err = failed_job_error(&job, &red);
            let d = err.details.clone().unwrap();
            assert_eq!(d["jobId"], job["job_id"], "{name}");
            assert_eq!(d["step"]["stepId"], "step-2-uuid", "{name}");
            err
        }
        other => panic!("{name}: unknown mode {other}"),
    }
}

fn check(fx: &Value) -> Vec<String> {
    let name = fx["name"].as_str().unwrap();
    let err = run_fixture(fx);
    let got = serde_json::to_value(&err).unwrap();
    let exp = &fx["expected"];
    let mut problems = Vec::new();
    let mut cmp = |key: &str, got_v: &Value| {
        if let Some(e) = exp.get(key) {
            if e != got_v {
                problems.push(format!("{name}: {key} expected {e}, got {got_v}"));
            }
        }
    };
    for key in [
        "kind",
        "retryable",
        "retryAfterMs",
        "requestId",
        "code",
        "vendorFormat",
    ] {
        cmp(key, got.get(key).unwrap_or(&Value::Null));
    }
    for key in ["fieldErrors", "rateLimit", "details", "message"] {
        if exp.get(key).is_some() {
            cmp(key, got.get(key).unwrap_or(&Value::Null));
        }
    }
    if let Some(s) = exp.get("messageContains").and_then(Value::as_str) {
        if !err.message.contains(s) {
            problems.push(format!("{name}: message {:?} lacks {s:?}", err.message));
        }
    }
    if let Some(list) = exp.get("messageNotContains").and_then(Value::as_array) {
        let whole = serde_json::to_string(&err).unwrap();
        for s in list.iter().filter_map(Value::as_str) {
            if whole.contains(s) {
                problems.push(format!("{name}: output leaks {s:?}: {whole}"));
            }
        }
    }
    if let Some(s) = exp.get("adviceContains").and_then(Value::as_str) {
        if !err.advice.contains(s) {
            problems.push(format!("{name}: advice {:?} lacks {s:?}", err.advice));
        }
    }
    if err.message.is_empty() || err.message.chars().count() > MAX_MESSAGE_CHARS {
        problems.push(format!("{name}: bad message length {}", err.message.len()));
    }
    if err.advice.is_empty() {
        problems.push(format!("{name}: no advice"));
    }
    if err.message.contains('<') && fx["expected"]["vendorFormat"] == "html" {
        problems.push(format!("{name}: markup in message {:?}", err.message));
    }
    problems
}

#[test]
fn corpus_matches_expectations() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/errors");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 80, "corpus went missing: {}", files.len());
    let mut problems = Vec::new();
    for f in &files {
        let fx: Value = serde_json::from_str(&fs::read_to_string(f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        problems.extend(check(&fx));
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_vendor_format_is_covered() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/errors");
    let mut seen = std::collections::BTreeSet::new();
    for e in fs::read_dir(dir).unwrap() {
        let fx: Value =
            serde_json::from_str(&fs::read_to_string(e.unwrap().path()).unwrap()).unwrap();
        seen.insert(fx["expected"]["vendorFormat"].as_str().unwrap().to_string());
    }
    for f in [
        "hatz_detail",
        "fastapi_validation",
        "zazmic",
        "heylock",
        "agntix",
        "openai",
        "anthropic",
        "stream_event",
        "failed_task",
        "bare_message",
        "bare_error",
        "unknown_json",
        "html",
        "text",
        "empty",
    ] {
        assert!(seen.contains(f), "no fixture for {f}");
    }
}
