//! The request loop: pacing, circuit breaker, attempts under timeouts, retries the pure core
//! approves, and the facts (`Meta`) every result and error carries.

use super::fetch::{self, Rejection};
use super::log::{Level, Logger};
use super::signal::{self, AttemptSignal, Fired};
use super::sys;
use crate::call::{self, CallSpec, Prepared};
use crate::config::ClientConfig;
use crate::error::{AgentError, ErrorKind};
use crate::header_values;
use crate::headers::HeaderList;
use crate::meta::Meta;
use crate::parse;
use crate::redact::Redactor;
use crate::retry::{self, CircuitBreaker, Decision, Outcome};
use crate::secret::Secret;
use js_sys::Function;
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, Response};

/// Error bodies past this are cut: enough for any real envelope, bounded for hostile ones.
const MAX_ERROR_BODY: usize = 8 * 1024 * 1024;

pub struct Failure {
    pub error: AgentError,
    pub meta: Meta,
}

pub struct Reply {
    pub status: u16,
    /// The body as a JS string (absent for streams, whose body stays unread).
    pub body: JsValue,
    pub meta: Meta,
    pub response: Response,
    /// Keeps the idle timer and the caller's abort link alive while a stream is read.
    pub signal: Option<AttemptSignal>,
}

pub struct Transport {
    pub cfg: ClientConfig,
    key: Option<Secret>,
    fetch: Function,
    pub logger: Logger,
    pub redactor: Redactor,
    breaker: RefCell<Option<CircuitBreaker>>,
    /// When the platform said no requests remain, the epoch ms at which the window resets.
    paced_until: Cell<Option<f64>>,
}

fn now() -> f64 {
    sys::date_now()
}

