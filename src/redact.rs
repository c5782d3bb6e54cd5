//! Removing secrets and personal data from text and JSON before anything leaves the process.
//!
//! Everything is hand-written byte scanning: bodies can be 8 MiB and adversarial, so every
//! detector must stay linear and must only cut at ASCII boundaries (never inside a UTF-8 char).

use serde_json::{Map, Value};

pub const REDACTED: &str = "[redacted]";
pub const OMITTED: &str = "[omitted]";

/// Shorter configured "secrets" would redact ordinary words and numbers.
const MIN_SECRET_CHARS: usize = 6;
/// Deeper JSON is replaced wholesale so walking it cannot exhaust the stack.
const MAX_JSON_DEPTH: usize = 64;
/// Tokens at least this long are checked for looking random.
const ENTROPY_MIN_LEN: usize = 32;

#[derive(Clone, Debug, Default)]
pub struct Redactor {
    /// Configured secrets plus their encoded forms, longest first so overlaps redact fully.
    needles: Vec<String>,
}

impl Redactor {
    pub fn new(secrets: Vec<String>) -> Self {
        let mut needles: Vec<String> = Vec::new();
        for secret in secrets {
            let s = secret.trim();
            if s.chars().count() < MIN_SECRET_CHARS {
                continue;
            }
            // Servers echo secrets back in URLs, query strings and Basic/base64 blobs.
            needles.push(s.to_string());
            needles.push(percent_encode(s));
            needles.push(base64_nopad(s.as_bytes(), false));
            needles.push(base64_nopad(s.as_bytes(), true));
        }
        needles.retain(|n| n.len() >= MIN_SECRET_CHARS);
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        needles.dedup();
        Self { needles }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for needle in &self.needles {
            spans.extend(
                text.match_indices(needle.as_str())
                    .map(|(i, m)| (i, i + m.len())),
            );
        }
        scan_context(text, &mut spans);
        scan_tokens(text, &mut spans);
        apply_spans(text, spans)
    }

    /// A request or response body as a debug log may show it: JSON through `redact_json`,
    /// anything else through `redact`, cut to `max_chars` so a log line stays bounded.
    pub fn for_log(&self, body: &str, max_chars: usize) -> String {
        let shown = match serde_json::from_str::<Value>(body) {
            Ok(v) => self.redact_json(&v).to_string(),
            Err(_) => self.redact(body),
        };
        crate::sanitize::truncate_chars(&shown, max_chars, false)
    }

    /// Every string (keys included) redacted; values under sensitive keys replaced.
    pub fn redact_json(&self, v: &Value) -> Value {
        self.walk(v, 0, false)
    }

    /// As `redact_json`, and prompt/file/content-like values replaced with `[omitted]`,
    /// because support tickets must never carry user content.
    pub fn redact_json_for_report(&self, v: &Value) -> Value {
        self.walk(v, 0, true)
    }

    fn walk(&self, v: &Value, depth: usize, report: bool) -> Value {
        if depth > MAX_JSON_DEPTH {
            return Value::String(OMITTED.to_string());
        }
        match v {
            Value::String(s) => Value::String(self.redact(s)),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|x| self.walk(x, depth + 1, report))
                    .collect(),
            ),
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, val) in map {
                    let new_val = if is_sensitive_key(k) && !val.is_null() {
                        Value::String(REDACTED.to_string())
                    } else if report && is_content_key(k) && !val.is_null() {
                        Value::String(OMITTED.to_string())
                    } else {
                        self.walk(val, depth + 1, report)
                    };
                    out.insert(self.redact(k), new_val);
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }
}

/// Key names whose values are credentials whatever they contain.
pub fn is_sensitive_key(key: &str) -> bool {
    let k = normalize_key(key);
    const CONTAINS: [&str; 13] = [
        "authorization",
        "password",
        "passwd",
        "secret",
        "cookie",
        "credential",
        "apikey",
        "api_key",
        "private_key",
        "signature",
        "session_token",
        "sessiontoken",
        "jwt",
    ];
    const EXACT: [&str; 8] = [
        "key",
        "auth",
        "sig",
        "session",
        "bearer",
        "sessid",
        "x_amz_date",
        "otp",
    ];
    if CONTAINS.iter().any(|c| k.contains(c)) || EXACT.contains(&k.as_str()) {
        return true;
    }
    // "max_tokens"/"input_tokens" are usage counts, not credentials.
    if k.contains("token") && !k.contains("tokens") {
        return true;
    }
    k.ends_with("_key") && !k.ends_with("idempotency_key")
}

