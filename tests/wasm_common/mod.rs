//! Transport tests that need a real JS engine: timers, AbortSignal, fetch rejections.
//! Included by `wasm_node.rs` (Node) and `wasm_browser.rs` (headless Chromium).

use agentwire::transport::fetch;
use agentwire::transport::signal::{sleep, AttemptSignal, Fired};
use agentwire::transport::sys;
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::AbortController;

#[wasm_bindgen(inline_js = r#"
export function rejectWith(kind) {
  return () => {
    if (kind === "string") return Promise.reject("plain string rejection");
    if (kind === "undefined") return Promise.reject(undefined);
    if (kind === "refused") { const e = new TypeError("fetch failed"); e.cause = { code: "ECONNREFUSED" }; return Promise.reject(e); }
    if (kind === "throws") throw 42;
    return Promise.resolve({ not: "a response" });
  };
}
export function abortLater(controller, ms) { setTimeout(() => controller.abort(), ms); }
"#)]
extern "C" {
    fn rejectWith(kind: &str) -> Function;
    #[wasm_bindgen(js_name = abortLater)]
    fn abort_later(controller: &AbortController, ms: f64);
}

#[wasm_bindgen_test]
async fn sleep_waits_on_a_real_timer() {
    let t0 = sys::date_now();
    assert!(sleep(30.0, None).await);
    assert!(
        sys::date_now() - t0 >= 25.0,
        "slept {} ms",
        sys::date_now() - t0
    );
}

#[wasm_bindgen_test]
async fn abort_stops_a_sleep_at_once() {
    let c = AbortController::new().unwrap();
    abort_later(&c, 10.0);
    let t0 = sys::date_now();
    let completed = sleep(5_000.0, Some(&c.signal())).await;
    assert!(!completed, "an aborted sleep must report the abort");
    assert!(sys::date_now() - t0 < 1_000.0);
}

#[wasm_bindgen_test]
async fn attempt_signal_times_out_and_says_why() {
    let sig = AttemptSignal::new(20.0, None).unwrap();
    assert_eq!(sig.fired(), Fired::No);
    let (p, _h) = sys::timer_promise(60.0);
    JsFuture::from(p).await.unwrap();
    assert_eq!(sig.fired(), Fired::Timeout);
    assert!(sig.signal().aborted());
}

#[wasm_bindgen_test]
async fn attempt_signal_follows_the_callers_abort() {
    let c = AbortController::new().unwrap();
    let sig = AttemptSignal::new(10_000.0, Some(&c.signal())).unwrap();
    c.abort();
    assert_eq!(sig.fired(), Fired::Caller);
    assert!(sig.signal().aborted());
}

#[wasm_bindgen_test]
async fn already_aborted_caller_signal_aborts_immediately() {
    let c = AbortController::new().unwrap();
    c.abort();
    let sig = AttemptSignal::new(10_000.0, Some(&c.signal())).unwrap();
    assert!(sig.signal().aborted());
    assert_eq!(sig.fired(), Fired::Caller);
}

async fn send_with(kind: &str) -> fetch::Rejection {
    let c = AbortController::new().unwrap();
    match fetch::send(
        &rejectWith(kind),
        "http://127.0.0.1:9/",
        "GET",
        &[],
        &JsValue::UNDEFINED,
        &c.signal(),
    )
    .await
    {
        Ok(_) => panic!("{kind}: expected a rejection"),
        Err(r) => r,
    }
}

#[wasm_bindgen_test]
async fn non_error_rejections_become_typed_failures_not_panics() {
    let r = send_with("string").await;
    assert!(
        r.message.contains("plain string rejection"),
        "{}",
        r.message
    );
    assert!(!r.before_send);
    let r = send_with("undefined").await;
    assert_eq!(r.message, "fetch failed without a reason");
    let r = send_with("throws").await;
    assert!(!r.message.is_empty());
    let r = send_with("not-a-response").await;
    assert!(r.message.contains("not a Response"), "{}", r.message);
}

#[wasm_bindgen_test]
async fn connection_refused_is_known_to_be_before_send() {
    let r = send_with("refused").await;
    assert!(r.before_send);
    assert!(r.message.contains("ECONNREFUSED"));
}

#[wasm_bindgen_test]
fn random_unit_is_in_range_and_varies() {
    let a = sys::random_unit();
    let b = sys::random_unit();
    assert!((0.0..1.0).contains(&a) && (0.0..1.0).contains(&b));
    assert_ne!(a, b);
}

#[wasm_bindgen_test]
async fn timer_promise_resolves() {
    let (p, _h): (Promise, JsValue) = sys::timer_promise(1.0);
    JsFuture::from(p).await.unwrap();
}

#[wasm_bindgen_test]
fn pooled_random_bytes_never_repeat_across_refills() {
    // 200 ids of 16 bytes cross the 1 KiB pool boundary three times.
    let mut seen = std::collections::HashSet::new();
    for _ in 0..200 {
        let mut b = [0u8; 16];
        assert!(sys::random_bytes(&mut b));
        assert_ne!(
            b, [0u8; 16],
            "an all-zero id means a wiped pool slot was handed out"
        );
        assert!(seen.insert(b), "a random id repeated");
    }
    let mut odd = [0u8; 1500];
    assert!(
        sys::random_bytes(&mut odd),
        "a request larger than the pool is still filled"
    );
    assert!(odd.iter().filter(|&&x| x == 0).count() < 40);
}
