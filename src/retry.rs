//! Whether and when to send a request again. Pure: the caller supplies the clock and the
//! randomness, so every decision is reproducible in tests.
//!
//! What the platform documents say, and what follows from it:
//! - Agntix (seed 004): retry 408, 429, 500, 502, 503, 504 with exponential backoff and jitter,
//!   at most 5 attempts; never 400/401/403/404/409/422.
//! - Zazmic (seed 001): 429 carries `Retry-After` / `details.retryAfter` (45 s in the example);
//!   500 and 503 are retried with exponential backoff. Ten failed tasks in ten minutes block the
//!   account, which is why hammering a failing endpoint is worse than giving up.
//! - Heylock (seed 003): 500/502 are transient, backoff with jitter, cap attempts; 402 (balance)
//!   must not be retried aggressively.
//! - Hatz (seed 000): 5xx "retry once if safe". "Safe" is the point of [`RequestSafety`]: a
//!   chat completion, workflow run or upload that reached the server may already be billed, so it
//!   is re-sent only when the server certainly did not act on it.

use crate::error::{AgentError, ErrorKind};

/// No retry ever waits less than this, so a zero `Retry-After` or a tiny base delay cannot turn
/// into a hot loop against a struggling server.
pub const MIN_DELAY_MS: u64 = 50;

/// Longest wait [`pacing_delay_ms`] will ask for; a reset further away is better reported.
pub const MAX_PACING_MS: u64 = 60_000;

/// Statuses that mean "try again later" on every documented platform.
pub const RETRYABLE_STATUSES: [u16; 6] = [408, 429, 500, 502, 503, 504];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so `max_retries + 1` attempts in all).
    pub max_retries: u32,
    /// Backoff before the first retry; doubles per retry.
    pub base_delay_ms: u64,
    /// Ceiling for the exponential backoff.
    pub max_delay_ms: u64,
    /// Longest server-requested `Retry-After` we are willing to sleep; longer ones are returned
    /// to the caller as an error carrying `retryAfterMs`.
    pub max_retry_after_ms: u64,
}

impl Default for RetryPolicy {
    /// Two retries (three attempts), 500 ms base, 8 s cap, 60 s longest `Retry-After`.
    ///
    /// Three attempts rather than Agntix's five: the default base URL is Hatz, whose guidance is
    /// "retry once if safe, then contact Support", and Zazmic blocks accounts after repeated
    /// failures, so a library default should stop early; five attempts stays reachable with
    /// `maxRetries: 4`. Two retries also matches the OpenAI and Anthropic SDKs, which users of the
    /// compatible gateways already expect. 500 ms doubling to at most 8 s spreads the three
    /// attempts over roughly 1-2 s, enough for a transient 502/503 to clear without stalling an
    /// interactive call. 60 s admits Zazmic's documented 45 s `retryAfter` while refusing to park
    /// a request for minutes.
    fn default() -> Self {
        Self {
            max_retries: 2,
            base_delay_ms: 500,
            max_delay_ms: 8_000,
            max_retry_after_ms: 60_000,
        }
    }
}

/// Whether sending the request twice can cost twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestSafety {
    /// GET/HEAD/DELETE-style reads and deletes, or a paid call protected by an idempotency key:
    /// re-sending after any transient failure is harmless.
    Idempotent,
    /// Starts billable work (chat completion, workflow run, upload). Re-sent only when the server
    /// certainly did not act: a rate-limit 429 (not quota), a 503, or a connection that failed
    /// before the request was sent.
    Paid,
}

impl RequestSafety {
    /// Classifies a call. POST and PATCH start work unless the caller says otherwise (`paid`);
    /// an idempotency key makes a re-send harmless, and `retry_paid_requests` is the client's
    /// explicit opt-in to accept the risk.
    pub fn for_call(
        method: &str,
        paid: Option<bool>,
        has_idempotency_key: bool,
        retry_paid_requests: bool,
    ) -> RequestSafety {
        let starts_work = paid.unwrap_or_else(|| {
            method.eq_ignore_ascii_case("POST") || method.eq_ignore_ascii_case("PATCH")
        });
        if starts_work && !has_idempotency_key && !retry_paid_requests {
            RequestSafety::Paid
        } else {
            RequestSafety::Idempotent
        }
    }
}