/// Key names whose values are user content (prompts, files, outputs) for support reports.
pub fn is_content_key(key: &str) -> bool {
    let k: String = normalize_key(key).chars().filter(|c| *c != '_').collect();
    const EXACT: [&str; 17] = [
        "messages",
        "content",
        "prompt",
        "prompts",
        "input",
        "inputs",
        "text",
        "file",
        "files",
        "data",
        "userinputs",
        "output",
        "completion",
        "choices",
        "system",
        "instructions",
        "history",
    ];
    if EXACT.contains(&k.as_str()) {
        return true;
    }
    k != "metadata" && (k.ends_with("data") || k.ends_with("content") || k.ends_with("prompt"))
}

fn normalize_key(key: &str) -> String {
    key.trim()
        .chars()
        .map(|c| {
            if c == '-' {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

fn apply_spans(text: &str, mut spans: Vec<(usize, usize)>) -> String {
    if spans.is_empty() {
        return text.to_string();
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0usize;
    let mut iter = spans.into_iter().peekable();
    while let Some((s, mut e)) = iter.next() {
        // Adjacent or overlapping spans become one marker so no fragment survives between them.
        while let Some(&(ns, ne)) = iter.peek() {
            if ns <= e {
                e = e.max(ne);
                iter.next();
            } else {
                break;
            }
        }
        let s = s.max(pos);
        if let Some(before) = text.get(pos..s) {
            out.push_str(before);
        }
        if e > pos {
            out.push_str(REDACTED);
            pos = e;
        }
    }
    if let Some(rest) = text.get(pos..) {
        out.push_str(rest);
    }
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn byte(bytes: &[u8], i: usize) -> u8 {
    bytes.get(i).copied().unwrap_or(0)
}

fn skip_blanks(bytes: &[u8], mut i: usize) -> usize {
    while matches!(byte(bytes, i), b' ' | b'\t') {
        i += 1;
    }
    i
}

/// End of an unquoted credential value: stops at anything that usually ends a value in
/// URLs, headers, JSON or prose.
fn value_end(bytes: &[u8], mut i: usize, stop_at_space: bool) -> usize {
    while let Some(&b) = bytes.get(i) {
        let stop = matches!(
            b,
            b'\r' | b'\n' | b'"' | b'\'' | b'<' | b'>' | b'\\' | b'&' | b'#' | b',' | b';'
        ) || b < 0x20
            || (stop_at_space && b == b' ')
            || (stop_at_space && matches!(b, b')' | b']' | b'}'));
        if stop {
            break;
        }
        i += 1;
    }
    i
}

/// A value after `:`/`=`: a quoted string up to its closing quote, else an unquoted run.
fn value_after(bytes: &[u8], i: usize, stop_at_space: bool) -> (usize, usize) {
    let i = skip_blanks(bytes, i);
    let q = byte(bytes, i);
    if q == b'"' || q == b'\'' {
        let start = i + 1;
        let mut j = start;
        while let Some(&b) = bytes.get(j) {
            if b == q || b == b'\n' || b == b'\r' {
                break;
            }
            // Escaped quotes inside JSON-in-text must not end the value early.
            if b == b'\\' {
                j += 1;
            }
            j += 1;
        }
        (start, j.min(bytes.len()))
    } else {
        (i, value_end(bytes, i, stop_at_space))
    }
}

const HEADER_NAMES: [&str; 10] = [
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
    "x-auth-token",
    "cookie",
    "set-cookie",
    "x-amz-security-token",
    "x-goog-api-key",
    "anthropic-api-key",
];

/// Credentials recognised by what precedes them: auth schemes, header names, parameter names.
fn scan_context(text: &str, spans: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        if !is_ident(byte(bytes, i)) {
            i += 1;
            continue;
        }
        let start = i;
        while is_ident(byte(bytes, i)) {
            i += 1;
        }
        let end = i;
        if end - start > 40 {
            continue;
        }
        let word = text.get(start..end).unwrap_or("").to_ascii_lowercase();
        if let Some(next) = context_span(bytes, start, end, &word, spans) {
            i = next.max(end);
        }
    }
}

fn context_span(
    bytes: &[u8],
    start: usize,
    end: usize,
    word: &str,
    spans: &mut Vec<(usize, usize)>,
) -> Option<usize> {
    // `Bearer <token>` / `Basic <base64>` anywhere, with or without a header name before it.
    if word == "bearer" || word == "basic" {
        let t = skip_blanks(bytes, end);
        if t == end {
            return None;
        }
        let mut j = t;
        while let Some(&b) = bytes.get(j) {
            if b.is_ascii_alphanumeric()
                || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
            {
                j += 1;
            } else {
                break;
            }
        }
        let tok = bytes.get(t..j).unwrap_or(&[]);
        let plausible = if word == "bearer" {
            !tok.is_empty()
        } else {
            // "basic plan" is prose; a Basic credential is base64 with digits or padding.
            tok.len() >= 8
                && tok
                    .iter()
                    .any(|b| b.is_ascii_digit() || matches!(b, b'=' | b'+' | b'/'))
        };
        if plausible {
            spans.push((t, j));
            return Some(j);
        }
        return None;
    }
    let mut k = end;
    // JSON-in-text keys: `"api_key": "..."`.
    let quoted_key = matches!(byte(bytes, k), b'"' | b'\'');
    if quoted_key {
        k += 1;
    }
    k = skip_blanks(bytes, k);
    let sep = byte(bytes, k);
    if HEADER_NAMES.contains(&word) && sep == b':' {
        let (vs, ve) = header_value(bytes, k + 1);
        if ve > vs {
            spans.push((vs, ve));
            return Some(ve);
        }
        return None;
    }
    let strong = is_sensitive_key(word)
        || matches!(
            word,
            "x-amz-signature" | "x-amz-credential" | "x-amz-security-token"
        );
    let query_ctx = start > 0 && matches!(byte(bytes, start - 1), b'?' | b'&' | b';');
    let weak = matches!(word, "key" | "token" | "sig" | "auth" | "code" | "session");
    // Generic names ("key", "token") only count in a query string or as a quoted JSON key:
    // in prose ("Invalid token: expected ...") they are followed by ordinary words.
    let by_eq = sep == b'=' && (strong || (weak && query_ctx));
    let by_colon = sep == b':' && strong && (!weak || quoted_key);
    if by_eq || by_colon {
        let (vs, ve) = value_after(bytes, k + 1, true);
        if ve > vs {
            spans.push((vs, ve));
            return Some(ve);
        }
    }
    None
}

/// Header values run to the end of the line (cookies contain spaces and `;`).
fn header_value(bytes: &[u8], i: usize) -> (usize, usize) {
    let i = skip_blanks(bytes, i);
    let q = byte(bytes, i);
    let (start, quote) = if q == b'"' || q == b'\'' {
        (i + 1, Some(q))
    } else {
        (i, None)
    };
    let mut j = start;
    while let Some(&b) = bytes.get(j) {
        let stop = match quote {
            Some(q) => b == q || b == b'\n' || b == b'\r',
            None => matches!(b, b'\r' | b'\n' | b'"' | b'\'' | b'<' | b'>' | b'\\') || b < 0x20,
        };
        if stop {
            break;
        }
        j += 1;
    }
    (start, j)
}

fn is_broad(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'_' | b'-' | b'+' | b'/' | b'=' | b'.' | b'~' | b'%' | b'@'
        )
}

/// Credentials recognised by their own shape: emails, JWTs, vendor key prefixes, random blobs.
fn scan_tokens(text: &str, spans: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    let mut i = 0usize;
    while i < bytes.len() {
        if !is_broad(byte(bytes, i)) {
            i += 1;
            continue;
        }
        let start = i;
        while is_broad(byte(bytes, i)) {
            i += 1;
        }
        let run = bytes.get(start..i).unwrap_or(&[]);
        if run.len() < 6 {
            continue;
        }
        scan_emails(run, start, spans);
        for_each_piece(
            run,
            start,
            |b| is_ident(b) || b == b'.',
            |p, off| jwt(p, off, spans),
        );
        for_each_piece(run, start, is_ident, |p, off| key_shaped(p, off, spans));
        for_each_piece(
            run,
            start,
            |b| is_ident(b) || b == b'+' || b == b'=',
            |p, off| high_entropy(p, off, spans),
        );
    }
}

fn for_each_piece(
    run: &[u8],
    offset: usize,
    keep: impl Fn(u8) -> bool,
    mut f: impl FnMut(&[u8], usize),
) {
    let mut i = 0usize;
    while i < run.len() {
        if !keep(byte(run, i)) {
            i += 1;
            continue;
        }
        let s = i;
        while i < run.len() && keep(byte(run, i)) {
            i += 1;
        }
        if let Some(p) = run.get(s..i) {
            f(p, offset + s);
        }
    }
}

fn scan_emails(run: &[u8], offset: usize, spans: &mut Vec<(usize, usize)>) {
    let is_local =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-');
    let is_domain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-');
    for (at, _) in run.iter().enumerate().filter(|(_, b)| **b == b'@') {
        let mut s = at;
        while s > 0 && is_local(byte(run, s - 1)) {
            s -= 1;
        }
        let mut e = at + 1;
        while e < run.len() && is_domain(byte(run, e)) {
            e += 1;
        }
        while e > at + 1 && matches!(byte(run, e - 1), b'.' | b'-') {
            e -= 1;
        }
        if s == at || e <= at + 1 {
            continue;
        }
        let domain = run.get(at + 1..e).unwrap_or(&[]);
        let tld = domain.rsplit(|b| *b == b'.').next().unwrap_or(&[]);
        if domain.contains(&b'.') && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic) {
            spans.push((offset + s, offset + e));
        }
    }
}

fn jwt(p: &[u8], off: usize, spans: &mut Vec<(usize, usize)>) {
    if !p.starts_with(b"eyJ") {
        return;
    }
    let mut parts = p.split(|b| *b == b'.');
    let header = parts.next().unwrap_or(&[]);
    let payload = parts.next().unwrap_or(&[]);
    if header.len() >= 8 && payload.len() >= 2 && parts.next().is_some() {
        spans.push((off, off + p.len()));
    }
}

const KEY_PREFIXES: [&str; 17] = [
    "sk-",
    "sk_",
    "pk_",
    "rk_",
    "hatz_",
    "key-",
    "ghp_",
    "gho_",
    "ghs_",
    "ghu_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "AIza",
    "whsec_",
];

fn key_shaped(p: &[u8], off: usize, spans: &mut Vec<(usize, usize)>) {
    let prefixed = KEY_PREFIXES.iter().any(|pre| {
        p.starts_with(pre.as_bytes())
            && p.len() >= pre.len() + 8
            && p.iter().skip(pre.len()).any(u8::is_ascii_alphanumeric)
    });
    // AWS access key ids: AKIA/ASIA + 16 upper-case alphanumerics.
    let aws = (p.starts_with(b"AKIA") || p.starts_with(b"ASIA"))
        && p.len() >= 16
        && p.iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if prefixed || aws {
        spans.push((off, off + p.len()));
    }
}

/// Identifiers that are long and random but that support needs to see.
// `aw_` is the id agentwire generates for X-Request-ID: support needs it, so it is kept.
const ID_PREFIXES: [&str; 17] = [
    "aw_",
    "req_",
    "req-",
    "request_",
    "request-",
    "chatcmpl-",
    "msg_",
    "job_",
    "task_",
    "run_",
    "step_",
    "file_",
    "trace_",
    "span_",
    "resp_",
    "evt_",
    "sess_",
];

fn is_uuid(p: &[u8]) -> bool {
    p.len() == 36
        && p.iter().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

fn high_entropy(p: &[u8], off: usize, spans: &mut Vec<(usize, usize)>) {
    if p.len() < ENTROPY_MIN_LEN || is_uuid(p) {
        return;
    }
    if ID_PREFIXES.iter().any(|pre| p.starts_with(pre.as_bytes())) {
        return;
    }
    let has_digit = p.iter().any(u8::is_ascii_digit);
    let has_alpha = p.iter().any(u8::is_ascii_alphabetic);
    if !(has_digit && has_alpha) {
        return;
    }
    let mut counts = [0u32; 128];
    for b in p {
        if let Some(c) = counts.get_mut(usize::from(*b & 0x7f)) {
            *c += 1;
        }
    }
    let n = p.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let q = f64::from(*c) / n;
            -q * q.log2()
        })
        .sum();
    // Random base64/hex of this length scores 3.7-5.5 bits/char; words and repeated ids score less.
    if entropy >= 3.5 {
        spans.push((off, off + p.len()));
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0xf));
        }
    }
    out
}

