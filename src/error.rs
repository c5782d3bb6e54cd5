//! The one error value every failure becomes, whatever platform or layer it came from.

use serde::{Deserialize, Serialize};

/// The stable category of a failure. Callers switch on this, never on messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Dotted path of the offending field, e.g. `body.messages.0.content`.
    pub path: String,
    pub message: String,
}

/// Every field is already sanitized: nothing here may hold a secret. Deserialisable so an
/// error that went out to JS can come back for a support report; absent fields default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentError {
    pub kind: ErrorKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default)]
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default)]
    pub retryable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub field_errors: Vec<FieldError>,
    #[serde(default = "client_format")]
    pub vendor_format: VendorFormat,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
    #[serde(default)]
    pub advice: String,
}

fn client_format() -> VendorFormat {
    VendorFormat::Client
}

/// Longest message we hand to users; longer ones are cut on a char boundary with an ellipsis.
pub const MAX_MESSAGE_CHARS: usize = 500;

impl AgentError {
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
