//! Client options: parsed from the JSON the JS layer passes, checked once, then read-only.
//!
//! The JS layer removes `apiKey`, `fetch`, `logger` and `signal` before serialising and hands the
//! key over separately, so it is only *checked* here (and used to refuse copies of it in
//! `baseUrl` or `headers`); [`ClientConfig`] never stores it.
//!
//! Errors name the option and what it should be, and never quote a value, because a misplaced
//! key is exactly the kind of mistake these checks exist to catch.

use std::fmt;

use serde_json::{Map, Value};

use crate::request::{
    contains_secret, validate_base_url, validate_header, AuthScheme, RequestError,
};
use crate::retry::{CircuitBreaker, RetryPolicy};

pub const DEFAULT_BASE_URL: &str = "https://ai.hatz.ai";
pub const DEFAULT_TIMEOUT_MS: u64 = 60_000;
pub const MAX_TIMEOUT_MS: u64 = 600_000;
pub const MAX_DEADLINE_MS: u64 = 3_600_000;
pub const MAX_RETRIES_LIMIT: u32 = 10;
pub const DEFAULT_STREAM_IDLE_TIMEOUT_MS: u64 = 60_000;
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 100 * 1024 * 1024;
pub const MAX_UPLOAD_BYTES_LIMIT: u64 = 4 * 1024 * 1024 * 1024;

/// Every option the JSON may hold, as JS spells it.
pub const OPTION_NAMES: [&str; 18] = [
    "baseUrl",
    "auth",
    "timeoutMs",
    "deadlineMs",
    "maxRetries",
    "retryBaseDelayMs",
    "retryMaxDelayMs",
    "maxRetryAfterMs",
    "headers",
    "allowInsecureHttp",
    "dangerouslyAllowBrowser",
    "logLevel",
    "logBodies",
    "circuitBreaker",
    "paceRateLimits",
    "streamIdleTimeoutMs",
    "maxUploadBytes",
    "retryPaidRequests",
];

/// Options the JS layer handles itself; seeing one here means it was not stripped.
const JS_ONLY_OPTIONS: [&str; 4] = ["apiKey", "fetch", "logger", "signal"];

/// The options exactly as given; `None` means "use the default". Built only after every key and
/// type was checked with a message naming the option.
#[derive(Default)]
pub struct RawOptions {
    pub base_url: Option<String>,
    pub auth: Option<String>,
    pub timeout_ms: Option<u64>,
    pub deadline_ms: Option<u64>,
    pub max_retries: Option<u32>,
    pub retry_base_delay_ms: Option<u64>,
    pub retry_max_delay_ms: Option<u64>,
    pub max_retry_after_ms: Option<u64>,
    pub headers: Option<Map<String, Value>>,
    pub allow_insecure_http: Option<bool>,
    pub dangerously_allow_browser: Option<bool>,
    pub log_level: Option<String>,
    pub log_bodies: Option<bool>,
    pub circuit_breaker: Option<BreakerOption>,
    pub pace_rate_limits: Option<bool>,
    pub stream_idle_timeout_ms: Option<u64>,
    pub max_upload_bytes: Option<u64>,
    pub retry_paid_requests: Option<bool>,
}

pub enum BreakerOption {
    Enabled(bool),
    Settings(BreakerSettings),
}

pub struct BreakerSettings {
    pub threshold: Option<u32>,
    pub window_ms: Option<f64>,
    pub cooldown_ms: Option<f64>,
}

