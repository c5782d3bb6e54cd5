//! Reading retry delays, rate-limit windows, request ids and usage figures from headers.

use crate::error::RateLimit;
use crate::headers::HeaderList;
use crate::redact::Redactor;

/// Longest delay we accept from a server. Anything longer is treated as a misconfiguration
/// (or an epoch value sent where a delta was meant) and ignored, so callers fall back to
/// their own backoff instead of sleeping for days.
pub const MAX_RETRY_AFTER_MS: u64 = 86_400_000;
const MAX_REQUEST_ID_CHARS: usize = 128;
const MAX_USAGE_VALUE_CHARS: usize = 128;
const MAX_USAGE_HEADERS: usize = 32;

/// Delay the server asked for: `retry-after-ms` first, then `Retry-After` (delta-seconds or
/// HTTP-date, the latter measured against the response's `Date` when it parses, because
/// the server's clock is what the date was computed with).
pub fn retry_after_ms(headers: &HeaderList, now_ms: f64) -> Option<u64> {
    if let Some(v) = headers.get("retry-after-ms") {
        if let Some(ms) = parse_decimal(v.trim()) {
            return bounded_ms(ms);
        }
    }
    let v = headers.get("retry-after")?.trim();
    if let Some(secs) = parse_decimal(v) {
        return bounded_ms(secs * 1000.0);
    }
    let at = parse_http_date(v)?;
    let base = headers
        .get("date")
        .and_then(parse_http_date)
        .unwrap_or(now_ms);
    // A date already past gives no guidance; let the caller's backoff decide.
    let delta = at - base;
    if delta < 0.0 {
        return None;
    }
    bounded_ms(delta)
}

/// Seconds (or ms) given by a body field such as Zazmic's `details.retryAfter`.
pub fn bounded_ms(ms: f64) -> Option<u64> {
    if !ms.is_finite() || ms < 0.0 || ms > MAX_RETRY_AFTER_MS as f64 {
        return None;
    }
    Some(ms.ceil() as u64)
}

/// Plain non-negative decimal (`45`, `1.5`); no signs, exponents, hex or trailing junk.
fn parse_decimal(s: &str) -> Option<f64> {
    if s.is_empty() || s.len() > 32 {
        return None;
    }
    let mut dots = 0;
    for b in s.bytes() {
        match b {
            b'0'..=b'9' => {}
            b'.' => dots += 1,
            _ => return None,
        }
    }
    if dots > 1 || s.starts_with('.') || s.ends_with('.') {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_index(s: &str) -> Option<u32> {
    let l = s.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == l)
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Epoch ms for IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
pub fn parse_http_date(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.len() > 64 {
        return None;
    }
    let parts: Vec<&str> = s.split_whitespace().collect();
    let (year, month, day, time) = match parts.as_slice() {
        [wd, d, m, y, t, tz] if wd.ends_with(',') && tz.eq_ignore_ascii_case("GMT") => (
            y.parse::<i64>().ok()?,
            month_index(m)?,
            d.parse::<u32>().ok()?,
            *t,
        ),
        [wd, dmy, t, tz] if wd.ends_with(',') && tz.eq_ignore_ascii_case("GMT") => {
            let mut it = dmy.split('-');
            let d = it.next()?.parse::<u32>().ok()?;
            let m = month_index(it.next()?)?;
            let y = it.next()?;
            if it.next().is_some() {
                return None;
            }
            let yy = y.parse::<i64>().ok()?;
            // RFC 9110: two-digit years more than 50 years ahead belong to the past century.
            let year = if y.len() == 2 {
                if yy < 70 {
                    2000 + yy
                } else {
                    1900 + yy
                }
            } else {
                yy
            };
            (year, m, d, *t)
        }
        [_wd, m, d, t, y] => (
            y.parse::<i64>().ok()?,
            month_index(m)?,
            d.parse::<u32>().ok()?,
            *t,
        ),
        _ => return None,
    };
    let (h, mi, sec) = parse_hms(time)?;
    civil_to_epoch_ms(year, month, day, h, mi, sec, 0.0)
}

fn parse_hms(t: &str) -> Option<(u32, u32, u32)> {
    let mut it = t.split(':');
    let h = it.next()?.parse::<u32>().ok()?;
    let m = it.next()?.parse::<u32>().ok()?;
    let s = it.next()?.parse::<u32>().ok()?;
    if it.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some((h, m, s))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of `days_from_civil`.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

fn civil_to_epoch_ms(
    year: i64,
    month: u32,
    day: u32,
    h: u32,
    mi: u32,
    s: u32,
    frac_ms: f64,
) -> Option<f64> {
    if !(1900..=9999).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s);
    Some(secs as f64 * 1000.0 + frac_ms)
}

/// RFC 3339 (`2024-01-15T10:30:00.123Z`, `...+02:00`), as Anthropic sends rate-limit resets.
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.len() < 20 || s.len() > 40 || !s.is_ascii() {
        return None;
    }
    let year = s.get(0..4)?.parse::<i64>().ok()?;
    let month = s.get(5..7)?.parse::<u32>().ok()?;
    let day = s.get(8..10)?.parse::<u32>().ok()?;
    if s.get(4..5)? != "-" || s.get(7..8)? != "-" || !matches!(s.get(10..11)?, "T" | "t" | " ") {
        return None;
    }
    let (h, mi, sec) = parse_hms(s.get(11..19)?)?;
    let mut rest = s.get(19..)?;
    let mut frac_ms = 0.0;
    if let Some(f) = rest.strip_prefix('.') {
        let digits = f.bytes().take_while(u8::is_ascii_digit).count();
        let frac = f.get(..digits)?;
        if digits == 0 {
            return None;
        }
        frac_ms = format!("0.{frac}").parse::<f64>().ok()? * 1000.0;
        rest = f.get(digits..)?;
    }
    let offset_min: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.get(3..4)? != ":" {
                return None;
            }
            let oh = rest.get(1..3)?.parse::<i64>().ok()?;
            let om = rest.get(4..6)?.parse::<i64>().ok()?;
            sign * (oh * 60 + om)
        }
    };
    let local = civil_to_epoch_ms(year, month, day, h, mi, sec, frac_ms)?;
    Some(local - (offset_min * 60_000) as f64)
}