/// What happened on the last attempt.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// The server answered with an error (already classified).
    Response(&'a AgentError),
    /// The connection failed and we know nothing was sent (e.g. connection refused, DNS).
    NetworkBeforeSend,
    /// The connection failed after the request may have been sent. `fetch` often cannot tell
    /// the two apart; when unsure, report this one.
    NetworkAfterSend,
    /// The per-attempt timeout fired, before or after the response headers arrived.
    Timeout { headers_received: bool },
    /// The caller aborted.
    Aborted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUpReason {
    /// The failure will not go away by itself (4xx, quota, ...).
    NotRetryable,
    /// `max_retries` retries were already made.
    AttemptsExhausted,
    /// A paid request reached the server; sending it again could run (and bill) it twice.
    PaidWorkMayHaveRun,
    /// The server asked us to wait longer than `max_retry_after_ms`.
    RetryAfterTooLong { retry_after_ms: u64 },
    /// Waiting would pass the overall deadline.
    DeadlineTooClose,
    /// The caller aborted; never retried.
    Aborted,
}

impl GiveUpReason {
    pub fn as_str(self) -> &'static str {
        match self {
            GiveUpReason::NotRetryable => "not_retryable",
            GiveUpReason::AttemptsExhausted => "attempts_exhausted",
            GiveUpReason::PaidWorkMayHaveRun => "paid_work_may_have_run",
            GiveUpReason::RetryAfterTooLong { .. } => "retry_after_too_long",
            GiveUpReason::DeadlineTooClose => "deadline_too_close",
            GiveUpReason::Aborted => "aborted",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Retry { delay_ms: u64 },
    GiveUp { reason: GiveUpReason },
}

fn give_up(reason: GiveUpReason) -> Decision {
    Decision::GiveUp { reason }
}

/// Maps a caller-supplied random number onto [0, 1], so a bad value cannot produce a wild delay.
fn unit(random: f64) -> f64 {
    if random.is_nan() {
        0.0
    } else {
        random.clamp(0.0, 1.0)
    }
}

/// Backoff before the retry that follows `attempt` (1-based attempts made so far).
///
/// "Equal jitter": half of the exponential delay is fixed, the other half random. Unlike full
/// jitter this never collapses to almost nothing, so every retry really does back off from an
/// overloaded server, while the random half still spreads out clients that failed together.
/// The result is always within `[MIN_DELAY_MS, max(max_delay_ms, MIN_DELAY_MS)]`.
pub fn backoff_delay(policy: &RetryPolicy, attempt: u32, random: f64) -> u64 {
    let cap = policy.max_delay_ms.max(MIN_DELAY_MS);
    let doublings = attempt.saturating_sub(1).min(63);
    let exp = policy
        .base_delay_ms
        .saturating_mul(1u64 << doublings)
        .min(cap);
    let half = exp / 2;
    let spread = exp.saturating_sub(half);
    // `spread` <= cap, well inside f64's exact integer range; the cast saturates anyway.
    let jitter = (spread as f64 * unit(random)).floor() as u64;
    half.saturating_add(jitter).clamp(MIN_DELAY_MS, cap)
}

/// Whether an error response may succeed if sent again, ignoring cost.
fn response_is_retryable(err: &AgentError) -> bool {
    match err.kind {
        // Out of credits or balance: waiting seconds changes nothing (Heylock 402, Hatz credit
        // overage 429, Zazmic insufficient balance).
        ErrorKind::Quota | ErrorKind::Aborted => false,
        _ => match err.status {
            Some(status) if RETRYABLE_STATUSES.contains(&status) => true,
            // Other statuses keep the classifier's verdict, which knows vendor codes such as
            // Agntix SESSION_CREATION_ERROR.
            _ => err.retryable,
        },
    }
}

/// Whether the server certainly did not start the work, so even a paid request may be re-sent.
fn server_did_not_act(outcome: &Outcome<'_>) -> bool {
    match outcome {
        Outcome::Response(err) => match err.status {
            Some(429) => err.kind != ErrorKind::Quota,
            Some(503) => true,
            _ => false,
        },
        Outcome::NetworkBeforeSend => true,
        Outcome::NetworkAfterSend | Outcome::Timeout { .. } | Outcome::Aborted => false,
    }
}

/// Decides whether to retry after `attempt` attempts (1-based) ended in `outcome`.
///
/// `remaining_deadline_ms` is the time left on the overall deadline, if any; `random` is a
/// uniform number in [0, 1) from the caller (out-of-range values are clamped).
pub fn decide(
    policy: &RetryPolicy,
    attempt: u32,
    outcome: &Outcome<'_>,
    safety: RequestSafety,
    remaining_deadline_ms: Option<u64>,
    random: f64,
) -> Decision {
    let retryable = match outcome {
        Outcome::Aborted => return give_up(GiveUpReason::Aborted),
        Outcome::Response(err) if err.kind == ErrorKind::Aborted => {
            return give_up(GiveUpReason::Aborted)
        }
        Outcome::Response(err) => response_is_retryable(err),
        Outcome::NetworkBeforeSend | Outcome::NetworkAfterSend | Outcome::Timeout { .. } => true,
    };
    if !retryable {
        return give_up(GiveUpReason::NotRetryable);
    }
    if safety == RequestSafety::Paid && !server_did_not_act(outcome) {
        return give_up(GiveUpReason::PaidWorkMayHaveRun);
    }
    if attempt.max(1) > policy.max_retries {
        return give_up(GiveUpReason::AttemptsExhausted);
    }
    let retry_after = match outcome {
        Outcome::Response(err) => err.retry_after_ms,
        _ => None,
    };
    let delay_ms = match retry_after {
        Some(ra) if ra > policy.max_retry_after_ms => {
            return give_up(GiveUpReason::RetryAfterTooLong { retry_after_ms: ra })
        }
        // Up to 10% extra so clients told the same Retry-After do not all return at once.
        Some(ra) => {
            let jitter = ((ra / 10) as f64 * unit(random)).floor() as u64;
            ra.saturating_add(jitter).max(MIN_DELAY_MS)
        }
        None => backoff_delay(policy, attempt.max(1), random),
    };
    if let Some(remaining) = remaining_deadline_ms {
        // The retry itself needs some time too; sleeping right up to the deadline only to be
        // cut off would waste the wait.
        if delay_ms.saturating_add(MIN_DELAY_MS) >= remaining {
            return give_up(GiveUpReason::DeadlineTooClose);
        }
    }
    Decision::Retry { delay_ms }
}

/// Whether an outcome should count against the circuit breaker: only failures that say the
/// service is unhealthy. Client errors, rate limits and aborts say nothing about its health.
pub fn counts_as_breaker_failure(outcome: &Outcome<'_>) -> bool {
    match outcome {
        Outcome::Response(err) => match err.status {
            Some(status) => status >= 500,
            None => matches!(
                err.kind,
                ErrorKind::Server
                    | ErrorKind::Unavailable
                    | ErrorKind::Network
                    | ErrorKind::Timeout
            ),
        },
        Outcome::NetworkBeforeSend | Outcome::NetworkAfterSend | Outcome::Timeout { .. } => true,
        Outcome::Aborted => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BreakerState {
    Closed,
    /// Rejecting calls until `until_ms`.
    Open {
        until_ms: f64,
    },
    /// One probe is in flight, started at `probe_started_ms`; its result closes or re-opens.
    HalfOpen {
        probe_started_ms: f64,
    },
}

/// Stops calling a service that keeps failing, so one outage does not burn through the account's
/// failure allowance (Zazmic blocks after 10 failed tasks in 10 minutes).
///
/// Counts consecutive failures; a success resets the count, and a failure that comes more than
/// `window_ms` after the first counted one starts a new count. At `threshold` the breaker opens
/// for `cooldown_ms`; then one probe call is let through (half-open): success closes it, failure
/// opens it again.
#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    threshold: u32,
    window_ms: f64,
    cooldown_ms: f64,
    failures: u32,
    first_failure_ms: f64,
    state: BreakerState,
}

impl Default for CircuitBreaker {
    /// 5 failures within 10 minutes, 30 s cooldown: opens well before Zazmic's 10-in-10-minutes
    /// block, and 30 s is long enough for a deploy or failover to finish.
    fn default() -> Self {
        Self::new(5, 600_000.0, 30_000.0)
    }
}

fn finite_non_negative(v: f64) -> f64 {
    if v.is_finite() {
        v.max(0.0)
    } else {
        0.0
    }
}

fn ceil_ms(v: f64) -> u64 {
    // Saturating cast; at least 1 so "Err(0)" never reads as "go ahead".
    (finite_non_negative(v).ceil() as u64).max(1)
}

impl CircuitBreaker {
    /// `threshold` below 1 is treated as 1; negative or non-finite times as 0.
    pub fn new(threshold: u32, window_ms: f64, cooldown_ms: f64) -> Self {
        Self {
            threshold: threshold.max(1),
            window_ms: finite_non_negative(window_ms),
            cooldown_ms: finite_non_negative(cooldown_ms),
            failures: 0,
            first_failure_ms: 0.0,
            state: BreakerState::Closed,
        }
    }

    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// `Ok` when a call may go out now; otherwise `Err(ms)` until it is worth asking again.
    pub fn allow(&mut self, now_ms: f64) -> Result<(), u64> {
        match self.state {
            BreakerState::Closed => Ok(()),
            BreakerState::Open { until_ms } if now_ms < until_ms => Err(ceil_ms(until_ms - now_ms)),
            BreakerState::Open { .. } => {
                self.state = BreakerState::HalfOpen {
                    probe_started_ms: now_ms,
                };
                Ok(())
            }
            BreakerState::HalfOpen { probe_started_ms } => {
                let probe_deadline = probe_started_ms + self.cooldown_ms;
                if now_ms < probe_deadline {
                    Err(ceil_ms(probe_deadline - now_ms))
                } else {
                    // The probe never reported (its caller went away): let another one through
                    // rather than staying half-open forever.
                    self.state = BreakerState::HalfOpen {
                        probe_started_ms: now_ms,
                    };
                    Ok(())
                }
            }
        }
    }

    pub fn record_success(&mut self) {
        self.failures = 0;
        self.state = BreakerState::Closed;
    }

    pub fn record_failure(&mut self, now_ms: f64) {
        match self.state {
            BreakerState::HalfOpen { .. } => self.open(now_ms),
            // A straggler from before the breaker opened; the cooldown already covers it.
            BreakerState::Open { .. } => {}
            BreakerState::Closed => {
                if self.failures == 0 || now_ms - self.first_failure_ms > self.window_ms {
                    self.failures = 1;
                    self.first_failure_ms = now_ms;
                } else {
                    self.failures = self.failures.saturating_add(1);
                }
                if self.failures >= self.threshold {
                    self.open(now_ms);
                }
            }
        }
    }

    fn open(&mut self, now_ms: f64) {
        self.failures = 0;
        self.state = BreakerState::Open {
            until_ms: now_ms + self.cooldown_ms,
        };
    }
}

/// How long to hold the next request so it does not hit a rate limit the server already said
/// is exhausted (`X-RateLimit-Remaining: 0` with a reset time in the future).
///
/// `reset_at_ms` and `now_ms` are epoch milliseconds. Waits are capped at [`MAX_PACING_MS`]:
/// a reset further out (a misread seconds-vs-epoch header, or a daily quota) is not worth
/// blocking on, and the request's own 429 will report it.
pub fn pacing_delay_ms(
    remaining: Option<u64>,
    reset_at_ms: Option<f64>,
    now_ms: f64,
) -> Option<u64> {
    if remaining != Some(0) {
        return None;
    }
    let reset = reset_at_ms.filter(|r| r.is_finite())?;
    if !now_ms.is_finite() || reset <= now_ms {
        return None;
    }
    Some(ceil_ms(reset - now_ms).min(MAX_PACING_MS))
}
