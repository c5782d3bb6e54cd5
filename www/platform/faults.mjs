// The fault catalogue: what `x-agentwire-fault: <name>[;param=value...]` (or an API key
// `test-fault-<name>`) does to a request.
//
// A fault is either a *responder* (it sends the whole response itself: error bodies, resets,
// hangs) or a *modifier* (the request is served normally but slowly or with a broken stream).
// Each fault says which requests it applies to; a fault that does not apply to a request
// (a stream fault on a non-stream request, a poll fault on a POST) is ignored and not counted
// against `times=N`.

import { DIALECT_FAULTS, findDialectFault, genericError, hatz, zazmicRateLimit, STREAM_ERROR_CODES } from './dialects.mjs';

/** Parse "name;k=v;flag" into { name, params }. Names are case-insensitive. */
export function parseFaultSpec(text) {
  const pieces = String(text).split(';').map((s) => s.trim()).filter(Boolean);
  const name = (pieces.shift() ?? '').toLowerCase();
  const params = {};
  for (const p of pieces) {
    const eq = p.indexOf('=');
    if (eq < 0) params[p.toLowerCase()] = true;
    else params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
  }
  return { name, params };
}

const num = (v, dflt, lo = 0, hi = 3_600_000) => {
  const n = Number(v);
  if (v === undefined || v === true || !Number.isFinite(n)) return dflt;
  return Math.min(hi, Math.max(lo, n));
};

const always = () => true;
const onStream = (ctx) => ctx.isStream;
const onNonStream = (ctx) => !ctx.isStream;
const onPoll = (ctx) => ctx.route === 'workflows.get';

const STORM_CODES = [500, 502, 503, 504];

/** Static faults: name → { description, example, applies(ctx), respond?(ctx, params), modify?(ctx, params) } */
const STATIC = new Map();
function def(name, description, example, spec) {
  STATIC.set(name, { name, description, example, applies: always, ...spec });
}

def('rate-limit', 'Zazmic 429 {"error":"Rate limit exceeded",...,"details":{"retryAfter":N}} with X-RateLimit-Limit/Remaining/Reset and Retry-After. Params: retry-after=S (default 1), retry-after-ms=MS (retry-after-ms header instead), retry-after-date=S (HTTP-date S seconds after Date), no-retry-after, body-retry-after=S (only details.retryAfter)',
  'rate-limit;retry-after=2', {
    respond(ctx, p) {
      const now = ctx.now;
      const headers = { 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '0' };
      let retryAfter;
      let details = true;
      if (p['retry-after-ms'] !== undefined) {
        const ms = num(p['retry-after-ms'], 1000);
        headers['retry-after-ms'] = String(ms);
        retryAfter = Math.ceil(ms / 1000);
        headers['X-RateLimit-Reset'] = String(Math.ceil((now + ms) / 1000));
      } else if (p['retry-after-date'] !== undefined) {
        retryAfter = num(p['retry-after-date'], 1);
        const dateMs = Math.floor(now / 1000) * 1000;
        headers.Date = new Date(dateMs).toUTCString();
        headers['Retry-After'] = new Date(dateMs + retryAfter * 1000).toUTCString();
        headers['X-RateLimit-Reset'] = String(dateMs / 1000 + retryAfter);
      } else if (p['no-retry-after'] !== undefined) {
        details = false;
      } else if (p['body-retry-after'] !== undefined) {
        retryAfter = num(p['body-retry-after'], 1);
      } else {
        retryAfter = num(p['retry-after'], 1);
        headers['Retry-After'] = String(retryAfter);
        headers['X-RateLimit-Reset'] = String(Math.ceil(now / 1000) + retryAfter);
      }
      const r = zazmicRateLimit({ retryAfter, details });
      ctx.sendJson(r.status, r.body, headers);
    },
  });

def('credit-overage', 'Hatz 429 {"detail":"Workflows have been rate limited for your organization due to a credit overage."}',
  'credit-overage', {
    respond(ctx) {
      ctx.sendJson(429, { detail: 'Workflows have been rate limited for your organization due to a credit overage.' });
    },
  });

def('insufficient-balance', 'Zazmic 403 {"error":"Insufficient balance","message":"Your balance ($5.00) is insufficient for this task ($10.00). Please add credits.","statusCode":403}',
  'insufficient-balance', {
    respond(ctx) {
      const r = DIALECT_FAULTS.get('dialect-zazmic-403').build(ctx);
      ctx.sendJson(r.status, r.body, r.headers);
    },
  });

