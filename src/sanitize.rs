//! Turning whatever a server sent into a short, single-line, secret-free message.

use crate::error::MAX_MESSAGE_CHARS;
use crate::redact::Redactor;

/// How much cleaned text is redacted before the final cut: generous, so that redaction
/// shrinking the text still leaves a full-length message, yet bounded for 8 MiB bodies.
const WINDOW_CHARS: usize = MAX_MESSAGE_CHARS * 4;
/// A secret cut in half by the window must not survive as a visible prefix.
const MAX_SECRET_TAIL: usize = 256;
const ELLIPSIS: char = '…';

/// Strip controls, collapse whitespace, redact, and cut to `MAX_MESSAGE_CHARS`.
pub fn sanitize_message(raw: &str, redactor: &Redactor) -> String {
    sanitize_to(raw, redactor, MAX_MESSAGE_CHARS)
}

/// As `sanitize_message` with a smaller limit (codes, ids, field paths).
pub fn sanitize_to(raw: &str, redactor: &Redactor, max_chars: usize) -> String {
    let window = WINDOW_CHARS.max(max_chars * 2);
    let (clean, cut) = clean_text(raw, window);
    let clean = if cut {
        drop_partial_tail(&clean)
    } else {
        clean
    };
    let redacted = redactor.redact(&clean);
    truncate_chars(&redacted, max_chars, cut)
}

/// Control and invisible formatting characters are dropped, whitespace runs become one space.
/// Stops after `max_chars` output chars; the flag says whether visible text was left behind.
pub fn clean_text(raw: &str, max_chars: usize) -> (String, bool) {
    let mut out = String::new();
    let mut count = 0usize;
    let mut pending_space = false;
    let mut chars = raw.chars();
    for c in chars.by_ref() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        if count >= max_chars {
            return (out, true);
        }
        if pending_space && count > 0 {
            if count + 1 >= max_chars {
                return (out, true);
            }
            out.push(' ');
            count += 1;
        }
        pending_space = false;
        out.push(c);
        count += 1;
    }
    (out, false)
}

fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

fn is_boundary(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '<' | '>' | '(' | ')' | '[' | ']' | '{' | '}' | ',' | ';' | '|'
        )
}

/// Remove the last word of text cut mid-stream: it may be the first half of a secret that
/// redaction could not recognise.
fn drop_partial_tail(s: &str) -> String {
    let total = s.chars().count();
    let tail_start_char = total.saturating_sub(MAX_SECRET_TAIL);
    let mut cut_at = None;
    for (ci, (bi, c)) in s.char_indices().enumerate() {
        if ci >= tail_start_char && is_boundary(c) {
            cut_at = Some(bi);
        }
    }
    let cut_at = cut_at.unwrap_or_else(|| {
        s.char_indices()
            .nth(tail_start_char)
            .map(|(b, _)| b)
            .unwrap_or(s.len())
    });
    s.get(..cut_at).unwrap_or("").trim_end().to_string()
}

/// At most `max_chars` chars; longer text (or text already cut) ends with "…".
pub fn truncate_chars(s: &str, max_chars: usize, force_ellipsis: bool) -> String {
    let count = s.chars().count();
    if count <= max_chars && !force_ellipsis {
        return s.to_string();
    }
    let keep = if count < max_chars {
        count
    } else {
        max_chars.saturating_sub(1)
    };
    let mut out: String = s.chars().take(keep).collect();
    let trimmed_len = out.trim_end().len();
    out.truncate(trimmed_len);
    out.push(ELLIPSIS);
    out
}

/// Shape-based: an error page is markup from its first byte, whatever content-type claims.
pub fn looks_like_html(text: &str) -> bool {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    if !t.starts_with('<') {
        return false;
    }
    let head: String = t
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<title",
        "<h1",
        "<h2",
        "<center",
        "<p>",
    ]
    .iter()
    .any(|tag| head.contains(tag))
}

/// The page's `<title>`, else its first `<h1>`/`<h2>`, as plain decoded text (not yet redacted).
pub fn html_summary(html: &str) -> Option<String> {
    // One pass over the `<`s (str::find uses memchr), since error pages can be 8 MiB.
    let bytes = html.as_bytes();
    let mut heading: Option<(usize, &str)> = None;
    let mut from = 0usize;
    while let Some(off) = html.get(from..).and_then(|rest| rest.find('<')) {
        let pos = from + off;
        from = pos + 1;
        let name_end = bytes
            .iter()
            .skip(pos + 1)
            .take(6)
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(pos + 7, |p| pos + 1 + p);
        let name = bytes.get(pos + 1..name_end).unwrap_or(&[]);
        if name.eq_ignore_ascii_case(b"title") {
            if let Some(t) = tag_text(html, "title", pos) {
                return Some(t);
            }
        } else if heading.is_none()
            && (name.eq_ignore_ascii_case(b"h1") || name.eq_ignore_ascii_case(b"h2"))
        {
            let tag = if name.eq_ignore_ascii_case(b"h1") {
                "h1"
            } else {
                "h2"
            };
            heading = Some((pos, tag));
        }
    }
    let (pos, tag) = heading?;
    tag_text(html, tag, pos)
}

