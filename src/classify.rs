//! Deciding what kind of failure a response is, whether retrying can help, and what to do.
//!
//! Precedence: a machine code the platform documents wins over the HTTP status (Heylock
//! sends `MISSING_AGENT_KEY` at 400, Zazmic sends "Insufficient balance" at 403), billing
//! wording in the message wins over a 403/429 status, and the status decides the rest.

use crate::error::{ErrorKind, VendorFormat};

/// Kind implied by the HTTP status alone.
pub fn kind_for_status(status: u16) -> ErrorKind {
    match status {
        400 | 405 | 406 | 411 | 413 | 414 | 415 | 416 | 417 | 421 | 422 | 431 => {
            ErrorKind::Validation
        }
        401 | 407 => ErrorKind::Authentication,
        402 => ErrorKind::Quota,
        403 | 451 => ErrorKind::Permission,
        404 | 410 => ErrorKind::NotFound,
        408 => ErrorKind::Timeout,
        409 | 412 | 423 | 428 => ErrorKind::Conflict,
        429 => ErrorKind::RateLimited,
        // nginx: the client went away before the server answered.
        499 => ErrorKind::Aborted,
        502 | 503 | 504 | 529 | 521 | 523 | 530 => ErrorKind::Unavailable,
        // Cloudflare: origin accepted no connection / sent no answer in time.
        522 | 524 => ErrorKind::Timeout,
        500..=599 => ErrorKind::Server,
        400..=499 => ErrorKind::Validation,
        _ => ErrorKind::Unknown,
    }
}

/// Lower-case, spaces and dashes as underscores: Zazmic's "Rate limit exceeded" and Agntix's
/// `RATE_LIMIT_EXCEEDED` become the same code.
pub fn normalize_code(code: &str) -> String {
    code.trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Kind implied by a platform code or error type, when it says more than the status.
pub fn kind_for_code(code: &str) -> Option<ErrorKind> {
    let c = normalize_code(code);
    let kind = match c.as_str() {
        "missing_agent_key"
        | "invalid_agent_key"
        | "unauthorized"
        | "unauthenticated"
        | "authentication_error"
        | "invalid_api_key"
        | "missing_api_key"
        | "invalid_auth"
        | "expired_token"
        | "invalid_token" => ErrorKind::Authentication,
        "insufficient_balance"
        | "insufficient_quota"
        | "insufficient_credits"
        | "payment_required"
        | "quota_exceeded" => ErrorKind::Quota,
        "session_expired" => ErrorKind::SessionExpired,
        "abort_error" | "aborted" | "request_aborted" => ErrorKind::Aborted,
        "external_service"
        | "overloaded_error"
        | "overloaded"
        | "service_unavailable"
        | "bad_gateway"
        | "gateway_timeout" => ErrorKind::Unavailable,
        "rate_limit"
        | "rate_limit_exceeded"
        | "rate_limit_error"
        | "rate_limited"
        | "too_many_requests" => ErrorKind::RateLimited,
        "timeout" | "request_timeout" | "timeout_error" | "timed_out" => ErrorKind::Timeout,
        "stream_error" => ErrorKind::Stream,
        "agent_error"
        | "connector_error"
        | "api_error"
        | "generic_error"
        | "internal"
        | "internal_error"
        | "internal_server_error"
        | "server_error"
        | "session_creation_error"
        | "messages_history_error" => ErrorKind::Server,
        "permission_error" | "forbidden" | "permission_denied" => ErrorKind::Permission,
        "not_found_error" | "not_found" => ErrorKind::NotFound,
        "conflict" | "conflict_error" => ErrorKind::Conflict,
        "invalid_request_error"
        | "bad_request"
        | "validation_error"
        | "unprocessable_entity"
        | "request_too_large" => ErrorKind::Validation,
        // Agntix: the request names a model/tool/config the org cannot use. The fix is to
        // change the request, not the URL, so these are validation (never retried) rather
        // than not_found (which suggests a wrong id in the path).
        "models_not_found" | "tools_not_found" | "config_not_found" => ErrorKind::Validation,
        _ => return kind_for_code_family(&c),
    };
    Some(kind)
}

fn kind_for_code_family(c: &str) -> Option<ErrorKind> {
    if c.starts_with("billing") || c.contains("balance") || c.contains("quota") {
        return Some(ErrorKind::Quota);
    }
    if c.ends_with("_not_found") {
        return Some(ErrorKind::NotFound);
    }
    if c.starts_with("invalid_") || c.starts_with("missing_") {
        return Some(ErrorKind::Validation);
    }
    if c.contains("rate_limit") {
        return Some(ErrorKind::RateLimited);
    }
    None
}

/// Billing wording that turns a 403/429 into "add credits" rather than "wait" or "ask".
pub fn message_says_quota(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "insufficient balance",
        "insufficient funds",
        "insufficient credit",
        "credit overage",
        "credit limit",
        "exceeded your current quota",
        "insufficient_quota",
        "billing",
        "out of credits",
    ]
    .iter()
    .any(|p| m.contains(p))
}