def('heylock-balance', 'Heylock 402 {"error":"INSUFFICIENT_BALANCE","message":"Balance is exhausted."}',
  'heylock-balance', {
    respond(ctx) {
      const r = DIALECT_FAULTS.get('dialect-heylock-402').build(ctx);
      ctx.sendJson(r.status, r.body, r.headers);
    },
  });

def('html-502', 'Cloudflare-like HTML 502 page (content-type text/html)', 'html-502', {
  respond(ctx) {
    ctx.sendRaw(502, 'text/html; charset=utf-8',
      '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>');
  },
});

def('text-503', 'Plain-text 503 "upstream connect error or disconnect/reset before headers. reset reason: overflow"', 'text-503', {
  respond(ctx) {
    ctx.sendRaw(503, 'text/plain', 'upstream connect error or disconnect/reset before headers. reset reason: overflow');
  },
});

def('storm', '5xx on every request: 500/502/503/504 chosen by a PRNG seeded with the storm request count (deterministic after reset); generic body in the surface dialect',
  'storm', {
    respond(ctx) {
      const n = ctx.state.stormCount++;
      const status = STORM_CODES[mix(n) % STORM_CODES.length];
      const r = genericError(ctx.surface, status);
      ctx.sendJson(r.status, r.body);
    },
  });

def('slow-headers', 'Wait ms=N (default 1000) before sending the (normal) response headers', 'slow-headers;ms=1500', {
  modify(ctx, p) { ctx.slowHeadersMs = num(p.ms, 1000); },
});

def('slow-body', 'Non-stream requests: send headers and half the JSON body, wait ms=N (default 1000), send the rest', 'slow-body;ms=1500', {
  applies: onNonStream,
  modify(ctx, p) { ctx.slowBodyMs = num(p.ms, 1000); },
});

def('hang', 'Never respond (until the client gives up or the server closes)', 'hang', {
  respond(ctx) { ctx.hang(); },
});

def('reset', 'Destroy the socket without any response (a network error in the client)', 'reset', {
  respond(ctx) { ctx.resetSocket(); },
});

def('truncated-stream', 'Stream requests: send about half the chunks, then end the response without [DONE]/message_stop/response.completed', 'truncated-stream', {
  applies: onStream,
  modify(ctx) { ctx.streamFault = { kind: 'truncate' }; },
});

def('mid-stream-error', 'Stream requests: after 2 chunks send event: error with {"type":"error","error":{"code":"STREAM_ERROR","message":"Streaming connection failed"},"timestamp":"..."} then end',
  'mid-stream-error', {
    applies: onStream,
    modify(ctx) { ctx.streamFault = { kind: 'error', code: 'STREAM_ERROR' }; },
  });

for (const code of Object.keys(STREAM_ERROR_CODES)) {
  const name = `mid-stream-error-${code.toLowerCase().replace(/_/g, '-')}`;
  def(name, `Stream requests: after 2 chunks send event: error with code ${code} ("${STREAM_ERROR_CODES[code]}") then end`, name, {
    applies: onStream,
    modify(ctx) { ctx.streamFault = { kind: 'error', code }; },
  });
}

def('anthropic-stream-error', 'Stream requests: after 2 chunks send event: error with {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}} then end',
  'anthropic-stream-error', {
    applies: onStream,
    modify(ctx) { ctx.streamFault = { kind: 'anthropic-error' }; },
  });

def('stall-stream', 'Stream requests: send 1 chunk then pause ms=N (default 1000) before the rest', 'stall-stream;ms=3000', {
  applies: onStream,
  modify(ctx, p) { ctx.streamFault = { kind: 'stall', ms: num(p.ms, 1000) }; },
});

def('crlf-stream', 'Stream requests: the same stream with CRLF line endings, written in pieces split inside UTF-8 emoji and between CR and LF (the text gains " 🚀✨ done")',
  'crlf-stream', {
    applies: onStream,
    modify(ctx) { ctx.streamFault = { kind: 'crlf' }; },
  });

def('job-not-found', 'GET /v1/workflows/{job_id} → 404 {"detail":"Job not found"}', 'job-not-found', {
  applies: onPoll,
  respond(ctx) { ctx.sendJson(404, { detail: 'Job not found' }); },
});