fn first_header<'a>(headers: &'a HeaderList, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| headers.get(n))
}

/// Leading integer of a value such as `10` or the IETF draft's `10, 10;w=60`.
fn leading_u64(s: &str) -> Option<u64> {
    let t = s.trim();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 19 {
        return None;
    }
    t.get(..digits)?.parse::<u64>().ok()
}

/// `6m0s`, `1s`, `20ms`, `1h2m3.5s`, `0.5s` (OpenAI's reset format) as milliseconds.
pub fn parse_go_duration_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 32 {
        return None;
    }
    let bytes = s.as_bytes();
    let mut i = 0usize;
    let mut total = 0.0f64;
    while i < bytes.len() {
        let start = i;
        while bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_digit() || *b == b'.')
        {
            i += 1;
        }
        let num = parse_decimal(s.get(start..i)?)?;
        let ustart = i;
        while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
        }
        let unit_ms = match s.get(ustart..i)? {
            "h" => 3_600_000.0,
            "m" => 60_000.0,
            "s" => 1000.0,
            "ms" => 1.0,
            "us" | "µs" => 0.001,
            "ns" => 0.000_001,
            _ => return None,
        };
        total += num * unit_ms;
    }
    Some(total)
}

/// A reset value in any form platforms use, normalised to epoch ms.
fn reset_at_ms(v: &str, now_ms: f64) -> Option<f64> {
    let v = v.trim();
    if let Some(n) = parse_decimal(v) {
        // Magnitude tells the unit: no delta is decades long, no epoch is this small.
        return Some(if n >= 1e12 {
            n
        } else if n >= 1e9 {
            n * 1000.0
        } else {
            now_ms + n * 1000.0
        });
    }
    if let Some(ms) = parse_go_duration_ms(v) {
        return Some(now_ms + ms);
    }
    parse_rfc3339(v).or_else(|| parse_http_date(v))
}

pub fn rate_limit(headers: &HeaderList, now_ms: f64) -> Option<RateLimit> {
    let limit = first_header(
        headers,
        &[
            "x-ratelimit-limit",
            "ratelimit-limit",
            "x-ratelimit-limit-requests",
            "anthropic-ratelimit-requests-limit",
        ],
    )
    .and_then(leading_u64);
    let remaining = first_header(
        headers,
        &[
            "x-ratelimit-remaining",
            "ratelimit-remaining",
            "x-ratelimit-remaining-requests",
            "anthropic-ratelimit-requests-remaining",
        ],
    )
    .and_then(leading_u64);
    let reset_at = first_header(
        headers,
        &[
            "x-ratelimit-reset",
            "ratelimit-reset",
            "x-ratelimit-reset-requests",
            "anthropic-ratelimit-requests-reset",
        ],
    )
    .and_then(|v| reset_at_ms(v, now_ms))
    .filter(|v| v.is_finite() && *v >= 0.0);
    let rl = RateLimit {
        limit,
        remaining,
        reset_at,
    };
    (!rl.is_empty()).then_some(rl)
}

const REQUEST_ID_HEADERS: [&str; 8] = [
    "x-request-id",
    "request-id",
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-correlation-id",
    "x-trace-id",
    "cf-ray",
    "x-amz-cf-id",
];

pub fn request_id(headers: &HeaderList) -> Option<String> {
    request_id_with(headers, &Redactor::default())
}

/// As `request_id`, also removing configured secrets (a client may echo one as its id).
pub fn request_id_with(headers: &HeaderList, redactor: &Redactor) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .filter_map(|n| headers.get(n))
        .find_map(|v| valid_request_id(v, redactor))
}