impl RawOptions {
    /// Reads options whose keys and types `check_option_type` has already accepted. Hand-written
    /// rather than a derived `Deserialize`, which cost several KB of gzipped wasm.
    fn from_map(map: &Map<String, Value>) -> RawOptions {
        let s = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
        let u = |k: &str| map.get(k).and_then(Value::as_u64);
        let b = |k: &str| map.get(k).and_then(Value::as_bool);
        let circuit_breaker = match map.get("circuitBreaker") {
            Some(Value::Bool(on)) => Some(BreakerOption::Enabled(*on)),
            Some(Value::Object(o)) => Some(BreakerOption::Settings(BreakerSettings {
                threshold: o
                    .get("threshold")
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok()),
                window_ms: o.get("windowMs").and_then(Value::as_f64),
                cooldown_ms: o.get("cooldownMs").and_then(Value::as_f64),
            })),
            _ => None,
        };
        RawOptions {
            base_url: s("baseUrl"),
            auth: s("auth"),
            timeout_ms: u("timeoutMs"),
            deadline_ms: u("deadlineMs"),
            max_retries: u("maxRetries").and_then(|n| u32::try_from(n).ok()),
            retry_base_delay_ms: u("retryBaseDelayMs"),
            retry_max_delay_ms: u("retryMaxDelayMs"),
            max_retry_after_ms: u("maxRetryAfterMs"),
            headers: map.get("headers").and_then(Value::as_object).cloned(),
            allow_insecure_http: b("allowInsecureHttp"),
            dangerously_allow_browser: b("dangerouslyAllowBrowser"),
            log_level: s("logLevel"),
            log_bodies: b("logBodies"),
            circuit_breaker,
            pace_rate_limits: b("paceRateLimits"),
            stream_idle_timeout_ms: u("streamIdleTimeoutMs"),
            max_upload_bytes: u("maxUploadBytes"),
            retry_paid_requests: b("retryPaidRequests"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
}

impl LogLevel {
    pub const NAMES: [&'static str; 5] = ["off", "error", "warn", "info", "debug"];

    pub fn parse(s: &str) -> Option<LogLevel> {
        match s.to_ascii_lowercase().as_str() {
            "off" => Some(LogLevel::Off),
            "error" => Some(LogLevel::Error),
            "warn" => Some(LogLevel::Warn),
            "info" => Some(LogLevel::Info),
            "debug" => Some(LogLevel::Debug),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Off => "off",
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerConfig {
    pub threshold: u32,
    pub window_ms: f64,
    pub cooldown_ms: f64,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            threshold: 5,
            window_ms: 600_000.0,
            cooldown_ms: 30_000.0,
        }
    }
}

/// Validated client options. Holds no API key. `Debug` hides header values, which may carry
/// tenant tokens of their own.
#[derive(Clone, PartialEq)]
pub struct ClientConfig {
    /// Normalised, without trailing slash.
    pub base_url: String,
    pub auth: AuthScheme,
    /// Per attempt.
    pub timeout_ms: u64,
    /// Overall, across retries and backoff.
    pub deadline_ms: u64,
    pub max_retries: u32,
    pub retry_base_delay_ms: u64,
    pub retry_max_delay_ms: u64,
    pub max_retry_after_ms: u64,
    /// Extra headers sent with every request, each already validated.
    pub headers: Vec<(String, String)>,
    pub allow_insecure_http: bool,
    pub dangerously_allow_browser: bool,
    pub log_level: LogLevel,
    /// Takes effect only at `LogLevel::Debug`; see [`ClientConfig::logs_bodies`].
    pub log_bodies: bool,
    pub circuit_breaker: Option<BreakerConfig>,
    pub pace_rate_limits: bool,
    pub stream_idle_timeout_ms: u64,
    pub max_upload_bytes: u64,
    /// Opt-in: treat paid calls (completions, workflow runs, uploads) as safe to re-send.
    pub retry_paid_requests: bool,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("timeout_ms", &self.timeout_ms)
            .field("deadline_ms", &self.deadline_ms)
            .field("max_retries", &self.max_retries)
            .field("retry_base_delay_ms", &self.retry_base_delay_ms)
            .field("retry_max_delay_ms", &self.retry_max_delay_ms)
            .field("max_retry_after_ms", &self.max_retry_after_ms)
            .field("header_names", &header_names)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("dangerously_allow_browser", &self.dangerously_allow_browser)
            .field("log_level", &self.log_level)
            .field("log_bodies", &self.log_bodies)
            .field("circuit_breaker", &self.circuit_breaker)
            .field("pace_rate_limits", &self.pace_rate_limits)
            .field("stream_idle_timeout_ms", &self.stream_idle_timeout_ms)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("retry_paid_requests", &self.retry_paid_requests)
            .finish()
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        let retry = RetryPolicy::default();
        Self {
            base_url: DEFAULT_BASE_URL.to_string(),
            auth: AuthScheme::XApiKey,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            deadline_ms: DEFAULT_TIMEOUT_MS.saturating_mul(3),
            max_retries: retry.max_retries,
            retry_base_delay_ms: retry.base_delay_ms,
            retry_max_delay_ms: retry.max_delay_ms,
            max_retry_after_ms: retry.max_retry_after_ms,
            headers: Vec::new(),
            allow_insecure_http: false,
            dangerously_allow_browser: false,
            log_level: LogLevel::Warn,
            log_bodies: false,
            circuit_breaker: None,
            pace_rate_limits: true,
            stream_idle_timeout_ms: DEFAULT_STREAM_IDLE_TIMEOUT_MS,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            retry_paid_requests: false,
        }
    }
}

fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_u64() => "a whole number",
        Value::Number(n) if n.is_i64() => "a negative number",
        Value::Number(_) => "a fractional number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The option name `unknown` was probably meant to be: same letters ignoring case and
/// separators, or one or two edits away.
fn suggest(unknown: &str) -> Option<&'static str> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let u = norm(unknown);
    OPTION_NAMES
        .iter()
        .copied()
        .find(|name| norm(name) == u)
        .or_else(|| {
            OPTION_NAMES
                .iter()
                .copied()
                .find(|name| edit_distance(&norm(name), &u) <= 2)
        })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(prev.len());
        cur.push(i.saturating_add(1));
        for (j, cb) in b.iter().enumerate() {
            let sub = prev
                .get(j)
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(usize::from(ca != *cb));
            let del = prev
                .get(j.saturating_add(1))
                .copied()
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let ins = cur.get(j).copied().unwrap_or(usize::MAX).saturating_add(1);
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(usize::MAX)
}

fn unknown_option(key: &str, api_key: Option<&str>) -> RequestError {
    if JS_ONLY_OPTIONS.contains(&key) {
        return RequestError::new(
            "options",
            format!(
                "option \"{key}\" must not reach the options JSON: the JS wrapper handles it \
                 separately (this is a bug in the wrapper, please report it)"
            ),
        );
    }
    // An unknown "name" could itself be a pasted key; describe it instead of quoting it.
    let leaks = api_key.is_some_and(|k| contains_secret(key, k));
    let shown = if leaks || key.len() > 64 || key.chars().any(char::is_control) {
        String::from("an unrecognised option")
    } else {
        format!("unknown option \"{key}\"")
    };
    let hint = match suggest(key) {
        Some(name) if !leaks => format!(" (did you mean \"{name}\"?)"),
        _ => String::new(),
    };
    RequestError::new(
        "options",
        format!(
            "{shown}{hint}; valid options are: {}",
            OPTION_NAMES.join(", ")
        ),
    )
}

fn static_name(key: &str) -> &'static str {
    OPTION_NAMES
        .iter()
        .copied()
        .find(|n| *n == key)
        .unwrap_or("options")
}

/// What each option must be, for type errors.
fn expected_type(key: &str) -> &'static str {
    match key {
        "baseUrl" => "a string URL such as \"https://ai.hatz.ai\"",
        "auth" => "one of \"x-api-key\", \"bearer\", \"authorization\", \"none\"",
        "logLevel" => "one of \"off\", \"error\", \"warn\", \"info\", \"debug\"",
        "maxRetries" => "a whole number from 0 to 10",
        "headers" => "an object of header name to string value",
        "circuitBreaker" => "false, true, or an object { threshold, windowMs, cooldownMs }",
        "allowInsecureHttp"
        | "dangerouslyAllowBrowser"
        | "logBodies"
        | "paceRateLimits"
        | "retryPaidRequests" => "true or false",
        "maxUploadBytes" => "a whole number of bytes",
        _ => "a whole number of milliseconds",
    }
}

/// The JSON shapes options may take; `null` always means "use the default".
#[derive(Clone, Copy)]
enum Shape {
    Text,
    Flag,
    Object,
    WholeNumber { max: u64 },
}

impl Shape {
    fn accepts(self, value: &Value) -> bool {
        match (self, value) {
            (_, Value::Null) => true,
            (Shape::Text, Value::String(_)) => true,
            (Shape::Flag, Value::Bool(_)) => true,
            (Shape::Object, Value::Object(_)) => true,
            (Shape::WholeNumber { max }, Value::Number(n)) => n.as_u64().is_some_and(|n| n <= max),
            _ => false,
        }
    }
}

/// Checked by hand rather than by a trial `serde_json::from_value`: serde's type errors format
/// floats, which alone pulled 14 KB of float-printing code into the wasm.
fn check_type(key: &str, value: &Value, shape: Shape) -> Result<(), RequestError> {
    if shape.accepts(value) {
        Ok(())
    } else {
        Err(RequestError::new(
            static_name(key),
            format!(
                "{key} must be {}, got {}",
                expected_type(key),
                json_type_name(value)
            ),
        ))
    }
}

fn check_option_type(key: &str, value: &Value) -> Result<(), RequestError> {
    match key {
        "baseUrl" | "auth" | "logLevel" => check_type(key, value, Shape::Text),
        "maxRetries" => check_type(
            key,
            value,
            Shape::WholeNumber {
                max: u32::MAX.into(),
            },
        ),
        "headers" => {
            check_type(key, value, Shape::Object)?;
            if let Value::Object(map) = value {
                for (name, v) in map {
                    if !v.is_string() {
                        return Err(RequestError::new(
                            "headers",
                            format!(
                                "header \"{}\" must have a string value, got {}",
                                printable(name),
                                json_type_name(v)
                            ),
                        ));
                    }
                }
            }
            Ok(())
        }
        "circuitBreaker" => match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let ok = match k.as_str() {
                        "threshold" => Shape::WholeNumber {
                            max: u32::MAX.into(),
                        }
                        .accepts(v),
                        "windowMs" | "cooldownMs" => v.is_null() || v.is_number(),
                        _ => {
                            return Err(RequestError::new(
                                "circuitBreaker",
                                format!(
                                    "circuitBreaker has unknown field \"{}\"; valid fields are \
                                     threshold, windowMs, cooldownMs",
                                    printable(k)
                                ),
                            ))
                        }
                    };
                    if !ok {
                        return Err(RequestError::new(
                            "circuitBreaker",
                            format!(
                                "circuitBreaker.{k} must be a non-negative number, got {}",
                                json_type_name(v)
                            ),
                        ));
                    }
                }
                Ok(())
            }
            Value::Bool(_) | Value::Null => Ok(()),
            other => Err(RequestError::new(
                "circuitBreaker",
                format!(
                    "circuitBreaker must be {}, got {}",
                    expected_type(key),
                    json_type_name(other)
                ),
            )),
        },
        "allowInsecureHttp"
        | "dangerouslyAllowBrowser"
        | "logBodies"
        | "paceRateLimits"
        | "retryPaidRequests" => check_type(key, value, Shape::Flag),
        _ => check_type(key, value, Shape::WholeNumber { max: u64::MAX }),
    }
}

fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(64).collect()
}

fn in_range(
    option: &'static str,
    value: Option<u64>,
    default: u64,
    min: u64,
    max: u64,
    unit: &str,
) -> Result<u64, RequestError> {
    let v = value.unwrap_or(default);
    if v < min || v > max {
        return Err(RequestError::new(
            option,
            format!("{option} must be between {min} and {max} {unit}, got {v}"),
        ));
    }
    Ok(v)
}

/// Checks the separately passed key: present keys must be usable as a header value as-is.
pub fn validate_api_key(api_key: Option<&str>) -> Result<(), RequestError> {
    let Some(key) = api_key else {
        return Ok(());
    };
    if key.is_empty() {
        return Err(RequestError::new(
            "apiKey",
            "apiKey is empty: pass the key from your secret store, or omit it for auth \"none\"",
        ));
    }
    if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(RequestError::new(
            "apiKey",
            "apiKey contains whitespace or line breaks: trim it (a trailing newline from a file \
             or environment variable is the usual cause)",
        ));
    }
    if !key.is_ascii() {
        return Err(RequestError::new(
            "apiKey",
            "apiKey contains non-ASCII characters: check that the whole key was copied and \
             nothing else",
        ));
    }
    Ok(())
}

impl ClientConfig {
    /// Parses and validates the options JSON (`""` counts as `{}`). `api_key` is only checked
    /// and used to refuse copies of it elsewhere; it is not stored.
    pub fn from_json(json: &str, api_key: Option<&str>) -> Result<ClientConfig, RequestError> {
        validate_api_key(api_key)?;
        let value: Value = if json.trim().is_empty() {
            Value::Object(Map::new())
        } else {
            serde_json::from_str(json).map_err(|e| {
                RequestError::new(
                    "options",
                    format!(
                        "options are not valid JSON (line {}, column {}): pass a plain object",
                        e.line(),
                        e.column()
                    ),
                )
            })?
        };
        let map = match value {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => {
                return Err(RequestError::new(
                    "options",
                    format!("options must be an object, got {}", json_type_name(&other)),
                ))
            }
        };
        for (key, value) in &map {
            if !OPTION_NAMES.contains(&key.as_str()) {
                return Err(unknown_option(key, api_key));
            }
            check_option_type(key, value)?;
        }
        Self::from_raw(RawOptions::from_map(&map), api_key)
    }

