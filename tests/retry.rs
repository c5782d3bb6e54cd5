//! Tests may panic: a failed assertion is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use agentwire::retry::{
    backoff_delay, counts_as_breaker_failure, decide, pacing_delay_ms, BreakerState,
    CircuitBreaker, Decision, GiveUpReason, Outcome, RequestSafety, RetryPolicy, MAX_PACING_MS,
    MIN_DELAY_MS, RETRYABLE_STATUSES,
};
use agentwire::{AgentError, ErrorKind, VendorFormat};
use proptest::prelude::*;

fn kind_for(status: u16) -> ErrorKind {
    match status {
        400 | 422 => ErrorKind::Validation,
        401 => ErrorKind::Authentication,
        403 => ErrorKind::Permission,
        404 => ErrorKind::NotFound,
        408 => ErrorKind::Timeout,
        409 => ErrorKind::Conflict,
        429 => ErrorKind::RateLimited,
        503 => ErrorKind::Unavailable,
        _ if status >= 500 => ErrorKind::Server,
        _ => ErrorKind::Unknown,
    }
}

fn err(status: u16) -> AgentError {
    AgentError {
        kind: kind_for(status),
        status: Some(status),
        code: None,
        message: format!("status {status}"),
        request_id: None,
        retryable: false,
        retry_after_ms: None,
        rate_limit: None,
        field_errors: Vec::new(),
        vendor_format: VendorFormat::Empty,
        details: None,
        advice: String::new(),
    }
}

fn with_retry_after(mut e: AgentError, ms: u64) -> AgentError {
    e.retry_after_ms = Some(ms);
    e
}

const P: RetryPolicy = RetryPolicy {
    max_retries: 4,
    base_delay_ms: 500,
    max_delay_ms: 8_000,
    max_retry_after_ms: 60_000,
};

fn decide_simple(outcome: &Outcome<'_>, safety: RequestSafety) -> Decision {
    decide(&P, 1, outcome, safety, None, 0.5)
}

fn is_retry(d: Decision) -> bool {
    matches!(d, Decision::Retry { .. })
}

fn reason(d: Decision) -> GiveUpReason {
    match d {
        Decision::GiveUp { reason } => reason,
        Decision::Retry { delay_ms } => panic!("expected give-up, got retry after {delay_ms} ms"),
    }
}

#[test]
fn default_policy_matches_documented_choice() {
    let d = RetryPolicy::default();
    assert_eq!(d.max_retries, 2);
    assert_eq!(d.base_delay_ms, 500);
    assert_eq!(d.max_delay_ms, 8_000);
    // Zazmic's documented retryAfter of 45 s must be honoured by default.
    assert!(d.max_retry_after_ms >= 45_000);
}

#[test]
fn every_documented_retryable_status_is_retried_when_idempotent() {
    for status in [408, 429, 500, 502, 503, 504] {
        assert!(RETRYABLE_STATUSES.contains(&status));
        let e = err(status);
        let d = decide_simple(&Outcome::Response(&e), RequestSafety::Idempotent);
        assert!(is_retry(d), "{status}: {d:?}");
    }
}

#[test]
fn client_errors_are_not_retried() {
    for status in [400, 401, 402, 403, 404, 409, 422] {
        let e = err(status);
        let d = decide_simple(&Outcome::Response(&e), RequestSafety::Idempotent);
        assert_eq!(reason(d), GiveUpReason::NotRetryable, "{status}");
    }
}

#[test]
fn classifier_retryable_flag_is_respected_for_other_statuses() {
    let mut e = err(409);
    e.retryable = true; // e.g. Agntix SESSION_CREATION_ERROR
    assert!(is_retry(decide_simple(
        &Outcome::Response(&e),
        RequestSafety::Idempotent
    )));
    let mut stream_err = err(200);
    stream_err.status = None;
    stream_err.kind = ErrorKind::Stream;
    assert_eq!(
        reason(decide_simple(
            &Outcome::Response(&stream_err),
            RequestSafety::Idempotent
        )),
        GiveUpReason::NotRetryable
    );
}

#[test]
fn quota_429_is_never_retried() {
    let mut e = err(429);
    e.kind = ErrorKind::Quota;
    for safety in [RequestSafety::Idempotent, RequestSafety::Paid] {
        assert_eq!(
            reason(decide_simple(&Outcome::Response(&e), safety)),
            GiveUpReason::NotRetryable
        );
    }
}

