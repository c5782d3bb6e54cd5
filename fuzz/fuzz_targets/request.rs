#![no_main]
//! URL, header and request-id validation on arbitrary text: never panics, and whatever is
//! accepted never carries the secret.

use agentwire::request::{build_url, contains_secret, validate_base_url, validate_header, validate_request_id};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "sk-fuzz-secret-0123456789";

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let mut parts = s.splitn(4, '\n');
    let base = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("");
    let qk = parts.next().unwrap_or("");
    let qv = parts.next().unwrap_or("");
    if let Ok(b) = validate_base_url(base, false) {
        assert!(b.starts_with("https://") || b.starts_with("http://"));
        if let Ok(url) = build_url(&b, path, &[(qk.to_string(), qv.to_string())]) {
            assert!(!url.contains('\n') && !url.contains('\r') && !url.contains(' '));
        }
    }
    if validate_header(qk, qv).is_ok() {
        assert!(!qv.contains('\r') && !qv.contains('\n'));
    }
    if validate_request_id(path, Some(SECRET)).is_ok() {
        assert!(!contains_secret(path, SECRET));
        assert!(path.len() <= 128);
    }
});