pub fn classify(status: Option<u16>, code: Option<&str>, message: &str) -> ErrorKind {
    let from_code = code.and_then(kind_for_code);
    if from_code == Some(ErrorKind::Quota) {
        return ErrorKind::Quota;
    }
    // Billing wording only reclassifies client errors; a 5xx that mentions billing is an outage.
    let billing_status = status.is_none_or(|s| (400..500).contains(&s));
    if billing_status && message_says_quota(message) {
        return ErrorKind::Quota;
    }
    let from_status = status.map(kind_for_status);
    // "Something failed on our side" codes say less than a 502/503/504/408 status does.
    if from_code == Some(ErrorKind::Server)
        && matches!(
            from_status,
            Some(ErrorKind::Unavailable | ErrorKind::Timeout)
        )
    {
        return from_status.unwrap_or(ErrorKind::Server);
    }
    // A generic "bad request" code (OpenAI/Anthropic `invalid_request_error`) says less than a
    // 401/403/404/408/409/410 status: real gateways send it for an unknown URL's 404.
    if code.is_some_and(|c| normalize_code(c) == normalize_code("invalid_request_error"))
        && from_status.is_some_and(|k| k != ErrorKind::Validation && k != ErrorKind::Unknown)
    {
        return from_status.unwrap_or(ErrorKind::Validation);
    }
    if let Some(k) = from_code {
        return k;
    }
    match status {
        Some(s) => kind_for_status(s),
        None => ErrorKind::Unknown,
    }
}

/// Statuses every seed says to fix rather than retry.
fn status_never_retryable(status: u16) -> bool {
    matches!(status, 400 | 401 | 402 | 403 | 404 | 409 | 422)
}

pub fn kind_retryable(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::RateLimited
            | ErrorKind::Timeout
            | ErrorKind::Server
            | ErrorKind::Unavailable
            | ErrorKind::Network
            | ErrorKind::Stream
    )
}

pub fn retryable(kind: ErrorKind, status: Option<u16>) -> bool {
    if let Some(s) = status {
        if status_never_retryable(s) {
            return false;
        }
        // Not implemented / wrong HTTP version / broken origin TLS: retrying cannot help.
        if matches!(s, 501 | 505 | 525 | 526) {
            return false;
        }
    }
    kind_retryable(kind)
}

/// Concrete next step, from the platforms' "how to fix" / "Fix" / "Action" columns.
pub fn advice(kind: ErrorKind, code: Option<&str>, vendor: VendorFormat) -> String {
    // Zazmic's `error` is a category ("Unauthorized"), not a code with its own fix.
    if vendor == VendorFormat::Zazmic {
        return kind_advice(kind, vendor);
    }
    if let Some(a) = code.and_then(|c| code_advice(&normalize_code(c))) {
        return a.to_string();
    }
    kind_advice(kind, vendor)
}