def('poll-429', 'GET /v1/workflows/{job_id}: 429 {"detail":"Too many requests"} with Retry-After: S (retry-after=S, default 1); with times=N only the first N polls of each job',
  'poll-429;times=2;retry-after=1', {
    applies: onPoll,
    perJob: true,
    respond(ctx, p) {
      const s = num(p['retry-after'], 1);
      ctx.sendJson(429, { detail: 'Too many requests' }, { 'Retry-After': String(s) });
    },
  });

def('poll-503', 'GET /v1/workflows/{job_id}: 503 {"detail":"Service Unavailable"}; with times=N only the first N polls of each job',
  'poll-503;times=2', {
    applies: onPoll,
    perJob: true,
    respond(ctx) { ctx.sendJson(503, { detail: 'Service Unavailable' }); },
  });

function statusFault(code) {
  return {
    name: `status-${code}`,
    description: `HTTP ${code} with a generic body in the surface's dialect (Hatz {"detail"}, OpenAI {"error":{...}}, Anthropic {"type":"error",...}); retry-after=S adds Retry-After`,
    example: `status-${code};times=2;id=t1`,
    applies: always,
    respond(ctx, p) {
      const r = genericError(ctx.surface, code);
      const headers = {};
      if (p['retry-after'] !== undefined) headers['Retry-After'] = String(num(p['retry-after'], 1));
      ctx.sendJson(r.status, r.body, headers);
    },
  };
}

function dialectFault(d) {
  return {
    name: d.name,
    description: d.description,
    example: d.name,
    applies: always,
    respond(ctx) {
      const r = d.build(ctx);
      ctx.sendJson(r.status, r.body, r.headers);
    },
  };
}

/** The fault definition for a (lower-cased) name, or null. */
export function findFault(name) {
  if (STATIC.has(name)) return STATIC.get(name);
  let m;
  if ((m = /^status-(\d{3})$/.exec(name))) {
    const code = Number(m[1]);
    if (code >= 400 && code <= 599) return statusFault(code);
    return null;
  }
  if (name.startsWith('dialect-')) {
    const d = findDialectFault(name);
    return d ? dialectFault(d) : null;
  }
  if ((m = /^mid-stream-error-([a-z0-9_-]+)$/.exec(name))) {
    // Any other code is allowed too: mid-stream-error-agent_error, mid-stream-error-custom-code.
    const code = m[1].toUpperCase().replace(/-/g, '_');
    return {
      name, description: '', applies: onStream,
      modify(ctx) { ctx.streamFault = { kind: 'error', code }; },
    };
  }
  return null;
}

/** Every fault name with a one-line description (GET /__faults). */
export function listFaults() {
  const out = [];
  for (const f of STATIC.values()) out.push({ name: f.name, description: f.description, example: f.example });
  for (const code of [400, 401, 403, 404, 408, 409, 410, 413, 422, 429, 500, 502, 503, 504, 529]) {
    const f = statusFault(code);
    out.push({ name: f.name, description: f.description, example: f.example });
  }
  for (const d of DIALECT_FAULTS.values()) out.push({ name: d.name, description: d.description, example: d.name });
  return out;
}

/** Name patterns and shared parameters (GET /__faults, beside the concrete list). */
export const FAULT_PATTERNS = [
  { pattern: 'status-<code>', description: 'Any 4xx/5xx status with a generic body in the surface dialect', example: 'status-503;times=2;id=abc' },
  { pattern: 'mid-stream-error-<code>', description: 'Like mid-stream-error with any error code (upper-cased, - becomes _)', example: 'mid-stream-error-agent-error' },
  { pattern: 'dialect-agntix-<code>', description: 'Agntix codes are case-insensitive; - and _ are interchangeable', example: 'dialect-agntix-session-not-found' },
];
export const FAULT_PARAMS = [
  { param: 'times=N', description: 'Only the first N requests get the fault (counted per id, else per fault text; poll-* per job); later ones are served normally' },
  { param: 'id=X', description: 'Counter id for times=N', example: 'status-503;times=2;id=abc' },
];

/** Deterministic integer mixer (splitmix-like) for the storm fault. */
function mix(n) {
  let x = (n + 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

export { hatz };
