// Error bodies in each platform's dialect, copied from the platform documents in
// /work/shared/seeds (000 Hatz, 001 Zazmic, 002 Hatz workflows, 003 Heylock, 004 Agntix).
// Every builder returns { status, body, headers? } where body is a JSON-serialisable value
// (or a string with contentType for the non-JSON faults).

import { STATUS_CODES } from 'node:http';

export function reason(status) {
  if (status === 499) return 'Client Closed Request';
  if (status === 529) return 'Overloaded';
  return STATUS_CODES[status] ?? 'Error';
}

// ---------------------------------------------------------------- Hatz (FastAPI)

export const hatz = {
  detail: (status, detail) => ({ status, body: { detail } }),
  // FastAPI request-validation list shape.
  validation: (errors) => ({ status: 422, body: { detail: errors } }),
  missing: (...loc) => ({ loc: ['body', ...loc], msg: 'field required', type: 'value_error.missing' }),
  invalid: (loc, msg, type) => ({ loc: ['body', ...loc], msg, type }),
};

// ---------------------------------------------------------------- OpenAI

export function openaiError(status, message, type, code = null, param = null) {
  return { status, body: { error: { message, type, param, code } } };
}

function openaiTypeFor(status) {
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

// ---------------------------------------------------------------- Anthropic

export function anthropicError(status, type, message) {
  return { status, body: { type: 'error', error: { type, message } } };
}

function anthropicTypeFor(status) {
  switch (status) {
    case 400: case 422: return 'invalid_request_error';
    case 401: return 'authentication_error';
    case 402: return 'billing_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 504: case 408: return 'timeout_error';
    case 529: return 'overloaded_error';
    default: return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

// ---------------------------------------------------------------- generic per surface

/** A plain error for `status` in the dialect of `surface` ('hatz' | 'openai' | 'anthropic'). */
export function genericError(surface, status, message = null) {
  const text = message ?? defaultMessage(status);
  if (surface === 'openai') return openaiError(status, text, openaiTypeFor(status));
  if (surface === 'anthropic') return anthropicError(status, anthropicTypeFor(status), text);
  return hatz.detail(status, message ?? reason(status));
}

function defaultMessage(status) {
  if (status === 500) return 'The server had an error while processing your request. Sorry about that!';
  if (status === 503) return 'The server is overloaded or not ready yet.';
  if (status === 529) return 'Overloaded';
  return reason(status);
}

// ---------------------------------------------------------------- Zazmic (seed 001)

export function zazmicRateLimit({ retryAfter = 1, limit = 10, windowText = 'minute', details = true } = {}) {
  const body = {
    error: 'Rate limit exceeded',
    message: `You have exceeded the rate limit of ${limit} requests per ${windowText}`,
    statusCode: 429,
  };
  if (details) body.details = { retryAfter };
  return { status: 429, body };
}

const zazmic = {
  400: { error: 'Bad Request', message: 'Missing required field: endpointId', statusCode: 400 },
  401: { error: 'Unauthorized', message: 'No authorization header provided', statusCode: 401 },
  403: { error: 'Insufficient balance', message: 'Your balance ($5.00) is insufficient for this task ($10.00). Please add credits.', statusCode: 403 },
  404: { error: 'Not Found', message: 'Agent endpoint not found', statusCode: 404 },
  500: { error: 'Internal Server Error', message: 'An unexpected error occurred. Please try again.', statusCode: 500 },
  503: { error: 'Service Unavailable', message: 'Service is temporarily unavailable. Please try again later.', statusCode: 503 },
};

// ---------------------------------------------------------------- Heylock (seed 003)

const heylock = {
  '400-invalid-json': [400, 'INVALID_JSON', "Body isn't valid JSON."],
  '400-invalid-content': [400, 'INVALID_CONTENT', 'Missing content field'],
  '400-invalid-text': [400, 'INVALID_TEXT', 'Required field missing or empty.'],
  '400-invalid-array': [400, 'INVALID_ARRAY', 'Required field missing or empty.'],
  '400-invalid-history': [400, 'INVALID_HISTORY', 'Field present but wrong type.'],
  '400-invalid-instructions': [400, 'INVALID_INSTRUCTIONS', 'Field present but wrong type.'],
  '400-invalid-context': [400, 'INVALID_CONTEXT', 'Field present but wrong type.'],
  '400-missing-agent-key': [400, 'MISSING_AGENT_KEY', 'Authorization header missing.'],
  '400-invalid-agent-key': [400, 'INVALID_AGENT_KEY', 'Authorization header missing.'],
  '401': [401, 'UNAUTHORIZED', 'Key not recognized (revoked / rotated).'],
  '402': [402, 'INSUFFICIENT_BALANCE', 'Balance is exhausted.'],
  '500': [500, 'INTERNAL', 'Platform processing error.'],
  '502': [502, 'EXTERNAL_SERVICE', 'Upstream dependency issue.'],
};

// ---------------------------------------------------------------- Agntix (seed 004)
// Codes named in the seed keep its wording; the seed gives no codes for bare 400/403/409/429/
// 502/503/504, so those use the HTTP meaning from its status table (marked "status table").

const agntix = {
  SESSION_NOT_FOUND: [404, 'The session you requested does not exist or has expired.'],
  SESSION_EXPIRED: [410, 'The session is past its inactivity window. Open a new session.'],
  SESSION_CREATION_ERROR: [503, 'Could not allocate a session.'],
  INVALID_SESSION: [400, 'The session is not valid for the requested operation.'],
  MESSAGES_HISTORY_ERROR: [500, 'Could not fetch message history.'],
  MODELS_NOT_FOUND: [422, 'Requested model is not enabled for your org.'],
  TOOLS_NOT_FOUND: [422, 'One of the tool ids on the agent is missing.'],
  CONFIG_NOT_FOUND: [422, 'Agent config is missing required fields.'],
  UNAUTHORIZED: [401, 'Missing or invalid auth header.'],
  ABORT_ERROR: [499, 'The request was aborted (client disconnected).'],
  GENERIC_ERROR: [500, 'Unclassified server-side error.'],
};
const agntixByStatus = {
  400: ['BAD_REQUEST', 'Malformed input: missing required field.'],
  403: ['FORBIDDEN', 'Auth OK, permission denied: key lacks the required scope.'],
  409: ['CONFLICT', 'Idempotency or uniqueness violation: concurrent modification.'],
  429: ['RATE_LIMITED', 'Rate limit hit.'],
  502: ['BAD_GATEWAY', 'Upstream failure. Retry with backoff.'],
  503: ['SERVICE_UNAVAILABLE', 'Service overloaded. Retry with backoff.'],
  504: ['GATEWAY_TIMEOUT', 'Upstream timed out. Retry with backoff.'],
};

// ---------------------------------------------------------------- dialect fault table

/**
 * Every `dialect-*` fault: name → { description, build(ctx) → {status, body, headers} }.
 * ctx has { requestId, now }.
 */
export const DIALECT_FAULTS = new Map();

function def(name, description, build) {
  DIALECT_FAULTS.set(name, { name, description, build });
}

for (const [status, body] of Object.entries(zazmic)) {
  def(`dialect-zazmic-${status}`, `Zazmic ${status}: ${body.error} – "${body.message}"`, () => ({ status: Number(status), body: { ...body } }));
}
def('dialect-zazmic-429', 'Zazmic 429 rate limit body (details.retryAfter) with X-RateLimit-* and Retry-After headers', (ctx) => {
  const retryAfter = 1;
  const r = zazmicRateLimit({ retryAfter });
  r.headers = {
    'Retry-After': String(retryAfter),
    'X-RateLimit-Limit': '10',
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': String(Math.ceil(ctx.now / 1000) + retryAfter),
  };
  return r;
});

for (const [suffix, [status, error, message]] of Object.entries(heylock)) {
  def(`dialect-heylock-${suffix}`, `Heylock ${status} {"error":"${error}"}`, () => {
    const r = { status, body: { error, message } };
    if (status === 402) r.headers = { 'X-Balance': '0.00' };
    return r;
  });
}

for (const [code, [status, message]] of Object.entries(agntix)) {
  def(`dialect-agntix-${code}`, `Agntix ${status} {"error":{"code":"${code}"}} with requestId`, (ctx) => ({
    status, body: { error: { code, message, requestId: ctx.requestId } },
  }));
}
for (const [status, [code, message]] of Object.entries(agntixByStatus)) {
  def(`dialect-agntix-${status}`, `Agntix ${status} {"error":{"code":"${code}"}} with requestId (status table)`, (ctx) => {
    const r = { status: Number(status), body: { error: { code, message, requestId: ctx.requestId } } };
    if (status === '429') r.headers = { 'Retry-After': '1' };
    return r;
  });
}

def('dialect-openai-400', 'OpenAI 400 invalid_request_error', () =>
  openaiError(400, "Missing required parameter: 'model'.", 'invalid_request_error', 'missing_required_parameter', 'model'));
def('dialect-openai-401', 'OpenAI 401 invalid_api_key', () =>
  openaiError(401, 'Incorrect API key provided. You can find your API key in your account settings.', 'invalid_request_error', 'invalid_api_key'));
def('dialect-openai-404', 'OpenAI 404 model_not_found', () =>
  openaiError(404, 'The model does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found', 'model'));
def('dialect-openai-429-quota', 'OpenAI 429 insufficient_quota (not retryable)', () =>
  openaiError(429, 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.', 'insufficient_quota', 'insufficient_quota'));
def('dialect-openai-429-rate', 'OpenAI 429 rate_limit_exceeded with retry-after-ms and x-ratelimit-* headers', (ctx) => {
  const r = openaiError(429, 'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s.', 'requests', 'rate_limit_exceeded');
  r.headers = {
    'retry-after-ms': '1000',
    'x-ratelimit-limit-requests': '3',
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': '1s',
    'X-RateLimit-Limit': '3',
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': String(Math.ceil(ctx.now / 1000) + 1),
  };
  return r;
});
def('dialect-openai-500', 'OpenAI 500 server_error', () =>
  openaiError(500, 'The server had an error while processing your request. Sorry about that!', 'server_error'));
def('dialect-openai-503', 'OpenAI 503 server_error (overloaded)', () =>
  openaiError(503, 'The engine is currently overloaded, please try again later.', 'server_error'));

def('dialect-anthropic-400', 'Anthropic 400 invalid_request_error', () =>
  anthropicError(400, 'invalid_request_error', 'max_tokens: Field required'));
def('dialect-anthropic-401', 'Anthropic 401 authentication_error', () =>
  anthropicError(401, 'authentication_error', 'invalid x-api-key'));
def('dialect-anthropic-403', 'Anthropic 403 permission_error', () =>
  anthropicError(403, 'permission_error', 'Your API key does not have permission to use the specified resource.'));
def('dialect-anthropic-404', 'Anthropic 404 not_found_error', () =>
  anthropicError(404, 'not_found_error', 'model: not found'));
def('dialect-anthropic-413', 'Anthropic 413 request_too_large', () =>
  anthropicError(413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.'));
def('dialect-anthropic-429', 'Anthropic 429 rate_limit_error with retry-after', () => {
  const r = anthropicError(429, 'rate_limit_error', 'This request would exceed the rate limit for your organization of 50 requests per minute. Please try again later.');
  r.headers = {
    'Retry-After': '1',
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '0',
  };
  return r;
});
def('dialect-anthropic-500', 'Anthropic 500 api_error', () =>
  anthropicError(500, 'api_error', 'Internal server error'));
def('dialect-anthropic-529', 'Anthropic 529 overloaded_error', () =>
  anthropicError(529, 'overloaded_error', 'Overloaded'));

def('dialect-hatz-401', 'Hatz 401 {"detail"} (invalid API key)', () => hatz.detail(401, 'Invalid API key'));
def('dialect-hatz-403', 'Hatz 403 {"detail"} (authenticated but not allowed)', () => hatz.detail(403, 'Not enough permissions'));
def('dialect-hatz-404', 'Hatz 404 {"detail":"Job not found"}', () => hatz.detail(404, 'Job not found'));
def('dialect-hatz-422', 'Hatz 422 FastAPI validation list', () =>
  hatz.validation([hatz.missing('messages')]));
def('dialect-hatz-429', 'Hatz 429 credit overage {"detail"}', () =>
  hatz.detail(429, 'Workflows have been rate limited for your organization due to a credit overage.'));
def('dialect-hatz-500', 'Hatz 500 {"detail":"Internal Server Error"}', () => hatz.detail(500, 'Internal Server Error'));

/** Case-insensitive lookup; `_` and `-` are interchangeable (dialect-agntix-session-not-found works). */
const NORMALIZED = new Map([...DIALECT_FAULTS.values()].map((f) => [normalize(f.name), f]));
export function findDialectFault(name) {
  return NORMALIZED.get(normalize(name)) ?? null;
}
function normalize(name) {
  return name.toLowerCase().replace(/_/g, '-');
}

// ---------------------------------------------------------------- stream error payloads (seed 001)

export const STREAM_ERROR_CODES = {
  STREAM_ERROR: 'Streaming connection failed',
  INSUFFICIENT_BALANCE: 'Insufficient balance to complete this request',
  RATE_LIMIT_EXCEEDED: 'Too many requests',
  SESSION_NOT_FOUND: 'Session doesn’t exist or expired',
  AGENT_ERROR: 'Agent execution failed',
};
