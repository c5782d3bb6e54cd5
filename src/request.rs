//! Building and checking what goes on the wire, before anything is sent.
//!
//! Every check here exists to keep the API key where it belongs (one auth header) and to stop a
//! misconfiguration from turning into a confusing server error. Error messages say which option
//! was wrong and what to do, and never echo a value that could hold the key: URLs, header
//! values and request IDs are described, not quoted.

use std::fmt;

/// A caller input that cannot be sent. Never contains the API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    /// The option or input at fault, as the JS caller spells it: `baseUrl`, `path`, `query`,
    /// `headers`, `requestId`, `apiKey`, ...
    pub option: &'static str,
    /// What was wrong and what to do about it.
    pub message: String,
}

impl RequestError {
    pub fn new(option: &'static str, message: impl Into<String>) -> Self {
        Self {
            option,
            message: message.into(),
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.option, self.message)
    }
}

impl std::error::Error for RequestError {}

/// How the API key is presented. Hatz REST wants `X-API-Key`; its OpenAI/Anthropic gateways and
/// Zazmic accept `Authorization: Bearer`; Heylock agent keys go raw in `Authorization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthScheme {
    #[default]
    XApiKey,
    Bearer,
    Authorization,
    None,
}

impl AuthScheme {
    pub const NAMES: [&'static str; 4] = ["x-api-key", "bearer", "authorization", "none"];

    /// Parses the option value, ignoring ASCII case.
    pub fn parse(s: &str) -> Option<AuthScheme> {
        let s = s.trim();
        [
            ("x-api-key", AuthScheme::XApiKey),
            ("bearer", AuthScheme::Bearer),
            ("authorization", AuthScheme::Authorization),
            ("none", AuthScheme::None),
        ]
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(s))
        .map(|(_, scheme)| scheme)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuthScheme::XApiKey => "x-api-key",
            AuthScheme::Bearer => "bearer",
            AuthScheme::Authorization => "authorization",
            AuthScheme::None => "none",
        }
    }

    /// The auth header for `key`, or `None` when this scheme sends no credentials.
    pub fn header(&self, key: &str) -> Option<(&'static str, String)> {
        match self {
            AuthScheme::XApiKey => Some(("X-API-Key", key.to_string())),
            AuthScheme::Bearer => Some(("Authorization", format!("Bearer {key}"))),
            AuthScheme::Authorization => Some(("Authorization", key.to_string())),
            AuthScheme::None => None,
        }
    }
}

fn base_err(message: impl Into<String>) -> RequestError {
    RequestError::new("baseUrl", message)
}

