//! The one error value every failure becomes, whatever platform or layer it came from.

use serde::Serialize;
use serde_json::Value;

/// The stable category of a failure. Callers switch on this, never on messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Validation,
    Authentication,
    Permission,
    NotFound,
    Conflict,
    RateLimited,
    Quota,
    Timeout,
    Server,
    Unavailable,
    SessionExpired,
    JobFailed,
    Stream,
    Aborted,
    Network,
    Unknown,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 16] = [
        ErrorKind::Validation,
        ErrorKind::Authentication,
        ErrorKind::Permission,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::RateLimited,
        ErrorKind::Quota,
        ErrorKind::Timeout,
        ErrorKind::Server,
        ErrorKind::Unavailable,
        ErrorKind::SessionExpired,
        ErrorKind::JobFailed,
        ErrorKind::Stream,
        ErrorKind::Aborted,
        ErrorKind::Network,
        ErrorKind::Unknown,
    ];

    pub fn parse(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Authentication => "authentication",
            ErrorKind::Permission => "permission",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Quota => "quota",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Server => "server",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::SessionExpired => "session_expired",
            ErrorKind::JobFailed => "job_failed",
            ErrorKind::Stream => "stream",
            ErrorKind::Aborted => "aborted",
            ErrorKind::Network => "network",
            ErrorKind::Unknown => "unknown",
        }
    }
}

/// Which error envelope the body matched; reported so users can see why a field was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VendorFormat {
    /// `{"detail": "..."}` (Hatz, FastAPI)
    HatzDetail,
    /// `{"detail": [{"loc", "msg", "type"}]}` (FastAPI validation list)
    FastapiValidation,
    /// `{"error": "Type", "message", "statusCode", "details"}` (Zazmic)
    Zazmic,
    /// `{"error": "CODE", "message"}` (Heylock)
    Heylock,
    /// `{"error": {"code", "message", "requestId"}}` (Agntix)
    Agntix,
    /// `{"error": {"message", "type", "param", "code"}}`
    Openai,
    /// `{"type": "error", "error": {"type", "message"}}`
    Anthropic,
    /// `{"type": "error", "error": {"code", "message"}, "timestamp"}`
    StreamEvent,
    /// `{"status": "failed", "error": {"code", "message", "details"}}`
    FailedTask,
    /// `{"message": "..."}`
    BareMessage,
    /// `{"error": "free text"}`
    BareError,
    /// Any other JSON value.
    UnknownJson,
    Html,
    Text,
    Empty,
    /// Produced by agentwire itself (network, abort, timeout, truncated stream).
    Client,
}

impl VendorFormat {
    pub const ALL: [VendorFormat; 16] = [
        VendorFormat::HatzDetail,
        VendorFormat::FastapiValidation,
        VendorFormat::Zazmic,
        VendorFormat::Heylock,
        VendorFormat::Agntix,
        VendorFormat::Openai,
        VendorFormat::Anthropic,
        VendorFormat::StreamEvent,
        VendorFormat::FailedTask,
        VendorFormat::BareMessage,
        VendorFormat::BareError,
        VendorFormat::UnknownJson,
        VendorFormat::Html,
        VendorFormat::Text,
        VendorFormat::Empty,
        VendorFormat::Client,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VendorFormat::HatzDetail => "hatz_detail",
            VendorFormat::FastapiValidation => "fastapi_validation",
            VendorFormat::Zazmic => "zazmic",
            VendorFormat::Heylock => "heylock",
            VendorFormat::Agntix => "agntix",
            VendorFormat::Openai => "openai",
            VendorFormat::Anthropic => "anthropic",
            VendorFormat::StreamEvent => "stream_event",
            VendorFormat::FailedTask => "failed_task",
            VendorFormat::BareMessage => "bare_message",
            VendorFormat::BareError => "bare_error",
            VendorFormat::UnknownJson => "unknown_json",
            VendorFormat::Html => "html",
            VendorFormat::Text => "text",
            VendorFormat::Empty => "empty",
            VendorFormat::Client => "client",
        }
    }

    pub fn parse(name: &str) -> Option<VendorFormat> {
        VendorFormat::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// Epoch milliseconds at which the window resets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset_at: Option<f64>,
}

impl RateLimit {
    pub fn is_empty(&self) -> bool {
        self.limit.is_none() && self.remaining.is_none() && self.reset_at.is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Dotted path of the offending field, e.g. `body.messages.0.content`.
    pub path: String,
    pub message: String,
}

/// Every field is already sanitized: nothing here may hold a secret.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentError {
    pub kind: ErrorKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    pub retryable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_errors: Vec<FieldError>,
    pub vendor_format: VendorFormat,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
    pub advice: String,
}

/// Longest message we hand to users; longer ones are cut on a char boundary with an ellipsis.
pub const MAX_MESSAGE_CHARS: usize = 500;

impl AgentError {
    /// Reads back an error that went out to JS as JSON (for a support report). Hand-written
    /// rather than derived: a derived `Deserialize` cost about 8 KB of gzipped wasm. Fields
    /// that are missing or of the wrong type take their empty value; `kind` must be valid.
    pub fn from_value(v: &Value) -> Option<AgentError> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let u = |k: &str| v.get(k).and_then(Value::as_u64);
        let rate_limit = v
            .get("rateLimit")
            .filter(|r| r.is_object())
            .map(|r| RateLimit {
                limit: r.get("limit").and_then(Value::as_u64),
                remaining: r.get("remaining").and_then(Value::as_u64),
                reset_at: r.get("resetAt").and_then(Value::as_f64),
            });
        let field_errors = v
            .get("fieldErrors")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|f| {
                        Some(FieldError {
                            path: f.get("path")?.as_str()?.to_string(),
                            message: f.get("message")?.as_str()?.to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(AgentError {
            kind: ErrorKind::parse(v.get("kind")?.as_str()?)?,
            status: u("status").and_then(|n| u16::try_from(n).ok()),
            code: s("code"),
            message: s("message").unwrap_or_default(),
            request_id: s("requestId"),
            retryable: v.get("retryable").and_then(Value::as_bool).unwrap_or(false),
            retry_after_ms: u("retryAfterMs"),
            rate_limit,
            field_errors,
            vendor_format: v
                .get("vendorFormat")
                .and_then(Value::as_str)
                .and_then(VendorFormat::parse)
                .unwrap_or(VendorFormat::Client),
            details: v.get("details").cloned(),
            advice: s("advice").unwrap_or_default(),
        })
    }

    /// An error agentwire raises itself (network failure, abort, timeout, truncated stream).
    pub fn client(kind: ErrorKind, message: &str) -> Self {
        let message =
            crate::sanitize::sanitize_message(message, &crate::redact::Redactor::default());
        AgentError {
            kind,
            status: None,
            code: None,
            message,
            request_id: None,
            retryable: crate::classify::retryable(kind, None),
            retry_after_ms: None,
            rate_limit: None,
            field_errors: Vec::new(),
            vendor_format: VendorFormat::Client,
            details: None,
            advice: crate::classify::advice(kind, None, VendorFormat::Client),
        }
    }
}