/// Short, printable, no spaces, and unchanged by redaction: a half-redacted id is useless to
/// support and a changed one means it carried something sensitive.
pub fn valid_request_id(v: &str, redactor: &Redactor) -> Option<String> {
    let v = v.trim();
    if v.is_empty() || v.len() > MAX_REQUEST_ID_CHARS || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    (redactor.redact(v) == v).then(|| v.to_string())
}

fn is_usage_header(lower: &str) -> bool {
    (lower.starts_with("x-")
        && (lower.contains("balance") || lower.contains("cost") || lower.contains("usage")))
        || lower.starts_with("x-credits")
        || lower.starts_with("x-ratelimit-")
        || lower.starts_with("ratelimit")
        || lower.starts_with("anthropic-ratelimit-")
}

/// Balance/cost/usage/limit headers (Heylock sends balance and cost on success), redacted.
pub fn usage_headers(headers: &HeaderList) -> Vec<(String, String)> {
    let red = Redactor::default();
    headers
        .iter()
        .filter_map(|(n, v)| {
            let lower = n.trim().to_ascii_lowercase();
            if !is_usage_header(&lower) {
                return None;
            }
            let v: String = v.chars().filter(|c| !c.is_control()).collect();
            let v = crate::sanitize::truncate_chars(
                red.redact(v.trim()).as_str(),
                MAX_USAGE_VALUE_CHARS,
                false,
            );
            Some((lower, v))
        })
        .take(MAX_USAGE_HEADERS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> HeaderList {
        pairs.iter().map(|(a, b)| (*a, *b)).collect()
    }

    const NOW: f64 = 1_700_000_000_000.0;

    #[test]
    fn dates() {
        let imf = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(imf, Some(784_111_777_000.0));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), imf);
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), imf);
        assert_eq!(parse_http_date("Sun, 31 Feb 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("yesterday"), None);
        assert_eq!(
            parse_rfc3339("2024-01-15T10:30:00.500+01:00"),
            Some(1_705_311_000_500.0)
        );
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(
            retry_after_ms(&h(&[("Retry-After", "45")]), NOW),
            Some(45_000)
        );
        assert_eq!(
            retry_after_ms(&h(&[("retry-after", "1.5")]), NOW),
            Some(1500)
        );
        assert_eq!(
            retry_after_ms(
                &h(&[("retry-after-ms", "250.2"), ("retry-after", "9")]),
                NOW
            ),
            Some(251)
        );
        for bad in ["-5", "NaN", "abc", "1e3", "", "99999999"] {
            assert_eq!(
                retry_after_ms(&h(&[("Retry-After", bad)]), NOW),
                None,
                "{bad}"
            );
        }
        let d = h(&[
            ("Date", "Sun, 06 Nov 1994 08:49:37 GMT"),
            ("Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT"),
        ]);
        assert_eq!(retry_after_ms(&d, NOW), Some(30_000));
        let past = h(&[("Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT")]);
        assert_eq!(retry_after_ms(&past, NOW), None);
    }

    #[test]
    fn rate_limits() {
        let z = h(&[
            ("X-RateLimit-Limit", "10"),
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", "1642252800"),
        ]);
        let rl = rate_limit(&z, NOW).unwrap();
        assert_eq!(
            (rl.limit, rl.remaining, rl.reset_at),
            (Some(10), Some(0), Some(1_642_252_800_000.0))
        );
        let o = h(&[
            ("x-ratelimit-limit-requests", "60"),
            ("x-ratelimit-reset-requests", "6m0s"),
        ]);
        assert_eq!(rate_limit(&o, NOW).unwrap().reset_at, Some(NOW + 360_000.0));
        let d = h(&[
            ("RateLimit-Reset", "30"),
            ("RateLimit-Limit", "100, 100;w=60"),
        ]);
        let rl = rate_limit(&d, NOW).unwrap();
        assert_eq!((rl.limit, rl.reset_at), (Some(100), Some(NOW + 30_000.0)));
        assert_eq!(
            rate_limit(&h(&[("x-ratelimit-reset", "20ms")]), NOW)
                .unwrap()
                .reset_at,
            Some(NOW + 20.0)
        );
        assert_eq!(rate_limit(&h(&[("x-ratelimit-limit", "lots")]), NOW), None);
    }

    #[test]
    fn request_ids_and_usage() {
        assert_eq!(
            request_id(&h(&[("X-Request-ID", " req_1 ")])).as_deref(),
            Some("req_1")
        );
        assert_eq!(
            request_id(&h(&[("x-request-id", "has space"), ("cf-ray", "8a1b-IAD")])).as_deref(),
            Some("8a1b-IAD")
        );
        assert_eq!(request_id(&h(&[("x-request-id", "bob@example.com")])), None);
        let u = usage_headers(&h(&[
            ("X-Balance-Remaining", "4.20"),
            ("X-Cost", "0.01"),
            ("Content-Type", "x"),
        ]));
        assert_eq!(
            u,
            vec![
                ("x-balance-remaining".into(), "4.20".into()),
                ("x-cost".into(), "0.01".into())
            ]
        );
    }
}