/// Checks a client base URL and returns it normalised: lower-case scheme and host, no trailing
/// slash, so paths can be appended with a plain concatenation.
///
/// Plain `http://` is allowed only to loopback hosts (local mocks and proxies) unless
/// `allow_insecure_http`, because the key would otherwise cross the network in clear text.
pub fn validate_base_url(url: &str, allow_insecure_http: bool) -> Result<String, RequestError> {
    if url.is_empty() {
        return Err(base_err(
            "baseUrl is empty: pass an absolute URL such as \"https://ai.hatz.ai\", or omit it",
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(base_err(
            "baseUrl contains whitespace or control characters: remove them (check for a \
             trailing newline from an environment variable)",
        ));
    }
    if !url.is_ascii() {
        return Err(base_err(
            "baseUrl contains non-ASCII characters: use the punycode host and percent-encoded path",
        ));
    }
    if url.contains('\\') {
        return Err(base_err(
            "baseUrl contains a backslash: use forward slashes only",
        ));
    }
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        base_err("baseUrl must be an absolute http(s) URL such as \"https://ai.hatz.ai\"")
    })?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(base_err(
            "baseUrl must use https:// (or http:// to a local address); other schemes are not \
             supported",
        ));
    }
    if rest.contains('?') || rest.contains('#') {
        return Err(base_err(
            "baseUrl must not contain a query string or fragment: pass query parameters per \
             request, and never put keys in URLs",
        ));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.contains('@') {
        // Deliberately not echoing anything: the userinfo may be a password or the key.
        return Err(base_err(
            "baseUrl must not contain credentials (user:password@): pass the key as apiKey and \
             it is sent in the auth header",
        ));
    }
    let (host, port) = split_host_port(authority)?;
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
        if !valid {
            return Err(base_err(
                "baseUrl has an invalid port: use a number from 1 to 65535",
            ));
        }
    }
    let host = host.to_ascii_lowercase();
    if scheme == "http" && !allow_insecure_http && !is_loopback(&host) {
        return Err(base_err(
            "baseUrl uses http:// to a non-local host, which would send the API key unencrypted: \
             use https://, or set allowInsecureHttp: true only for a trusted network",
        ));
    }
    if path
        .split('/')
        .any(|seg| seg == ".." || seg == "." || seg.eq_ignore_ascii_case("%2e%2e"))
    {
        return Err(base_err(
            "baseUrl path must not contain \".\" or \"..\" segments",
        ));
    }
    let path = path.trim_end_matches('/');
    let mut out = String::with_capacity(url.len());
    out.push_str(&scheme);
    out.push_str("://");
    out.push_str(&host);
    if let Some(port) = port {
        out.push(':');
        out.push_str(port);
    }
    out.push_str(path);
    Ok(out)
}

/// Splits `host[:port]` or `[v6][:port]`, checking the host's characters.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), RequestError> {
    let missing = || base_err("baseUrl has no host: use e.g. \"https://ai.hatz.ai\"");
    if authority.is_empty() {
        return Err(missing());
    }
    if let Some(after_bracket) = authority.strip_prefix('[') {
        let close = after_bracket
            .find(']')
            .ok_or_else(|| base_err("baseUrl has an unclosed IPv6 bracket"))?;
        let inner = after_bracket.get(..close).unwrap_or_default();
        let tail = after_bracket
            .get(close.saturating_add(1)..)
            .unwrap_or_default();
        if inner.is_empty()
            || !inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return Err(base_err("baseUrl has an invalid IPv6 address"));
        }
        let host_len = close.saturating_add(2);
        let host = authority.get(..host_len).unwrap_or_default();
        return match tail {
            "" => Ok((host, None)),
            _ => match tail.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err(base_err("baseUrl has junk after the IPv6 address")),
            },
        };
    }
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err(missing());
    }
    if !host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
    {
        return Err(base_err(
            "baseUrl host contains characters that are not allowed in a host name",
        ));
    }
    Ok((host, port))
}

/// `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`: traffic that never leaves the machine.
fn is_loopback(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") || host == "[::1]" {
        return true;
    }
    let mut parts = host.split('.');
    let first = parts.next();
    let rest: Vec<&str> = parts.collect();
    first == Some("127")
        && rest.len() == 3
        && rest
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
}

/// Query parameter names that would put a credential in the URL (and so in logs, proxies and
/// browser history). Compared after lower-casing and dropping `-`, `_` and `.`.
const CREDENTIAL_PARAMS: [&str; 9] = [
    "key",
    "apikey",
    "accesstoken",
    "token",
    "xapikey",
    "auth",
    "authorization",
    "password",
    "secret",
];

fn looks_like_credential_param(name: &str) -> bool {
    let norm: String = name
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    // Suffix matches catch `hatz_api_key` or `client_secret`; `token` is exact-only so
    // pagination parameters such as `page_token` keep working.
    CREDENTIAL_PARAMS.contains(&norm.as_str())
        || norm.ends_with("apikey")
        || norm.ends_with("secret")
        || norm.contains("password")
}