#[test]
fn paid_request_not_resent_when_server_may_have_acted() {
    for status in [408, 500, 502, 504] {
        let e = err(status);
        assert_eq!(
            reason(decide_simple(&Outcome::Response(&e), RequestSafety::Paid)),
            GiveUpReason::PaidWorkMayHaveRun,
            "{status}"
        );
    }
    for outcome in [
        Outcome::NetworkAfterSend,
        Outcome::Timeout {
            headers_received: true,
        },
        Outcome::Timeout {
            headers_received: false,
        },
    ] {
        assert_eq!(
            reason(decide_simple(&outcome, RequestSafety::Paid)),
            GiveUpReason::PaidWorkMayHaveRun,
            "{outcome:?}"
        );
    }
}

#[test]
fn paid_request_resent_when_server_certainly_did_not_act() {
    let rate = err(429);
    let unavailable = err(503);
    for outcome in [
        Outcome::Response(&rate),
        Outcome::Response(&unavailable),
        Outcome::NetworkBeforeSend,
    ] {
        assert!(
            is_retry(decide_simple(&outcome, RequestSafety::Paid)),
            "{outcome:?}"
        );
    }
}

#[test]
fn idempotent_request_retried_after_any_transient_failure() {
    for outcome in [
        Outcome::NetworkAfterSend,
        Outcome::NetworkBeforeSend,
        Outcome::Timeout {
            headers_received: true,
        },
        Outcome::Timeout {
            headers_received: false,
        },
    ] {
        assert!(
            is_retry(decide_simple(&outcome, RequestSafety::Idempotent)),
            "{outcome:?}"
        );
    }
}

#[test]
fn abort_is_never_retried() {
    assert_eq!(
        reason(decide_simple(&Outcome::Aborted, RequestSafety::Idempotent)),
        GiveUpReason::Aborted
    );
    let mut e = err(499);
    e.kind = ErrorKind::Aborted;
    e.retryable = true;
    assert_eq!(
        reason(decide_simple(
            &Outcome::Response(&e),
            RequestSafety::Idempotent
        )),
        GiveUpReason::Aborted
    );
}

#[test]
fn attempts_are_capped() {
    let e = err(503);
    let o = Outcome::Response(&e);
    for attempt in 1..=P.max_retries {
        assert!(is_retry(decide(
            &P,
            attempt,
            &o,
            RequestSafety::Idempotent,
            None,
            0.0
        )));
    }
    assert_eq!(
        reason(decide(
            &P,
            P.max_retries + 1,
            &o,
            RequestSafety::Idempotent,
            None,
            0.0
        )),
        GiveUpReason::AttemptsExhausted
    );
    let none = RetryPolicy {
        max_retries: 0,
        ..P
    };
    assert_eq!(
        reason(decide(&none, 1, &o, RequestSafety::Idempotent, None, 0.0)),
        GiveUpReason::AttemptsExhausted
    );
}