    fn from_raw(raw: RawOptions, api_key: Option<&str>) -> Result<ClientConfig, RequestError> {
        let defaults = ClientConfig::default();
        let secret = api_key.filter(|k| !k.is_empty());

        let allow_insecure_http = raw.allow_insecure_http.unwrap_or(false);
        let base_url = match raw.base_url.as_deref() {
            Some(url) => {
                if secret.is_some_and(|k| contains_secret(url, k)) {
                    return Err(RequestError::new(
                        "baseUrl",
                        "baseUrl contains the API key: keys are sent only in the auth header, \
                         never in URLs; remove it from baseUrl",
                    ));
                }
                validate_base_url(url, allow_insecure_http)?
            }
            None => defaults.base_url.clone(),
        };

        let auth = match raw.auth.as_deref() {
            Some(a) => AuthScheme::parse(a).ok_or_else(|| {
                RequestError::new(
                    "auth",
                    format!(
                        "auth must be one of {}",
                        AuthScheme::NAMES
                            .iter()
                            .map(|n| format!("\"{n}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?,
            None => defaults.auth,
        };

        let timeout_ms = in_range(
            "timeoutMs",
            raw.timeout_ms,
            DEFAULT_TIMEOUT_MS,
            1,
            MAX_TIMEOUT_MS,
            "ms",
        )?;
        // Three attempts' worth by default, so the default retries can actually happen.
        let deadline_ms = in_range(
            "deadlineMs",
            raw.deadline_ms,
            timeout_ms.saturating_mul(3),
            1,
            MAX_DEADLINE_MS,
            "ms",
        )?;
        let max_retries = raw.max_retries.unwrap_or(defaults.max_retries);
        if max_retries > MAX_RETRIES_LIMIT {
            return Err(RequestError::new(
                "maxRetries",
                format!("maxRetries must be between 0 and {MAX_RETRIES_LIMIT}, got {max_retries}"),
            ));
        }
        let retry_base_delay_ms = in_range(
            "retryBaseDelayMs",
            raw.retry_base_delay_ms,
            defaults.retry_base_delay_ms,
            1,
            60_000,
            "ms",
        )?;
        let retry_max_delay_ms = in_range(
            "retryMaxDelayMs",
            raw.retry_max_delay_ms,
            defaults.retry_max_delay_ms.max(retry_base_delay_ms),
            1,
            300_000,
            "ms",
        )?;
        if retry_max_delay_ms < retry_base_delay_ms {
            return Err(RequestError::new(
                "retryMaxDelayMs",
                format!(
                    "retryMaxDelayMs ({retry_max_delay_ms}) must not be below retryBaseDelayMs \
                     ({retry_base_delay_ms})"
                ),
            ));
        }
        let max_retry_after_ms = in_range(
            "maxRetryAfterMs",
            raw.max_retry_after_ms,
            defaults.max_retry_after_ms,
            0,
            MAX_DEADLINE_MS,
            "ms",
        )?;

        let mut headers: Vec<(String, String)> = Vec::new();
        for (name, value) in raw.headers.unwrap_or_default() {
            let Value::String(value) = value else {
                return Err(RequestError::new(
                    "headers",
                    format!("header \"{}\" must have a string value", printable(&name)),
                ));
            };
            validate_header(&name, &value)?;
            if secret.is_some_and(|k| contains_secret(&value, k) || contains_secret(&name, k)) {
                return Err(RequestError::new(
                    "headers",
                    format!(
                        "header \"{}\" carries the API key: the client adds the auth header \
                         itself; choose it with the auth option",
                        if secret.is_some_and(|k| contains_secret(&name, k)) {
                            String::from("(name withheld)")
                        } else {
                            name.clone()
                        }
                    ),
                ));
            }
            if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
                return Err(RequestError::new(
                    "headers",
                    format!("header \"{name}\" is given twice (names are case-insensitive)"),
                ));
            }
            headers.push((name, value));
        }

        let log_level = match raw.log_level.as_deref() {
            Some(l) => LogLevel::parse(l).ok_or_else(|| {
                RequestError::new(
                    "logLevel",
                    format!("logLevel must be {}", expected_type("logLevel")),
                )
            })?,
            None => defaults.log_level,
        };

        let circuit_breaker = match raw.circuit_breaker {
            None | Some(BreakerOption::Enabled(false)) => None,
            Some(BreakerOption::Enabled(true)) => Some(BreakerConfig::default()),
            Some(BreakerOption::Settings(s)) => Some(breaker_config(&s)?),
        };

        let stream_idle_timeout_ms = in_range(
            "streamIdleTimeoutMs",
            raw.stream_idle_timeout_ms,
            DEFAULT_STREAM_IDLE_TIMEOUT_MS,
            1,
            MAX_TIMEOUT_MS,
            "ms",
        )?;
        let max_upload_bytes = in_range(
            "maxUploadBytes",
            raw.max_upload_bytes,
            DEFAULT_MAX_UPLOAD_BYTES,
            1,
            MAX_UPLOAD_BYTES_LIMIT,
            "bytes",
        )?;

        Ok(ClientConfig {
            base_url,
            auth,
            timeout_ms,
            deadline_ms,
            max_retries,
            retry_base_delay_ms,
            retry_max_delay_ms,
            max_retry_after_ms,
            headers,
            allow_insecure_http,
            dangerously_allow_browser: raw.dangerously_allow_browser.unwrap_or(false),
            log_level,
            log_bodies: raw.log_bodies.unwrap_or(false),
            circuit_breaker,
            pace_rate_limits: raw.pace_rate_limits.unwrap_or(true),
            stream_idle_timeout_ms,
            max_upload_bytes,
            retry_paid_requests: raw.retry_paid_requests.unwrap_or(false),
        })
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_retries: self.max_retries,
            base_delay_ms: self.retry_base_delay_ms,
            max_delay_ms: self.retry_max_delay_ms,
            max_retry_after_ms: self.max_retry_after_ms,
        }
    }

    /// A fresh breaker for this client, when enabled.
    pub fn new_circuit_breaker(&self) -> Option<CircuitBreaker> {
        self.circuit_breaker
            .map(|b| CircuitBreaker::new(b.threshold, b.window_ms, b.cooldown_ms))
    }

    /// Bodies are logged only when asked for *and* at debug level, so turning the level down
    /// is enough to stop them.
    pub fn logs_bodies(&self) -> bool {
        self.log_bodies && self.log_level == LogLevel::Debug
    }
}

fn breaker_config(s: &BreakerSettings) -> Result<BreakerConfig, RequestError> {
    let d = BreakerConfig::default();
    let threshold = s.threshold.unwrap_or(d.threshold);
    if !(1..=1000).contains(&threshold) {
        return Err(RequestError::new(
            "circuitBreaker",
            format!("circuitBreaker.threshold must be between 1 and 1000, got {threshold}"),
        ));
    }
    let ms = |name: &str, v: Option<f64>, default: f64| -> Result<f64, RequestError> {
        let v = v.unwrap_or(default);
        if !v.is_finite() || v <= 0.0 || v > 86_400_000.0 {
            return Err(RequestError::new(
                "circuitBreaker",
                format!(
                    "circuitBreaker.{name} must be a positive number of milliseconds up to one day"
                ),
            ));
        }
        Ok(v)
    };
    Ok(BreakerConfig {
        threshold,
        window_ms: ms("windowMs", s.window_ms, d.window_ms)?,
        cooldown_ms: ms("cooldownMs", s.cooldown_ms, d.cooldown_ms)?,
    })
}