/// Joins a validated base URL, a request path and query parameters.
///
/// The path must be relative to the base (start with one `/`, no `..`, no scheme) so a caller
/// cannot redirect the key to another host. Query names and values are percent-encoded here.
pub fn build_url(
    base: &str,
    path: &str,
    query: &[(String, String)],
) -> Result<String, RequestError> {
    check_path(path)?;
    let base = base.trim_end_matches('/');
    let mut url = String::with_capacity(base.len().saturating_add(path.len()).saturating_add(64));
    url.push_str(base);
    encode_path_into(path, &mut url);
    let mut sep = '?';
    for (name, value) in query {
        if name.is_empty() {
            return Err(RequestError::new(
                "query",
                "a query parameter has an empty name: remove it or give it a name",
            ));
        }
        if looks_like_credential_param(name) {
            return Err(RequestError::new(
                "query",
                format!(
                    "query parameter \"{}\" looks like a credential: keys go in headers (pass \
                     apiKey to the client), never in URLs",
                    printable(name)
                ),
            ));
        }
        url.push(sep);
        sep = '&';
        percent_encode_into(name, &mut url);
        url.push('=');
        percent_encode_into(value, &mut url);
    }
    Ok(url)
}

fn check_path(path: &str) -> Result<(), RequestError> {
    let err = |m: &str| Err(RequestError::new("path", m));
    if !path.starts_with('/') {
        return err(
            "path must start with \"/\" and be relative to baseUrl, e.g. \"/v1/chat/completions\"",
        );
    }
    if path.starts_with("//") {
        return err("path must not start with \"//\": that names another host; pass a path relative to baseUrl");
    }
    if path.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return err(
            "path contains whitespace or control characters: percent-encode them or remove them",
        );
    }
    if path.contains('\\') {
        return err("path contains a backslash: use forward slashes only");
    }
    if path.contains('?') || path.contains('#') {
        return err("path must not contain \"?\" or \"#\": pass query parameters in query");
    }
    let dot_segment = path.split('/').any(|seg| {
        let lower = seg.to_ascii_lowercase();
        matches!(
            lower.as_str(),
            "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e."
        )
    });
    if dot_segment {
        return err("path must not contain \".\" or \"..\" segments");
    }
    Ok(())
}

/// Characters kept as-is in a path: RFC 3986 `pchar` plus `/`, and `%` so already-encoded IDs
/// pass through unchanged.
fn is_path_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'/'
                | b'%'
        )
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn push_pct(b: u8, out: &mut String) {
    out.push('%');
    for nibble in [b >> 4, b & 0x0F] {
        if let Some(&h) = HEX_UPPER.get(usize::from(nibble)) {
            out.push(char::from(h));
        }
    }
}

fn encode_path_into(path: &str, out: &mut String) {
    for b in path.bytes() {
        if is_path_char(b) {
            out.push(char::from(b));
        } else {
            push_pct(b, out);
        }
    }
}

/// Percent-encodes everything except RFC 3986 unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    percent_encode_into(s, &mut out);
    out
}

fn percent_encode_into(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            push_pct(b, out);
        }
    }
}

/// Whether `secret` appears in `haystack`, literally or percent-encoded (either hex case, or
/// with `+` for spaces as form encoding does). An empty secret never matches.
pub fn contains_secret(haystack: &str, secret: &str) -> bool {
    if secret.is_empty() {
        return false;
    }
    if haystack.contains(secret) {
        return true;
    }
    let encoded = percent_encode(secret);
    if encoded == secret {
        return false;
    }
    let lower_hex = lower_pct_hex(&encoded);
    let plus = encoded.replace("%20", "+");
    haystack.contains(&encoded)
        || haystack.contains(&lower_hex)
        || haystack.contains(&plus)
        || haystack.contains(&lower_pct_hex(&plus))
}

