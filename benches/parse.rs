//! Median time to parse an 8 MiB error body (JSON and HTML), the worst case a gateway sends.

use std::time::Instant;

use agentwire::parse::parse_error;
use agentwire::redact::Redactor;
use agentwire::HeaderList;

const RUNS: usize = 15;

fn median_ms(body: &[u8], status: u16, red: &Redactor) -> f64 {
    let headers: HeaderList = [("x-request-id", "req_bench"), ("retry-after", "3")]
        .into_iter()
        .collect();
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let err = parse_error(status, &headers, std::hint::black_box(body), 0.0, red);
            std::hint::black_box(&err);
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times.get(RUNS / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let red = Redactor::new(vec!["sk-bench-configured-secret-123".into()]);
    let mib = 8 * 1024 * 1024;
    let filler = "The upstream model returned an error while processing the request. ";
    let json = format!(
        "{{\"error\":{{\"code\":\"GENERIC_ERROR\",\"message\":\"{}\",\"requestId\":\"req_1\",\"details\":{{\"trace\":\"{}\"}}}}}}",
        filler.repeat(mib / 2 / filler.len()),
        "frame at handler.rs:42 ".repeat(mib / 2 / 23)
    );
    let html = format!(
        "<!DOCTYPE html><html><head><title>example.com | 502: Bad gateway</title></head><body>{}</body></html>",
        "<div class=\"cf-error\"><p>Bad gateway &amp; retry</p></div>\n".repeat(mib / 56)
    );
    // No title: the heading is found only after scanning the whole page.
    let html_late = format!(
        "<html><body>{}<h1>Service Unavailable</h1></body></html>",
        "<div class=\"x\"><p>padding &amp; more</p></div>\n".repeat(mib / 44)
    );
    for (name, body, status) in [
        ("json", &json, 500u16),
        ("html (title first)", &html, 502u16),
        ("html (heading last)", &html_late, 503u16),
    ] {
        let ms = median_ms(body.as_bytes(), status, &red);
        println!(
            "parse_error 8 MiB {name} body ({} bytes): median {ms:.2} ms over {RUNS} runs",
            body.len()
        );
    }
}