fn hex_digit(n: u8) -> char {
    char::from(
        b"0123456789ABCDEF"
            .get(usize::from(n))
            .copied()
            .unwrap_or(b'0'),
    )
}

fn base64_nopad(input: &[u8], url: bool) -> String {
    let table: &[u8; 64] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let sym = |n: u32| char::from(table.get((n & 63) as usize).copied().unwrap_or(b'A'));
    let mut out = String::with_capacity(input.len() * 4 / 3 + 4);
    for chunk in input.chunks(3) {
        let b0 = u32::from(chunk.first().copied().unwrap_or(0));
        let b1 = u32::from(chunk.get(1).copied().unwrap_or(0));
        let b2 = u32::from(chunk.get(2).copied().unwrap_or(0));
        let n = (b0 << 16) | (b1 << 8) | b2;
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        if chunk.len() > 1 {
            out.push(sym(n >> 6));
        }
        if chunk.len() > 2 {
            out.push(sym(n));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(s: &str) -> String {
        Redactor::default().redact(s)
    }

    #[test]
    fn configured_secret_and_encodings() {
        let red = Redactor::new(vec!["my s3cret/key".into(), "abc".into()]);
        assert_eq!(red.redact("x my s3cret/key y"), "x [redacted] y");
        assert_eq!(red.redact("q=my%20s3cret%2Fkey"), "q=[redacted]");
        let b64 = base64_nopad(b"my s3cret/key", false);
        assert!(!red.redact(&format!("blob {b64}==")).contains(&b64));
        // too-short secrets are ignored rather than shredding text
        assert_eq!(red.redact("abc abc"), "abc abc");
    }

    #[test]
    fn bearer_headers_and_params() {
        assert_eq!(
            r("Authorization: Bearer abc.def"),
            "Authorization: [redacted]"
        );
        assert_eq!(r("got bearer xyz123 here"), "got bearer [redacted] here");
        assert_eq!(
            r("X-API-Key: hk_12345\nnext"),
            "X-API-Key: [redacted]\nnext"
        );
        assert_eq!(r("Cookie: a=b; c=d"), "Cookie: [redacted]");
        assert_eq!(
            r("https://h/x?api_key=abc123&x=1&sig=zz"),
            "https://h/x?api_key=[redacted]&x=1&sig=[redacted]"
        );
        assert_eq!(
            r("u?X-Amz-Signature=deadbeef&X-Amz-Credential=AK%2F2024"),
            "u?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]"
        );
        assert_eq!(
            r(r#"{"password": "hunter2"}"#),
            r#"{"password": "[redacted]"}"#
        );
        assert_eq!(r("a basic plan"), "a basic plan");
        assert_eq!(r("the key is fine"), "the key is fine");
    }

    #[test]
    fn shapes() {
        assert_eq!(r("k sk-ant-api03-abcdefgh1234"), "k [redacted]");
        assert_eq!(r("hatz_abcdef123456 end"), "[redacted] end");
        assert_eq!(r("id AKIAIOSFODNN7EXAMPLE."), "id [redacted].");
        assert_eq!(r("mail bob.smith+x@example.co.uk!"), "mail [redacted]!");
        assert_eq!(
            r("t eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_part-x"),
            "t [redacted]"
        );
        assert_eq!(r("z Zk3x9QpL2mN8vB4cR7tY1wE6uI0oA5sDfGhJ"), "z [redacted]");
        // ids support needs survive
        let uuid = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";
        assert_eq!(r(uuid), uuid);
        assert_eq!(
            r("req_0123456789abcdef0123456789abcdef"),
            "req_0123456789abcdef0123456789abcdef"
        );
        assert_eq!(
            r("INSUFFICIENT_BALANCE_FOR_THIS_VERY_LONG_CODE"),
            "INSUFFICIENT_BALANCE_FOR_THIS_VERY_LONG_CODE"
        );
    }

    #[test]
    fn json_keys_and_content() {
        let red = Redactor::new(vec!["canary-x9y8z7".into()]);
        let v = json!({"Authorization": "x", "max_tokens": 5, "nested": {"apiKey": 1, "canary-x9y8z7": "ok"},
            "messages": ["hi"], "note": "Bearer abc"});
        let out = red.redact_json(&v);
        assert_eq!(out["Authorization"], "[redacted]");
        assert_eq!(out["max_tokens"], 5);
        assert_eq!(out["nested"]["apiKey"], "[redacted]");
        assert_eq!(out["nested"]["[redacted]"], "ok");
        assert_eq!(out["messages"], json!(["hi"]));
        assert_eq!(out["note"], "Bearer [redacted]");
        let rep = red.redact_json_for_report(&v);
        assert_eq!(rep["messages"], "[omitted]");
    }

    #[test]
    fn utf8_is_never_split() {
        let s = "é@ü.de ☃ Bearer ☃ sk-ééééééééééé 𝄞𝄞";
        let out = r(s);
        assert!(out.contains("☃"));
        assert!(out.contains("𝄞𝄞"));
    }
}