fn lower_pct_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut hex_left = 0u8;
    for c in encoded.chars() {
        if c == '%' {
            hex_left = 2;
            out.push(c);
        } else if hex_left > 0 {
            hex_left = hex_left.saturating_sub(1);
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Header names the client sets itself from `apiKey` and `auth`; a user header with one of these
/// names would silently replace or duplicate the credential.
const AUTH_HEADERS: [&str; 4] = [
    "authorization",
    "x-api-key",
    "cookie",
    "proxy-authorization",
];

fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// Checks one user-supplied header. The value is never quoted back in an error.
pub fn validate_header(name: &str, value: &str) -> Result<(), RequestError> {
    if name.is_empty() {
        return Err(RequestError::new(
            "headers",
            "a header has an empty name: remove it or give it a name",
        ));
    }
    if !name.bytes().all(is_token_char) {
        return Err(RequestError::new(
            "headers",
            "a header name contains characters that are not allowed (letters, digits and \
             !#$%&'*+-.^_`|~ only)",
        ));
    }
    let lower = name.to_ascii_lowercase();
    if AUTH_HEADERS.contains(&lower.as_str()) {
        return Err(RequestError::new(
            "headers",
            format!(
                "header \"{name}\" carries credentials, which the client sets itself: pass the \
                 key as apiKey and choose the header with auth (\"x-api-key\", \"bearer\", \
                 \"authorization\")"
            ),
        ));
    }
    if lower == "x-request-id" {
        return Err(RequestError::new(
            "headers",
            "header \"X-Request-ID\" is set by the client: pass your own ID as requestId so it \
             is checked for sensitive data",
        ));
    }
    if value.contains(['\r', '\n', '\0']) {
        return Err(RequestError::new(
            "headers",
            format!(
                "value of header \"{name}\" contains CR, LF or NUL, which could inject headers: \
                 remove line breaks"
            ),
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(RequestError::new(
            "headers",
            format!("value of header \"{name}\" contains control characters: remove them"),
        ));
    }
    if !value.is_ascii() {
        return Err(RequestError::new(
            "headers",
            format!(
                "value of header \"{name}\" contains non-ASCII characters, which fetch cannot \
                 send reliably: percent-encode or base64-encode it"
            ),
        ));
    }
    Ok(())
}

pub const MAX_REQUEST_ID_LEN: usize = 128;

/// Checks a caller-chosen `X-Request-ID`. Hatz uses the value as sent and support staff see it,
/// so it must be a short opaque token: no email, no key.
///
/// Long digit runs are not refused: millisecond and nanosecond timestamps are common in request
/// IDs and indistinguishable from phone or card numbers by shape alone.
pub fn validate_request_id(id: &str, secret: Option<&str>) -> Result<(), RequestError> {
    if id.is_empty() {
        return Err(RequestError::new(
            "requestId",
            "requestId is empty: omit it to have one generated",
        ));
    }
    if let Some(s) = secret {
        if contains_secret(id, s) {
            return Err(RequestError::new(
                "requestId",
                "requestId contains the API key: use a short opaque value, or omit it to have \
                 one generated",
            ));
        }
    }
    if id.contains('@') {
        return Err(RequestError::new(
            "requestId",
            "requestId looks like it contains an email address: request IDs are visible to \
             support staff, use a short opaque value",
        ));
    }
    if id.chars().count() > MAX_REQUEST_ID_LEN {
        return Err(RequestError::new(
            "requestId",
            format!("requestId is longer than {MAX_REQUEST_ID_LEN} characters: use a short opaque value"),
        ));
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
    {
        return Err(RequestError::new(
            "requestId",
            "requestId may contain only letters, digits and . _ : - (a short opaque value)",
        ));
    }
    Ok(())
}

/// `aw_` followed by the 16 caller-supplied random bytes in lower-case hex.
pub fn generate_request_id(random: &[u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(3 + 32);
    id.push_str("aw_");
    for &b in random {
        for nibble in [b >> 4, b & 0x0F] {
            if let Some(&h) = HEX.get(usize::from(nibble)) {
                id.push(char::from(h));
            }
        }
    }
    id
}

/// Quotes a caller-supplied name in an error without letting control characters through.
fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(64).collect()
}