fn code_advice(c: &str) -> Option<&'static str> {
    Some(match c {
        "missing_agent_key" | "invalid_agent_key" => {
            "Send the agent key in the Authorization header; check it is set in this environment."
        }
        "insufficient_balance" | "insufficient_credits" | "insufficient_quota" | "payment_required" => {
            "Add credits or funds to the account (or raise the plan's quota), then retry; do not retry aggressively while the balance is exhausted."
        }
        "session_expired" => "Open a new session and resend the message; the old session is past its inactivity window.",
        "session_not_found" => "Verify the session id; sessions auto-expire after the idle timeout, so open a new session if it expired.",
        "invalid_session" => "Make sure the session is in the OPEN state before using it, or open a new session.",
        "session_creation_error" => "Could not allocate a session, often a downstream model availability issue: retry with backoff.",
        "messages_history_error" => "Retry with backoff; if it keeps failing, file a ticket with the request id.",
        "models_not_found" => "The model is not enabled for your organization: pick a model listed by GET /v1/chat/models.",
        "tools_not_found" => "One of the agent's tool ids is missing: re-attach a valid tool.",
        "config_not_found" => "The agent config is missing required fields: re-PATCH the agent with a complete config.",
        "abort_error" | "aborted" => "The request was aborted (client disconnected or cancelled); no fix needed.",
        "generic_error" => "Retry with backoff; if it persists, file a ticket with the request id.",
        "agent_error" => "Agent execution failed: check the agent logs, then retry.",
        "connector_error" => "A connector failed to connect: check the connector's status and credentials, then retry.",
        "timeout" => "The request timed out: retry with a longer timeout.",
        "invalid_params" => "Validate the input parameters against the endpoint schema.",
        "rate_limit" => "The agent hit an external rate limit: back off exponentially before retrying.",
        "stream_error" => "The streaming connection failed: retry the request; resume from the last received event if supported.",
        "invalid_json" => "The body is not valid JSON: fix the JSON formatting.",
        "invalid_content" | "invalid_text" | "invalid_array" => "A required field is missing or empty: provide a valid non-empty value.",
        "invalid_history" | "invalid_instructions" | "invalid_context" => "A field has the wrong type: correct the type or omit the field.",
        "unauthorized" => "The key is not recognised (revoked or rotated): use the current active key.",
        "external_service" => "An upstream dependency failed: retry with exponential backoff and jitter; it is transient.",
        "internal" => "Platform processing error: retry with exponential backoff and jitter, then contact support with the request id.",
        "overloaded_error" | "overloaded" => "The service is overloaded: retry with exponential backoff and jitter, and reduce concurrency.",
        _ => return None,
    })
}