/// Text of the element whose open tag starts at `pos` (the caller matched its name).
fn tag_text(html: &str, tag: &str, pos: usize) -> Option<String> {
    let bytes = html.as_bytes();
    let close = format!("</{tag}");
    // Bounded look-ahead keeps pages full of unclosed or empty tags linear.
    let gt = bytes
        .iter()
        .skip(pos)
        .take(1024)
        .position(|b| *b == b'>')
        .map(|p| p + pos + 1)?;
    let limit = (gt + 4096).min(bytes.len());
    let end = find_ci(bytes.get(..limit).unwrap_or(bytes), close.as_bytes(), gt).unwrap_or(limit);
    let mut inner = lossy_slice(html, gt, end);
    if end == limit && limit < bytes.len() {
        // Cut mid-text: the last word may be half of a secret.
        let keep = inner.rfind(char::is_whitespace).unwrap_or(0);
        inner.truncate(keep);
    }
    let text = decode_entities(&strip_tags(&inner));
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

fn lossy_slice(s: &str, start: usize, end: usize) -> String {
    let bytes = s.as_bytes();
    String::from_utf8_lossy(bytes.get(start..end).unwrap_or(&[])).into_owned()
}

/// Case-insensitive ASCII search; needles are short tag names so this stays linear in practice.
pub(crate) fn find_ci(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = needle.first()?.to_ascii_lowercase();
    let mut i = from;
    while i + needle.len() <= hay.len() {
        // Tag needles start with `<`: jump straight to the next one instead of testing every byte.
        if !first.is_ascii_alphabetic() {
            i += hay.get(i..)?.iter().position(|b| *b == first)?;
            if i + needle.len() > hay.len() {
                return None;
            }
        }
        if hay.get(i).map(u8::to_ascii_lowercase) == Some(first)
            && hay
                .get(i..i + needle.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        {
            return Some(i);
        }
        i += 1;
    }
    None
}

pub fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Named entities error pages actually use, plus numeric references.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or(""));
        let after = rest.get(amp..).unwrap_or("");
        let semi = after.get(..12.min(after.len())).and_then(|w| w.find(';'));
        let decoded = semi.and_then(|semi| {
            let name = after.get(1..semi)?;
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" | "#39" => '\'',
                "nbsp" => ' ',
                "ndash" => '–',
                "mdash" => '—',
                "hellip" => '…',
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse::<u32>().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = after.get(len..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = after.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reason phrase for a status whose body said nothing.
pub fn status_reason(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        499 => "Client Closed Request",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        511 => "Network Authentication Required",
        520 => "Web Server Returned an Unknown Error",
        521 => "Web Server Is Down",
        522 => "Connection Timed Out",
        523 => "Origin Is Unreachable",
        524 => "A Timeout Occurred",
        525 => "SSL Handshake Failed",
        526 => "Invalid SSL Certificate",
        527 => "Railgun Error",
        529 => "Overloaded",
        530 => "Origin DNS Error",
        _ => return None,
    })
}

/// A message for a status with no usable body: reason phrase, else the bare number.
pub fn status_message(status: u16) -> String {
    match status_reason(status) {
        Some(r) => format!("HTTP {status} {r}"),
        None => format!("HTTP {status}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_strips_and_cuts() {
        let red = Redactor::default();
        assert_eq!(sanitize_message("  a\t\n b\u{0}c\u{202E} ", &red), "a bc");
        let long = "word ".repeat(400);
        let out = sanitize_message(&long, &red);
        assert_eq!(out.chars().count(), MAX_MESSAGE_CHARS);
        assert!(out.ends_with('…'));
        let wide = "é".repeat(3000);
        let out = sanitize_message(&wide, &red);
        assert!(out.chars().count() <= MAX_MESSAGE_CHARS);
    }

    #[test]
    fn secret_cut_by_window_is_not_exposed() {
        let secret = "Q7x9Lm2Pz8Rk4Tn6Wv1Yb3";
        let red = Redactor::new(vec![secret.into()]);
        // Put the secret exactly across the window boundary.
        let pad = "[redacted]".repeat(10);
        let body = format!("{}{}", "x".repeat(WINDOW_CHARS - 8), secret);
        let out = sanitize_message(&body, &red);
        assert!(!out.contains(&secret[..8]), "{out}");
        let body2 = format!("{pad} {secret} tail");
        assert!(!sanitize_message(&body2, &red).contains(secret));
    }

    #[test]
    fn html_title_and_heading() {
        let nginx = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body></html>";
        assert!(looks_like_html(nginx));
        assert_eq!(html_summary(nginx).as_deref(), Some("502 Bad Gateway"));
        let h = "<!DOCTYPE html><body><h2>Oops &amp; <b>sorry</b> &#x41;&#66;</h2></body>";
        assert_eq!(html_summary(h).as_deref(), Some("Oops & sorry AB"));
        assert!(!looks_like_html("plain < text"));
        assert_eq!(html_summary("<html><body>nothing</body></html>"), None);
    }

    #[test]
    fn reasons() {
        assert_eq!(status_reason(529), Some("Overloaded"));
        assert_eq!(status_reason(524), Some("A Timeout Occurred"));
        assert_eq!(status_message(599), "HTTP 599");
    }
}