#[test]
fn retry_after_is_honoured_with_at_most_ten_percent_jitter() {
    let e = with_retry_after(err(429), 45_000);
    let o = Outcome::Response(&e);
    let low = decide(&P, 1, &o, RequestSafety::Paid, None, 0.0);
    assert_eq!(low, Decision::Retry { delay_ms: 45_000 });
    let high = decide(&P, 1, &o, RequestSafety::Paid, None, 0.999_999);
    match high {
        Decision::Retry { delay_ms } => assert!((45_000..=49_500).contains(&delay_ms)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn retry_after_above_cap_gives_up_with_the_value() {
    let e = with_retry_after(err(429), 120_000);
    assert_eq!(
        reason(decide_simple(
            &Outcome::Response(&e),
            RequestSafety::Idempotent
        )),
        GiveUpReason::RetryAfterTooLong {
            retry_after_ms: 120_000
        }
    );
}

#[test]
fn zero_retry_after_is_floored() {
    let e = with_retry_after(err(503), 0);
    assert_eq!(
        decide_simple(&Outcome::Response(&e), RequestSafety::Idempotent),
        Decision::Retry {
            delay_ms: MIN_DELAY_MS
        }
    );
}

#[test]
fn never_sleeps_past_the_deadline() {
    let e = with_retry_after(err(429), 10_000);
    let o = Outcome::Response(&e);
    assert_eq!(
        reason(decide(
            &P,
            1,
            &o,
            RequestSafety::Idempotent,
            Some(5_000),
            0.0
        )),
        GiveUpReason::DeadlineTooClose
    );
    assert_eq!(
        reason(decide(
            &P,
            1,
            &o,
            RequestSafety::Idempotent,
            Some(10_000),
            0.0
        )),
        GiveUpReason::DeadlineTooClose
    );
    assert!(is_retry(decide(
        &P,
        1,
        &o,
        RequestSafety::Idempotent,
        Some(20_000),
        0.0
    )));
    assert_eq!(
        reason(decide(
            &P,
            1,
            &Outcome::NetworkBeforeSend,
            RequestSafety::Idempotent,
            Some(0),
            0.0
        )),
        GiveUpReason::DeadlineTooClose
    );
}

#[test]
fn backoff_grows_exponentially_and_is_capped() {
    // random = 1.0 gives the top of each equal-jitter range.
    let top: Vec<u64> = (1..=6).map(|a| backoff_delay(&P, a, 1.0)).collect();
    assert_eq!(top, vec![500, 1_000, 2_000, 4_000, 8_000, 8_000]);
    let bottom: Vec<u64> = (1..=6).map(|a| backoff_delay(&P, a, 0.0)).collect();
    assert_eq!(bottom, vec![250, 500, 1_000, 2_000, 4_000, 4_000]);
    assert_eq!(backoff_delay(&P, u32::MAX, 0.5), 6_000);
}

#[test]
fn backoff_handles_bad_random_values() {
    assert_eq!(backoff_delay(&P, 1, f64::NAN), 250);
    assert_eq!(backoff_delay(&P, 1, -3.0), 250);
    assert_eq!(backoff_delay(&P, 1, 7.0), 500);
    let tiny = RetryPolicy {
        base_delay_ms: 0,
        max_delay_ms: 0,
        ..P
    };
    assert_eq!(backoff_delay(&tiny, 1, 0.5), MIN_DELAY_MS);
}

proptest! {
    #[test]
    fn backoff_is_always_within_floor_and_cap(
        attempt in 0u32..200,
        random in 0.0f64..1.0,
        base in 0u64..100_000,
        cap in 0u64..1_000_000,
    ) {
        let p = RetryPolicy { max_retries: 10, base_delay_ms: base, max_delay_ms: cap, max_retry_after_ms: 0 };
        let d = backoff_delay(&p, attempt, random);
        prop_assert!(d >= MIN_DELAY_MS);
        prop_assert!(d <= cap.max(MIN_DELAY_MS));
    }

    #[test]
    fn decided_delays_are_never_zero_and_respect_deadline(
        attempt in 1u32..5,
        random in 0.0f64..1.0,
        retry_after in proptest::option::of(0u64..70_000),
        remaining in proptest::option::of(0u64..100_000),
    ) {
        let mut e = err(503);
        e.retry_after_ms = retry_after;
        if let Decision::Retry { delay_ms } =
            decide(&P, attempt, &Outcome::Response(&e), RequestSafety::Idempotent, remaining, random)
        {
            prop_assert!(delay_ms >= MIN_DELAY_MS);
            if let Some(r) = remaining {
                prop_assert!(delay_ms < r);
            }
            if let Some(ra) = retry_after {
                prop_assert!(delay_ms >= ra && delay_ms <= (ra + ra / 10).max(MIN_DELAY_MS));
            } else {
                prop_assert!(delay_ms <= P.max_delay_ms);
            }
        }
    }
}

#[test]
fn breaker_opens_half_opens_and_closes() {
    let mut b = CircuitBreaker::new(3, 10_000.0, 1_000.0);
    assert_eq!(b.allow(0.0), Ok(()));
    b.record_failure(0.0);
    b.record_failure(100.0);
    assert_eq!(b.allow(200.0), Ok(()));
    b.record_failure(200.0);
    assert_eq!(b.state(), BreakerState::Open { until_ms: 1_200.0 });
    assert_eq!(b.allow(700.0), Err(500));
    assert_eq!(b.allow(1_199.5), Err(1));
    // Cooldown over: exactly one probe goes through.
    assert_eq!(b.allow(1_200.0), Ok(()));
    assert!(matches!(b.state(), BreakerState::HalfOpen { .. }));
    assert!(b.allow(1_201.0).is_err());
    b.record_success();
    assert_eq!(b.state(), BreakerState::Closed);
    assert_eq!(b.allow(1_300.0), Ok(()));
}

#[test]
fn failed_probe_reopens_the_breaker() {
    let mut b = CircuitBreaker::new(1, 10_000.0, 1_000.0);
    b.record_failure(0.0);
    assert!(b.allow(10.0).is_err());
    assert_eq!(b.allow(1_000.0), Ok(()));
    b.record_failure(1_050.0);
    assert_eq!(b.state(), BreakerState::Open { until_ms: 2_050.0 });
    assert_eq!(b.allow(1_100.0), Err(950));
}

#[test]
fn abandoned_probe_does_not_wedge_the_breaker() {
    let mut b = CircuitBreaker::new(1, 10_000.0, 1_000.0);
    b.record_failure(0.0);
    assert_eq!(b.allow(1_000.0), Ok(()));
    assert!(b.allow(1_500.0).is_err());
    assert_eq!(
        b.allow(2_000.0),
        Ok(()),
        "a new probe after another cooldown"
    );
}

#[test]
fn success_resets_and_old_failures_fall_out_of_the_window() {
    let mut b = CircuitBreaker::new(3, 10_000.0, 1_000.0);
    b.record_failure(0.0);
    b.record_failure(1.0);
    b.record_success();
    b.record_failure(2.0);
    b.record_failure(3.0);
    assert_eq!(b.state(), BreakerState::Closed, "success reset the count");

    let mut b = CircuitBreaker::new(3, 10_000.0, 1_000.0);
    b.record_failure(0.0);
    b.record_failure(5_000.0);
    b.record_failure(20_000.0); // outside the window: a new count starts
    b.record_failure(21_000.0);
    assert_eq!(b.state(), BreakerState::Closed);
    b.record_failure(22_000.0);
    assert!(matches!(b.state(), BreakerState::Open { .. }));
}

#[test]
fn default_breaker_opens_before_zazmic_blocks() {
    let mut b = CircuitBreaker::default();
    for i in 0..5 {
        assert_eq!(b.allow(f64::from(i) * 1_000.0), Ok(()));
        b.record_failure(f64::from(i) * 1_000.0);
    }
    assert!(
        b.allow(5_000.0).is_err(),
        "opened after 5 failures, below the platform's 10"
    );
}

#[test]
fn breaker_counts_only_health_failures() {
    let s500 = err(500);
    let s429 = err(429);
    let s404 = err(404);
    assert!(counts_as_breaker_failure(&Outcome::Response(&s500)));
    assert!(counts_as_breaker_failure(&Outcome::NetworkAfterSend));
    assert!(counts_as_breaker_failure(&Outcome::Timeout {
        headers_received: false
    }));
    assert!(!counts_as_breaker_failure(&Outcome::Response(&s429)));
    assert!(!counts_as_breaker_failure(&Outcome::Response(&s404)));
    assert!(!counts_as_breaker_failure(&Outcome::Aborted));
}

#[test]
fn pacer_waits_only_when_exhausted_and_reset_is_ahead() {
    let now = 1_642_252_800_000.0;
    assert_eq!(
        pacing_delay_ms(Some(0), Some(now + 1_500.0), now),
        Some(1_500)
    );
    assert_eq!(pacing_delay_ms(Some(0), Some(now + 0.2), now), Some(1));
    assert_eq!(pacing_delay_ms(Some(1), Some(now + 1_500.0), now), None);
    assert_eq!(pacing_delay_ms(None, Some(now + 1_500.0), now), None);
    assert_eq!(pacing_delay_ms(Some(0), Some(now - 1.0), now), None);
    assert_eq!(pacing_delay_ms(Some(0), None, now), None);
    assert_eq!(pacing_delay_ms(Some(0), Some(f64::NAN), now), None);
    assert_eq!(
        pacing_delay_ms(Some(0), Some(now + 3_600_000.0), now),
        Some(MAX_PACING_MS)
    );
}

#[test]
fn request_safety_for_calls() {
    use RequestSafety::{Idempotent, Paid};
    assert_eq!(
        RequestSafety::for_call("GET", None, false, false),
        Idempotent
    );
    assert_eq!(
        RequestSafety::for_call("delete", None, false, false),
        Idempotent
    );
    assert_eq!(RequestSafety::for_call("POST", None, false, false), Paid);
    assert_eq!(RequestSafety::for_call("patch", None, false, false), Paid);
    // An idempotency key makes a paid call safe to re-send.
    assert_eq!(
        RequestSafety::for_call("POST", None, true, false),
        Idempotent
    );
    assert_eq!(
        RequestSafety::for_call("POST", None, false, true),
        Idempotent
    );
    assert_eq!(
        RequestSafety::for_call("POST", Some(false), false, false),
        Idempotent
    );
    assert_eq!(
        RequestSafety::for_call("GET", Some(true), false, false),
        Paid
    );
}

#[test]
fn idempotency_key_turns_a_500_on_a_post_into_a_retry() {
    let e = err(500);
    let o = Outcome::Response(&e);
    let keyed = RequestSafety::for_call("POST", None, true, false);
    assert!(is_retry(decide(&P, 1, &o, keyed, None, 0.3)));
    let unkeyed = RequestSafety::for_call("POST", None, false, false);
    assert_eq!(
        reason(decide(&P, 1, &o, unkeyed, None, 0.3)),
        GiveUpReason::PaidWorkMayHaveRun
    );
}