fn random16() -> [u8; 16] {
    let mut b = [0u8; 16];
    if !sys::random_bytes(&mut b) {
        for x in b.iter_mut() {
            *x = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    b
}

impl Transport {
    pub fn new(
        cfg: ClientConfig,
        key: Option<String>,
        fetch: Option<Function>,
        logger: Option<JsValue>,
    ) -> Result<Self, AgentError> {
        let fetch = match fetch {
            Some(f) => f,
            None => sys::global_fetch().ok_or_else(|| {
                AgentError::client(
                    ErrorKind::Validation,
                    "this runtime has no global fetch: pass options.fetch (for example undici's fetch)",
                )
            })?,
        };
        let mut secrets = Vec::new();
        if let Some(k) = &key {
            secrets.push(k.clone());
        }
        let breaker = cfg
            .circuit_breaker
            .map(|b| CircuitBreaker::new(b.threshold, b.window_ms, b.cooldown_ms));
        let logger = Logger::new(logger, Level::parse(cfg.log_level.as_str()));
        Ok(Self {
            cfg,
            key: key.map(Secret::new),
            fetch,
            logger,
            redactor: Redactor::new(secrets),
            breaker: RefCell::new(breaker),
            paced_until: Cell::new(None),
        })
    }

    fn auth_headers(&self, p: &Prepared) -> Vec<(String, String)> {
        let mut h = p.headers.clone();
        if let Some(k) = &self.key {
            if let Some((name, value)) = p.auth.header(k.expose()) {
                h.push((name.to_string(), value));
            }
        }
        h
    }

    fn fail(&self, error: AgentError, meta: &Meta) -> Failure {
        let mut error = error;
        if error.request_id.is_none() {
            error.request_id = meta.request_id.clone();
        }
        if self.logger.enabled(Level::Warn) {
            self.logger.log(
                Level::Warn,
                &format!(
                    "agentwire failed kind={} status={} attempts={} requestId={} durationMs={}",
                    error.kind.as_str(),
                    error
                        .status
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "-".into()),
                    meta.attempts,
                    meta.request_id.as_deref().unwrap_or("-"),
                    meta.duration_ms as u64
                ),
            );
        }
        Failure {
            error,
            meta: meta.clone(),
        }
    }

    /// Sends the call, retrying as the core decides. For streams the body is left unread.
    pub async fn send(
        &self,
        spec: &CallSpec,
        body: &JsValue,
        caller: Option<&AbortSignal>,
    ) -> Result<Reply, Failure> {
        let started = now();
        let mut meta = Meta::default();
        let prepared = call::prepare(
            &self.cfg,
            spec,
            self.key.as_ref().map(|k| k.expose()),
            &random16(),
        )
        .map_err(|e| self.fail(e, &meta))?;
        meta.request_id = Some(prepared.request_id.clone());
        let headers = self.auth_headers(&prepared);
        let policy = self.cfg.retry_policy();
        let deadline = started + prepared.deadline_ms as f64;
        let path = path_only(&prepared.url);
        if self.cfg.logs_bodies() {
            if let Some(text) = body.as_string() {
                self.log_body("request", &path, &text);
            }
        }
        loop {
            let elapsed = now() - started;
            meta.duration_ms = elapsed;
            if caller.is_some_and(|c| c.aborted()) {
                return Err(self.fail(aborted(), &meta));
            }
            self.wait_for_gates(deadline, caller, &mut meta, started)
                .await?;
            let remaining = deadline - now();
            if remaining <= 0.0 {
                return Err(self.fail(deadline_error(prepared.deadline_ms), &meta));
            }
            meta.attempts += 1;
            let attempt_started = now();
            let sig = AttemptSignal::new((prepared.timeout_ms as f64).min(remaining), caller)
                .map_err(|_| {
                    self.fail(
                        AgentError::client(ErrorKind::Unknown, "AbortController is unavailable"),
                        &meta,
                    )
                })?;
            let result = fetch::send(
                &self.fetch,
                &prepared.url,
                &prepared.method,
                &headers,
                body,
                &sig.signal(),
            )
            .await;
            let outcome_error: AgentError;
            let outcome = match result {
                Err(rej) => {
                    let (e, o) =
                        self.broken_attempt(&sig, rej, prepared.timeout_ms, false, &meta)?;
                    outcome_error = e;
                    o
                }
                Ok(resp) => {
                    let status = resp.status();
                    let hl = fetch::header_list(&resp);
                    self.note_response(&hl, status, &mut meta);
                    if (200..300).contains(&status) {
                        if let Some(b) = self.breaker.borrow_mut().as_mut() {
                            b.record_success();
                        }
                        self.log_attempt(
                            Level::Info,
                            &prepared.method,
                            &path,
                            status,
                            &meta,
                            attempt_started,
                        );
                        if spec.stream {
                            meta.duration_ms = now() - started;
                            return Ok(Reply {
                                status,
                                body: JsValue::UNDEFINED,
                                meta,
                                response: resp,
                                signal: Some(sig),
                            });
                        }
                        match fetch::read_text(&resp).await {
                            Ok(text) => {
                                if self.cfg.logs_bodies() {
                                    if let Some(t) = text.as_string() {
                                        self.log_body("response", &path, &t);
                                    }
                                }
                                meta.duration_ms = now() - started;
                                return Ok(Reply {
                                    status,
                                    body: text,
                                    meta,
                                    response: resp,
                                    signal: None,
                                });
                            }
                            Err(e) => {
                                let rej = fetch::rejection(e);
                                let (e, o) = self.broken_attempt(
                                    &sig,
                                    rej,
                                    prepared.timeout_ms,
                                    true,
                                    &meta,
                                )?;
                                outcome_error = e;
                                o
                            }
                        }
                    } else {
                        let bytes = match fetch::read_bytes(&resp, MAX_ERROR_BODY).await {
                            Ok(b) => b,
                            Err(_) if sig.fired() == Fired::Caller => {
                                return Err(self.fail(aborted(), &meta))
                            }
                            // A body we could not read still has a status that says what happened.
                            Err(_) => Vec::new(),
                        };
                        self.log_attempt(
                            Level::Info,
                            &prepared.method,
                            &path,
                            status,
                            &meta,
                            attempt_started,
                        );
                        if self.cfg.logs_bodies() {
                            self.log_body(
                                "error response",
                                &path,
                                &String::from_utf8_lossy(&bytes),
                            );
                        }
                        outcome_error =
                            parse::parse_error(status, &hl, &bytes, now(), &self.redactor);
                        Outcome::Response(&outcome_error)
                    }
                }
            };
            drop(sig);
            // Server-side trouble counts toward the breaker; the caller's own mistakes do not.
            let trouble = match &outcome {
                Outcome::Response(e) => e.retryable,
                Outcome::Aborted => false,
                _ => true,
            };
            if trouble {
                if let Some(b) = self.breaker.borrow_mut().as_mut() {
                    b.record_failure(now());
                }
            }
            let remaining = (deadline - now()).max(0.0) as u64;
            meta.duration_ms = now() - started;
            match retry::decide(
                &policy,
                meta.attempts,
                &outcome,
                prepared.safety,
                Some(remaining),
                sys::random_unit(),
            ) {
                Decision::Retry { delay_ms } => {
                    self.logger.log(
                        Level::Info,
                        &format!(
                            "agentwire retry {} {} attempt={} waitMs={} kind={} requestId={}",
                            prepared.method,
                            path,
                            meta.attempts,
                            delay_ms,
                            outcome_error.kind.as_str(),
                            meta.request_id.as_deref().unwrap_or("-")
                        ),
                    );
                    meta.waited_ms += delay_ms as f64;
                    if !signal::sleep(delay_ms as f64, caller).await {
                        meta.duration_ms = now() - started;
                        return Err(self.fail(aborted(), &meta));
                    }
                }
                Decision::GiveUp { .. } => {
                    let mut e = outcome_error.clone();
                    if outcome_error.kind == ErrorKind::Network
                        && matches!(outcome, Outcome::NetworkAfterSend)
                        && prepared.safety == retry::RequestSafety::Paid
                    {
                        e.advice = format!("{} The request may have reached the server, so it was not re-sent automatically: check whether the work ran before retrying, or pass an idempotencyKey.", e.advice);
                    }
                    return Err(self.fail(e, &meta));
                }
            }
        }
    }

    /// Why a fetch or body read failed, in the retry rules' terms; the caller's abort ends the call.
    fn broken_attempt(
        &self,
        sig: &AttemptSignal,
        rej: Rejection,
        timeout_ms: u64,
        headers_received: bool,
        meta: &Meta,
    ) -> Result<(AgentError, Outcome<'static>), Failure> {
        match sig.fired() {
            Fired::Caller => Err(self.fail(aborted(), meta)),
            Fired::Timeout => Ok((
                timeout_error(timeout_ms, headers_received),
                Outcome::Timeout { headers_received },
            )),
            Fired::No => {
                // Once headers arrived the server has certainly seen the request.
                let outcome = if rej.before_send && !headers_received {
                    Outcome::NetworkBeforeSend
                } else {
                    Outcome::NetworkAfterSend
                };
                Ok((network_error(&self.redactor, &rej.message), outcome))
            }
        }
    }

    /// Waits out rate-limit pacing and refuses while the circuit is open.
    async fn wait_for_gates(
        &self,
        deadline: f64,
        caller: Option<&AbortSignal>,
        meta: &mut Meta,
        started: f64,
    ) -> Result<(), Failure> {
        if let Some(b) = self.breaker.borrow_mut().as_mut() {
            if let Err(wait) = b.allow(now()) {
                let e = not_sent(
                    ErrorKind::Unavailable,
                    "CIRCUIT_OPEN",
                    "circuit breaker open: recent calls kept failing, so this one was not sent",
                    wait,
                );
                return Err(self.fail(e, meta));
            }
        }
        if !self.cfg.pace_rate_limits {
            return Ok(());
        }
        let Some(reset_at) = self.paced_until.get() else {
            return Ok(());
        };
        let Some(wait) = retry::pacing_delay_ms(Some(0), Some(reset_at), now()) else {
            self.paced_until.set(None);
            return Ok(());
        };
        if now() + wait as f64 > deadline {
            let e = not_sent(
                ErrorKind::RateLimited,
                "RATE_LIMIT_PACED",
                "the rate-limit window is exhausted and resets after this call's deadline",
                wait,
            );
            return Err(self.fail(e, meta));
        }
        self.logger.log(
            Level::Info,
            &format!("agentwire pacing waitMs={wait} (X-RateLimit-Remaining: 0)"),
        );
        meta.waited_ms += wait as f64;
        if !signal::sleep(wait as f64, caller).await {
            meta.duration_ms = now() - started;
            return Err(self.fail(aborted(), meta));
        }
        self.paced_until.set(None);
        Ok(())
    }

    fn note_response(&self, hl: &HeaderList, status: u16, meta: &mut Meta) {
        meta.status = Some(status);
        if let Some(id) = header_values::request_id(hl) {
            meta.request_id = Some(id);
        }
        let rl = header_values::rate_limit(hl, now());
        if let Some(r) = &rl {
            if r.remaining == Some(0) {
                self.paced_until.set(r.reset_at);
            }
        }
        meta.rate_limit = rl;
        meta.usage = header_values::usage_headers(hl);
    }

    /// Only with `logBodies` at debug level, and always through the redactor.
    fn log_body(&self, what: &str, path: &str, body: &str) {
        self.logger.log(
            Level::Debug,
            &format!(
                "agentwire {what} body {path}: {}",
                self.redactor.for_log(body, 2_000)
            ),
        );
    }

    fn log_attempt(
        &self,
        level: Level,
        method: &str,
        path: &str,
        status: u16,
        meta: &Meta,
        attempt_started: f64,
    ) {
        if self.logger.enabled(level) {
            self.logger.log(
                level,
                &format!(
                    "agentwire {method} {path} {status} attempt={} requestId={} durationMs={}",
                    meta.attempts,
                    meta.request_id.as_deref().unwrap_or("-"),
                    (now() - attempt_started) as u64
                ),
            );
        }
    }
}

/// The path without query or origin: enough to identify the call in a log line.
fn path_only(url: &str) -> String {
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    let rest = url.get(after_scheme..).unwrap_or("");
    let path_start = rest.find('/').unwrap_or(rest.len());
    let path = rest.get(path_start..).unwrap_or("/");
    path.split(['?', '#']).next().unwrap_or("/").to_string()
}

/// A call refused before sending, safe to retry after `wait_ms`.
fn not_sent(kind: ErrorKind, code: &str, message: &str, wait_ms: u64) -> AgentError {
    let mut e = AgentError::client(kind, message);
    e.code = Some(code.into());
    e.retryable = true;
    e.retry_after_ms = Some(wait_ms);
    e
}

pub fn aborted() -> AgentError {
    AgentError::client(
        ErrorKind::Aborted,
        "the request was aborted by the caller's AbortSignal",
    )
}

fn timeout_error(ms: u64, headers_received: bool) -> AgentError {
    let what = if headers_received {
        "reading the response body"
    } else {
        "waiting for response headers"
    };
    let mut e = AgentError::client(
        ErrorKind::Timeout,
        &format!("timed out after {ms} ms {what}"),
    );
    e.code = Some("TIMEOUT".into());
    e
}

fn deadline_error(ms: u64) -> AgentError {
    let mut e = AgentError::client(
        ErrorKind::Timeout,
        &format!("the call's overall deadline of {ms} ms passed (all attempts included)"),
    );
    e.code = Some("DEADLINE_EXCEEDED".into());
    e.retryable = false;
    e
}

fn network_error(redactor: &Redactor, message: &str) -> AgentError {
    let mut e = AgentError::client(
        ErrorKind::Network,
        &redactor.redact(&format!("network error: {message}")),
    );
    e.code = Some("NETWORK_ERROR".into());
    e
}