fn kind_advice(kind: ErrorKind, vendor: VendorFormat) -> String {
    let s = match kind {
        ErrorKind::Authentication => match vendor {
            VendorFormat::Heylock => "Send the current agent key in the Authorization header; rotate it if it was revoked.",
            VendorFormat::Zazmic => "Include an `Authorization: Bearer <API key>` header; generate a new key if it expired or was revoked.",
            VendorFormat::Agntix => "Send a valid x-api-key header (or refresh the JWT).",
            _ => "Check the auth header type (X-API-Key for Hatz REST endpoints, Authorization: Bearer for OpenAI/Anthropic-compatible gateways), that the key is current, and that the base URL matches the gateway.",
        },
        ErrorKind::Permission => "Authenticated but not allowed: check the key owner's role, tenant/customer scope, package, model and feature permissions; contact support for access.",
        ErrorKind::NotFound => "Check the id and path (typos, deleted resources, tenant scope and sharing); use the list endpoints to find valid ids.",
        ErrorKind::Validation => "Compare the request body to the API reference: add required fields, fix types, remove unsupported fields. Do not retry unchanged.",
        ErrorKind::Conflict => "Idempotency or uniqueness conflict: use a different name, or re-read the resource and apply the change again.",
        ErrorKind::RateLimited => "Wait for retryAfterMs (or the rate-limit reset) before retrying, reduce concurrency and spread requests over time.",
        ErrorKind::Quota => "Add credits or funds (or raise the quota/credit limit), then retry; do not retry aggressively while the balance is exhausted.",
        ErrorKind::Timeout => "Retry with backoff and a longer timeout; for long jobs, run asynchronously and poll.",
        ErrorKind::Server => "Retry with exponential backoff and jitter (max 5 attempts); if it persists, contact support with the X-Request-ID and timestamp.",
        ErrorKind::Unavailable => "The service or an upstream is unavailable or overloaded: retry with exponential backoff and jitter; check the status page.",
        ErrorKind::SessionExpired => "Open a new session and resend.",
        ErrorKind::JobFailed => "A workflow step failed: check the failing step's error and inputs, fix them and run the workflow again; include job_id and step_id if contacting support.",
        ErrorKind::Stream => "The stream failed: retry the request; if it repeats, contact support with the X-Request-ID.",
        ErrorKind::Aborted => "The request was aborted; no fix needed unless the abort was unexpected.",
        ErrorKind::Network => "Could not reach the server: check connectivity, proxy/CORS settings and the base URL, then retry.",
        ErrorKind::Unknown => "Unexpected response: check the base URL and endpoint; contact support with the X-Request-ID if it persists.",
    };
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ErrorKind::*;

    #[test]
    fn statuses() {
        let cases = [
            (400, Validation),
            (401, Authentication),
            (402, Quota),
            (403, Permission),
            (404, NotFound),
            (408, Timeout),
            (409, Conflict),
            (413, Validation),
            (422, Validation),
            (429, RateLimited),
            (499, Aborted),
            (500, Server),
            (502, Unavailable),
            (503, Unavailable),
            (504, Unavailable),
            (529, Unavailable),
            (520, Server),
            (524, Timeout),
            (418, Validation),
            (302, Unknown),
            (200, Unknown),
        ];
        for (s, k) in cases {
            assert_eq!(kind_for_status(s), k, "{s}");
        }
    }

    #[test]
    fn codes_beat_status() {
        assert_eq!(
            classify(Some(400), Some("MISSING_AGENT_KEY"), ""),
            Authentication
        );
        assert_eq!(classify(Some(403), Some("Insufficient balance"), ""), Quota);
        assert_eq!(
            classify(Some(429), None, "rate limited due to a credit overage."),
            Quota
        );
        assert_eq!(classify(Some(429), Some("insufficient_quota"), ""), Quota);
        assert_eq!(
            classify(Some(429), Some("Rate limit exceeded"), ""),
            RateLimited
        );
        assert_eq!(classify(Some(404), Some("SESSION_NOT_FOUND"), ""), NotFound);
        assert_eq!(
            classify(Some(410), Some("SESSION_EXPIRED"), ""),
            SessionExpired
        );
        assert_eq!(
            classify(Some(422), Some("MODELS_NOT_FOUND"), ""),
            Validation
        );
        assert_eq!(
            classify(Some(529), Some("overloaded_error"), ""),
            Unavailable
        );
        assert_eq!(
            classify(None, Some("billing_hard_limit_reached"), ""),
            Quota
        );
        assert_eq!(classify(Some(500), None, "billing service down"), Server);
    }

    #[test]
    fn retry_rules() {
        assert!(retryable(RateLimited, Some(429)));
        assert!(!retryable(Quota, Some(429)));
        assert!(!retryable(Server, Some(400)));
        assert!(retryable(Server, Some(500)));
        assert!(!retryable(Server, Some(501)));
        assert!(!retryable(Aborted, None));
        assert!(retryable(Server, None));
    }

    #[test]
    fn advice_is_specific() {
        assert!(
            advice(Validation, Some("MODELS_NOT_FOUND"), VendorFormat::Agntix)
                .contains("GET /v1/chat/models")
        );
        assert!(advice(Authentication, None, VendorFormat::HatzDetail).contains("X-API-Key"));
        assert!(
            advice(Quota, Some("INSUFFICIENT_BALANCE"), VendorFormat::Heylock).contains("credits")
        );
        assert!(advice(Server, None, VendorFormat::Html).contains("X-Request-ID"));
    }
}

#[cfg(test)]
mod generic_code_tests {
    use super::*;

    #[test]
    fn invalid_request_error_yields_to_a_more_specific_status() {
        let c = Some("invalid_request_error");
        assert_eq!(classify(Some(404), c, "Not Found"), ErrorKind::NotFound);
        assert_eq!(classify(Some(401), c, "x"), ErrorKind::Authentication);
        assert_eq!(classify(Some(408), c, "x"), ErrorKind::Timeout);
        assert_eq!(classify(Some(409), c, "x"), ErrorKind::Conflict);
        assert_eq!(classify(Some(400), c, "x"), ErrorKind::Validation);
        assert_eq!(classify(Some(422), c, "x"), ErrorKind::Validation);
        assert_eq!(classify(None, c, "x"), ErrorKind::Validation);
    }
}
