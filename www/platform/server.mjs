#!/usr/bin/env node
// agentwire local platform server: a fake of the Hatz / Zazmic / Heylock / Agntix / OpenAI- and
// Anthropic-compatible APIs that agentwire's tests, playground and demo run against.
//
//   node www/platform/server.mjs [--port N] [--host 127.0.0.1]
//
// or, in-process:  const p = await startPlatform({ port: 0 }); ... await p.close();
// See README.md next to this file for every endpoint and fault.

import http from 'node:http';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

import { genericError, hatz, openaiError, anthropicError, zazmicRateLimit, STREAM_ERROR_CODES } from './dialects.mjs';
import { parseFaultSpec, findFault, listFaults, FAULT_PATTERNS, FAULT_PARAMS } from './faults.mjs';
import { boundaryOf, parseMultipart } from './multipart.mjs';
import { createJob, jobView, WORKFLOW_DEFAULTS } from './workflows.mjs';
import { answer, render, validateChat, validateResponses, validateAnthropic } from './echo.mjs';

export const ALLOW_HEADERS = [
  'authorization', 'x-api-key', 'content-type', 'x-request-id', 'x-agentwire-fault', 'idempotency-key',
  // the server's own knobs, so browser pages can use them too
  'x-agentwire-delay-ms', 'x-agentwire-ratelimit',
];
export const EXPOSE_HEADERS = [
  'x-request-id', 'retry-after', 'retry-after-ms', 'x-ratelimit-limit', 'x-ratelimit-remaining',
  'x-ratelimit-reset', 'x-balance', 'x-cost',
  // extra: Date is needed to resolve an HTTP-date Retry-After; OpenAI-style limit headers
  'date', 'x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests',
];

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
const VALID_KEY_RE = /^(test-|sk-test)/;
const QUERY_KEY_NAMES = new Set(['key', 'api_key', 'apikey', 'api-key', 'x-api-key', 'token', 'access_token', 'auth', 'authorization', 'bearer']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

const MiB = 1024 * 1024;

/**
 * Start the platform. Options:
 *   port (0 = random), host ('127.0.0.1'; only loopback is accepted),
 *   rateLimit: { limit = 100, windowMs = 60000 }, fileSizeLimit (bytes, default 10 MiB),
 *   streamDelayMs (default 5), workflow: { pendingMs = 200, steps = 3, stepMs = 300 },
 *   balance (starting balance per key, default 100).
 * Resolves to { url, port, log, reset(), close(), server }.
 */
export async function startPlatform({ port = 0, host = '127.0.0.1', ...options } = {}) {
  if (!LOOPBACK.has(host)) throw new Error(`agentwire-platform only listens on loopback, not ${host}`);
  const state = createState(options);
  const sockets = new Set();
  const server = http.createServer({ noDelay: true }, (req, res) => {
    handle(state, req, res).catch((err) => {
      if (!res.headersSent && !res.destroyed) {
        try {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ detail: 'Internal Server Error (platform bug)', message: String(err?.message ?? err) }));
        } catch { /* socket gone */ }
      } else {
        res.destroy();
      }
      if (!isAbort(err)) console.error('[agentwire-platform]', err);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host === 'localhost' ? '127.0.0.1' : host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = server.address().port;
  const hostPart = host === '::1' ? '[::1]' : '127.0.0.1';
  const url = `http://${hostPart}:${actualPort}`;
  state.baseUrl = url;
  let closing = null;
  return {
    url,
    port: actualPort,
    log: state.log,
    server,
    reset: () => state.reset(),
    close() {
      if (!closing) {
        closing = new Promise((resolve) => {
          state.shutdown.abort();
          server.close(() => resolve());
          server.closeAllConnections?.();
          for (const s of sockets) s.destroy();
        });
      }
      return closing;
    },
  };
}

function createState(options) {
  const state = {
    options: {
      rateLimit: { limit: 100, windowMs: 60_000, ...(options.rateLimit ?? {}) },
      fileSizeLimit: options.fileSizeLimit ?? 10 * MiB,
      streamDelayMs: options.streamDelayMs ?? 5,
      workflow: { ...WORKFLOW_DEFAULTS, ...(options.workflow ?? {}) },
      balance: options.balance ?? 100,
    },
    log: [],
    shutdown: new AbortController(),
    baseUrl: '',
  };
  state.reset = () => {
    state.log.length = 0;
    state.seq = 0;
    state.counters = new Map(); // fault times/id counting
    state.jobs = new Map();
    state.files = new Map();
    state.presigned = new Map();
    state.buckets = new Map(); // rate limit per key
    state.balances = new Map();
    state.stormCount = 0;
  };
  state.reset();
  return state;
}

// ---------------------------------------------------------------- helpers

const isAbort = (err) => err?.name === 'AbortError' || err?.code === 'ABORT_ERR';
const hex = (n) => randomBytes(n).toString('hex');
const keyId = (key) => createHash('sha256').update(key).digest('hex').slice(0, 24);

function userIdFor(key) {
  const h = createHash('sha256').update(`user:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function surfaceOf(path) {
  if (path === '/v1/openai' || path.startsWith('/v1/openai/')) return 'openai';
  if (path === '/v1/anthropic' || path.startsWith('/v1/anthropic/')) return 'anthropic';
  return 'hatz';
}

const ROUTES = new Map([
  ['/v1/chat/completions', ['POST', 'hatz.chat']],
  ['/v1/openai/chat/completions', ['POST', 'openai.chat']],
  ['/v1/openai/responses', ['POST', 'openai.responses']],
  ['/v1/anthropic/messages', ['POST', 'anthropic.messages']],
  ['/v1/workflows/run', ['POST', 'workflows.run']],
  ['/v1/workflows/presigned-url', ['POST', 'workflows.presign']],
  ['/v1/files/upload', ['POST', 'files.upload']],
]);

function matchRoute(method, path) {
  const known = ROUTES.get(path);
  if (known) return known[0] === method ? { route: known[1] } : { route: 'method-not-allowed', allow: known[0] };
  let m;
  if ((m = /^\/v1\/workflows\/([^/]+)$/.exec(path))) {
    if (method !== 'GET') return { route: 'method-not-allowed', allow: 'GET' };
    return { route: 'workflows.get', jobId: safeDecode(m[1]) };
  }
  if ((m = /^\/__files\/([^/]+)$/.exec(path))) {
    if (method !== 'GET') return { route: 'method-not-allowed', allow: 'GET' };
    return { route: 'files.presigned', token: safeDecode(m[1]) };
  }
  return { route: 'not-found' };
}

function safeDecode(s) {
  try { return decodeURIComponent(s); } catch { return s; }
}

function pickRequestId(value) {
  if (typeof value === 'string' && REQUEST_ID_RE.test(value)) return value;
  return `req_${hex(16)}`;
}

function authOf(req) {
  const xkey = req.headers['x-api-key'];
  const authz = req.headers.authorization;
  const result = { scheme: null, key: null, bearer: null };
  if (typeof authz === 'string' && authz.trim() !== '') {
    const m = /^\s*(\S+)\s*(.*)$/.exec(authz);
    result.scheme = m[1].toLowerCase();
    if (result.scheme === 'bearer') result.bearer = m[2].trim() || null;
  }
  if (typeof xkey === 'string' && xkey.trim() !== '') {
    result.xkey = xkey.trim();
  }
  return result;
}

function sanitizedHeaders(req) {
  const out = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'authorization') {
      out[name] = String(value).trim().split(/\s+/)[0] || '(empty)'; // scheme name only
    } else if (name === 'x-api-key' || name === 'cookie' || name === 'proxy-authorization') {
      out[name] = '[redacted]';
    } else {
      out[name] = value;
    }
  }
  return out;
}

function looksLikeKey(v) {
  return VALID_KEY_RE.test(v) || /^sk-/.test(v);
}

/** The first query parameter that carries a key, or null. */
function queryKeyParam(url) {
  for (const [name, value] of url.searchParams) {
    if (QUERY_KEY_NAMES.has(name.toLowerCase()) || looksLikeKey(value)) return name;
  }
  return null;
}

function sanitizedQuery(url) {
  const out = {};
  for (const [name, value] of url.searchParams) {
    out[name] = QUERY_KEY_NAMES.has(name.toLowerCase()) || looksLikeKey(value) || /signature/i.test(name) ? '[redacted]' : value;
  }
  return out;
}

function setCors(res) {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS.join(', '));
  res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS.join(', '));
}

function readBody(req, cap) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let kept = 0;
    req.on('data', (c) => {
      size += c.length;
      if (kept + c.length <= cap) {
        chunks.push(c);
        kept += c.length;
      }
    });
    req.on('end', () => resolve({ buf: Buffer.concat(chunks), size, tooLarge: size > cap }));
    req.on('error', reject);
    req.on('aborted', () => reject(Object.assign(new Error('request aborted'), { name: 'AbortError' })));
  });
}

function parseJson(buf) {
  if (buf.length === 0) return { ok: false, empty: true };
  try {
    return { ok: true, value: JSON.parse(buf.toString('utf8')) };
  } catch (err) {
    return { ok: false, error: err.message };
  }
}

function parseRateLimitHeader(value) {
  if (typeof value !== 'string') return null;
  const out = {};
  for (const piece of value.split(/[;,]/)) {
    const [k, v] = piece.split('=').map((s) => s?.trim().toLowerCase());
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) continue;
    if (k === 'limit') out.limit = Math.floor(n);
    if (k === 'window-ms' || k === 'windowms' || k === 'window') out.windowMs = Math.floor(n);
  }
  return out.limit || out.windowMs ? out : null;
}

function windowText(ms) {
  if (ms === 60_000) return 'minute';
  if (ms % 1000 === 0) return ms === 1000 ? 'second' : `${ms / 1000} seconds`;
  return `${ms} ms`;
}

const s3Error = (code, message) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;

// ---------------------------------------------------------------- request handling

async function handle(state, req, res) {
  const started = Date.now();
  const url = new URL(req.url, 'http://127.0.0.1');
  let path = url.pathname;
  if (path.length > 1) path = path.replace(/\/+$/, '');
  const requestId = pickRequestId(req.headers['x-request-id']);
  setCors(res);
  res.setHeader('X-Request-ID', requestId);

  const reqAbort = new AbortController();
  res.on('close', () => reqAbort.abort());
  const signal = AbortSignal.any([state.shutdown.signal, reqAbort.signal]);

  // Admin endpoints for out-of-process tests (not recorded in the log, no auth, no faults).
  if (path.startsWith('/__') && !path.startsWith('/__files/') && req.method !== 'OPTIONS') {
    return handleAdmin(state, req, res, path);
  }

  const surface = surfaceOf(path);
  const record = {
    seq: ++state.seq,
    time: new Date(started).toISOString(),
    method: req.method,
    path,
    query: sanitizedQuery(url),
    headers: sanitizedHeaders(req),
    auth: null,
    requestId,
    bodySize: 0,
    surface,
    route: null,
    stream: false,
    fault: null,
    status: null,
    durationMs: null,
  };
  state.log.push(record);
  res.on('close', () => {
    record.status = res.headersSent ? res.statusCode : null;
    record.durationMs = Date.now() - started;
  });

  if (req.method === 'OPTIONS') {
    // Preflight: also allow whatever else the browser asks for (SDK headers like anthropic-version).
    const asked = String(req.headers['access-control-request-headers'] ?? '')
      .split(',').map((h) => h.trim().toLowerCase()).filter((h) => h && !ALLOW_HEADERS.includes(h));
    if (asked.length) res.setHeader('Access-Control-Allow-Headers', [...ALLOW_HEADERS, ...asked].join(', '));
    res.setHeader('Access-Control-Max-Age', '600');
    res.writeHead(204);
    res.end();
    return;
  }

  const cap = Math.max(state.options.fileSizeLimit + MiB, 2 * MiB);
  let body;
  try {
    body = await readBody(req, cap);
  } catch {
    return; // client went away
  }
  record.bodySize = body.size;

  const ctx = makeCtx(state, req, res, { url, path, surface, requestId, signal, record });
  const matched = matchRoute(req.method, path);
  ctx.route = matched.route;
  record.route = matched.route;

  // JSON body (for stream detection and the handlers).
  const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
  ctx.json = contentType.includes('multipart/') ? { ok: false } : parseJson(body.buf);
  ctx.isStream = ['hatz.chat', 'openai.chat', 'openai.responses', 'anthropic.messages'].includes(matched.route)
    && ctx.json.ok && ctx.json.value?.stream === true;
  record.stream = ctx.isStream;

  const isApi = matched.route !== 'files.presigned';
  let keyForFault = null;

  if (isApi) {
    // 1. keys in the query string are refused (and never echoed).
    const qp = queryKeyParam(url);
    if (qp !== null) {
      const msg = surface === 'hatz'
        ? 'API keys must be sent in the X-API-Key header, never in the query string.'
        : 'API keys must be sent in a header (Authorization: Bearer or X-API-Key), never in the query string.';
      const r = surface === 'openai' ? openaiError(400, msg, 'invalid_request_error', 'api_key_in_query', qp)
        : surface === 'anthropic' ? anthropicError(400, 'invalid_request_error', msg)
        : hatz.detail(400, msg);
      record.auth = 'query';
      return ctx.sendJson(r.status, r.body);
    }
    // 2. authentication per surface.
    const auth = authOf(req);
    const authError = checkAuth(surface, auth, record);
    if (authError) return ctx.sendJson(authError.status, authError.body, authError.headers);
    ctx.key = record.auth === 'bearer' ? auth.bearer : auth.xkey;
    ctx.keyId = keyId(ctx.key);
    if (ctx.key.startsWith('test-fault-')) keyForFault = ctx.key.slice('test-fault-'.length);
  }

  // 3. faults (the header wins over a key-bound fault).
  const headerFault = req.headers['x-agentwire-fault'];
  const faultText = typeof headerFault === 'string' && headerFault.trim() ? headerFault : keyForFault;
  if (faultText) {
    const fromKey = faultText === keyForFault && !(typeof headerFault === 'string' && headerFault.trim());
    const spec = parseFaultSpec(faultText);
    const fault = findFault(spec.name);
    if (!fault) {
      const msg = fromKey
        ? 'The API key names an unknown fault (test-fault-<name>); GET /__faults lists them.'
        : `Unknown fault "${spec.name.slice(0, 80)}" in x-agentwire-fault; GET /__faults lists them.`;
      const r = genericError(surface, 400, msg);
      return ctx.sendJson(r.status, r.body);
    }
    if (fault.applies(ctx) && takeFaultSlot(state, spec, fault, faultText, matched)) {
      record.fault = spec.name;
      if (fault.respond) return fault.respond(ctx, spec.params);
      fault.modify(ctx, spec.params);
    }
  }

  if (ctx.slowHeadersMs) {
    if (!(await ctx.sleep(ctx.slowHeadersMs))) return;
  }

  // 4. rate limiting per key (API routes only).
  if (isApi) {
    const limited = applyRateLimit(ctx);
    if (limited) return limited;
  }

  if (body.tooLarge) {
    if (matched.route === 'files.upload') return ctx.sendJson(413, { detail: 'File too large' });
    const r = genericError(surface, 413, 'Request body too large');
    return ctx.sendJson(r.status, r.body);
  }

  // 5. the route itself.
  switch (matched.route) {
    case 'hatz.chat':
    case 'openai.chat':
    case 'openai.responses':
    case 'anthropic.messages':
      return handleChat(ctx);
    case 'workflows.run':
      return handleWorkflowRun(ctx);
    case 'workflows.get':
      return handleWorkflowGet(ctx, matched.jobId);
    case 'workflows.presign':
      return handlePresign(ctx);
    case 'files.upload':
      return handleUpload(ctx, body.buf, req.headers['content-type']);
    case 'files.presigned':
      return handlePresignedDownload(ctx, matched.token, url);
    case 'method-not-allowed': {
      const r = genericError(surface, 405, 'Method Not Allowed');
      return ctx.sendJson(r.status, r.body, { Allow: `${matched.allow}, OPTIONS` });
    }
    default: {
      const r = genericError(surface, 404, 'Not Found');
      return ctx.sendJson(r.status, r.body);
    }
  }
}

function checkAuth(surface, auth, record) {
  const gateway = surface !== 'hatz';
  if (gateway) {
    if (auth.xkey) {
      record.auth = 'x-api-key';
      return VALID_KEY_RE.test(auth.xkey) ? null : invalidKey(surface);
    }
    if (auth.scheme === 'bearer' && auth.bearer) {
      record.auth = 'bearer';
      return VALID_KEY_RE.test(auth.bearer) ? null : invalidKey(surface);
    }
    if (auth.scheme && auth.scheme !== 'bearer') {
      record.auth = auth.scheme;
      const msg = `Authorization scheme "${auth.scheme.slice(0, 20)}" is not supported; send the API key as Authorization: Bearer or X-API-Key.`;
      return surface === 'openai'
        ? openaiError(401, msg, 'invalid_request_error', 'invalid_api_key')
        : anthropicError(401, 'authentication_error', msg);
    }
    return surface === 'openai'
      ? openaiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or in the X-API-Key header.", 'invalid_request_error', null)
      : anthropicError(401, 'authentication_error', 'x-api-key header is required');
  }
  // Hatz REST: X-API-Key only.
  if (auth.xkey) {
    record.auth = 'x-api-key';
    return VALID_KEY_RE.test(auth.xkey) ? null : invalidKey(surface);
  }
  if (auth.scheme) {
    record.auth = auth.scheme;
    return hatz.detail(401, 'Hatz REST endpoints authenticate with the X-API-Key header; Authorization is only accepted by the /v1/openai and /v1/anthropic gateways.');
  }
  return hatz.detail(401, 'Not authenticated: missing X-API-Key header');
}

function invalidKey(surface) {
  if (surface === 'openai') {
    return openaiError(401, 'Incorrect API key provided. You can find your API key in your account settings.', 'invalid_request_error', 'invalid_api_key');
  }
  if (surface === 'anthropic') return anthropicError(401, 'authentication_error', 'invalid x-api-key');
  return hatz.detail(401, 'Invalid API key');
}

/** times=N / id=X accounting. Returns true when this request gets the fault. */
function takeFaultSlot(state, spec, fault, faultText, matched) {
  if (spec.params.times === undefined) return true;
  const times = Number(spec.params.times);
  if (!Number.isFinite(times) || times < 0) return true;
  let counterKey;
  if (spec.params.id !== undefined && spec.params.id !== true) counterKey = `id:${spec.params.id}`;
  else {
    const normalized = faultText.split(';').map((s) => s.trim()).filter((s) => !/^times=/i.test(s)).join(';').toLowerCase();
    counterKey = `spec:${normalized}`;
  }
  if (fault.perJob && !(spec.params.id !== undefined && spec.params.id !== true)) counterKey += `|job:${matched.jobId}`;
  const used = state.counters.get(counterKey) ?? 0;
  if (used >= times) return false;
  state.counters.set(counterKey, used + 1);
  return true;
}

function applyRateLimit(ctx) {
  const { state } = ctx;
  const override = parseRateLimitHeader(ctx.req.headers['x-agentwire-ratelimit']);
  const limit = override?.limit ?? state.options.rateLimit.limit;
  const windowMs = override?.windowMs ?? state.options.rateLimit.windowMs;
  const bucketKey = `${ctx.keyId}|${limit}|${windowMs}`;
  const now = ctx.now;
  let b = state.buckets.get(bucketKey);
  if (!b || now >= b.start + windowMs) {
    b = { start: now, count: 0 };
    state.buckets.set(bucketKey, b);
  }
  const resetMs = b.start + windowMs;
  const reset = String(Math.ceil(resetMs / 1000));
  if (b.count >= limit) {
    const retryAfter = Math.max(1, Math.ceil((resetMs - now) / 1000));
    const r = zazmicRateLimit({ retryAfter, limit, windowText: windowText(windowMs) });
    ctx.record.fault = ctx.record.fault ?? 'rate-limit-exhausted';
    return ctx.sendJson(r.status, r.body, {
      'Retry-After': String(retryAfter),
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': reset,
    });
  }
  b.count++;
  ctx.res.setHeader('X-RateLimit-Limit', String(limit));
  ctx.res.setHeader('X-RateLimit-Remaining', String(limit - b.count));
  ctx.res.setHeader('X-RateLimit-Reset', reset);
  return null;
}

function charge(ctx, cost) {
  const { state } = ctx;
  const prev = state.balances.get(ctx.keyId) ?? state.options.balance;
  const next = Math.max(0, prev - cost);
  state.balances.set(ctx.keyId, next);
  ctx.res.setHeader('X-Balance', next.toFixed(4));
  ctx.res.setHeader('X-Cost', cost.toFixed(4));
}

function makeCtx(state, req, res, fields) {
  const ctx = {
    state, req, res, ...fields,
    now: Date.now(),
    route: null,
    isStream: false,
    slowHeadersMs: 0,
    slowBodyMs: 0,
    streamFault: null,
    key: null,
    keyId: null,
    /** Resolves true after ms, false when the request or the server went away. */
    async sleep(ms) {
      if (ms <= 0) return !fields.signal.aborted;
      try {
        await sleepTimer(ms, undefined, { signal: fields.signal });
        return true;
      } catch {
        return false;
      }
    },
    async sendJson(status, body, headers = {}) {
      const text = JSON.stringify(body);
      return ctx.sendRaw(status, 'application/json', text, headers);
    },
    async sendRaw(status, contentType, text, headers = {}) {
      if (res.destroyed || res.headersSent) return;
      const buf = Buffer.from(text, 'utf8');
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      res.setHeader('Content-Type', contentType);
      res.setHeader('Content-Length', String(buf.length));
      res.writeHead(status);
      if (ctx.slowBodyMs > 0 && buf.length > 1) {
        const half = Math.floor(buf.length / 2);
        res.write(buf.subarray(0, half));
        if (!(await ctx.sleep(ctx.slowBodyMs))) {
          res.destroy();
          return;
        }
        res.end(buf.subarray(half));
        return;
      }
      res.end(buf);
    },
    hang() {
      fields.record.hung = true;
      // Never respond. The socket is destroyed by the client or by close().
    },
    resetSocket() {
      req.socket.destroy();
    },
  };
  return ctx;
}

// ---------------------------------------------------------------- admin

function handleAdmin(state, req, res, path) {
  const send = (status, body) => {
    const text = JSON.stringify(body, null, 2);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  req.resume();
  if (path === '/__log' && req.method === 'GET') return send(200, state.log);
  if (path === '/__reset' && req.method === 'POST') {
    state.reset();
    return send(200, { ok: true });
  }
  if (path === '/__faults' && req.method === 'GET') return send(200, { faults: listFaults(), patterns: FAULT_PATTERNS, params: FAULT_PARAMS });
  if (path === '/__health' && req.method === 'GET') return send(200, { ok: true });
  return send(404, { detail: 'Not Found' });
}

// ---------------------------------------------------------------- chat surfaces

function badJson(ctx) {
  const { surface } = ctx;
  const j = ctx.json;
  if (surface === 'openai') {
    const r = openaiError(400, 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload.)', 'invalid_request_error');
    return ctx.sendJson(r.status, r.body);
  }
  if (surface === 'anthropic') {
    const r = anthropicError(400, 'invalid_request_error', 'The request body is not valid JSON.');
    return ctx.sendJson(r.status, r.body);
  }
  const r = j.empty
    ? hatz.validation([hatz.missing()])
    : hatz.validation([hatz.invalid([0], `Invalid JSON: ${String(j.error).slice(0, 120)}`, 'value_error.jsondecode')]);
  return ctx.sendJson(r.status, r.body);
}

function notAnObject(ctx) {
  const r = ctx.surface === 'openai' ? openaiError(422, 'The request body must be a JSON object.', 'invalid_request_error')
    : ctx.surface === 'anthropic' ? anthropicError(422, 'invalid_request_error', 'The request body must be a JSON object.')
    : hatz.validation([hatz.invalid([], 'value is not a valid dict', 'type_error.dict')]);
  return ctx.sendJson(r.status, r.body);
}

async function handleChat(ctx) {
  if (!ctx.json.ok) return badJson(ctx);
  const body = ctx.json.value;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return notAnObject(ctx);
  const invalid = ctx.route === 'openai.responses' ? validateResponses(body)
    : ctx.route === 'anthropic.messages' ? validateAnthropic(body)
    : validateChat(body, ctx.surface);
  if (invalid) return ctx.sendJson(invalid.status, invalid.body);

  const crlf = ctx.streamFault?.kind === 'crlf';
  const a = answer(ctx.surface, ctx.route, body, { emoji: crlf });
  const { json, events } = render(ctx.route, a, ctx.now);
  charge(ctx, (a.promptTokens + a.completionTokens) * 0.0001);
  if (!ctx.isStream) return ctx.sendJson(200, json);
  return writeStream(ctx, events);
}

function streamDelay(ctx) {
  const h = ctx.req.headers['x-agentwire-delay-ms'];
  const n = Number(h);
  if (h !== undefined && Number.isFinite(n) && n >= 0) return Math.min(n, 60_000);
  return ctx.state.options.streamDelayMs;
}

function serializeEvent(e) {
  const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
  return `${e.event ? `event: ${e.event}\n` : ''}data: ${data}\n\n`;
}

function errorEvent(ctx, fault) {
  if (fault.kind === 'anthropic-error') {
    return { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } };
  }
  const message = STREAM_ERROR_CODES[fault.code] ?? fault.code.toLowerCase().replace(/_/g, ' ');
  return {
    event: 'error',
    data: { type: 'error', error: { code: fault.code, message }, timestamp: new Date().toISOString() },
  };
}

async function writeStream(ctx, events) {
  const { res } = ctx;
  const fault = ctx.streamFault;
  const deltaCount = events.filter((e) => e.kind === 'delta').length;
  let list = events;
  if (fault?.kind === 'truncate' || fault?.kind === 'error' || fault?.kind === 'anthropic-error') {
    const keep = fault.kind === 'truncate' ? Math.max(1, Math.floor(deltaCount / 2)) : Math.min(2, deltaCount);
    let seen = 0;
    list = [];
    for (const e of events) {
      if (e.kind === 'pre') list.push(e);
      else if (e.kind === 'delta' && seen < keep) {
        list.push(e);
        seen++;
      }
    }
    if (fault.kind !== 'truncate') list.push({ ...errorEvent(ctx, fault), kind: 'error' });
  }
  const crlf = fault?.kind === 'crlf';
  const delay = streamDelay(ctx);

  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Accel-Buffering', 'no');
  res.writeHead(200);
  res.flushHeaders();
  res.socket?.setNoDelay(true);

  let deltasWritten = 0;
  for (const e of list) {
    if (res.destroyed) return;
    if (e.kind === 'delta' && delay > 0) {
      if (!(await ctx.sleep(delay))) return;
    }
    const text = serializeEvent(e);
    if (crlf) {
      if (!(await writeSplit(ctx, Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8')))) return;
    } else {
      res.write(text);
    }
    if (e.kind === 'delta') {
      deltasWritten++;
      if (fault?.kind === 'stall' && deltasWritten === 1) {
        if (!(await ctx.sleep(fault.ms))) return;
      }
    }
  }
  res.end();
}

/** Write an event in two pieces: split inside the first multi-byte UTF-8 char, else between CR and LF. */
async function writeSplit(ctx, buf) {
  let at = buf.findIndex((b) => b >= 0xf0); // 4-byte lead (emoji)
  if (at < 0) at = buf.findIndex((b) => b >= 0xc0);
  at = at >= 0 ? at + 2 : buf.indexOf(0x0d) + 1;
  if (at <= 0 || at >= buf.length) {
    ctx.res.write(buf);
    return true;
  }
  ctx.res.write(buf.subarray(0, at));
  if (!(await ctx.sleep(2))) return false;
  ctx.res.write(buf.subarray(at));
  return true;
}

// ---------------------------------------------------------------- workflows

async function handleWorkflowRun(ctx) {
  if (!ctx.json.ok) return badJson(ctx);
  const body = ctx.json.value;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return notAnObject(ctx);
  const errs = [];
  if (body.app_id === undefined) errs.push(hatz.missing('app_id'));
  else if (typeof body.app_id !== 'string' || body.app_id === '') errs.push(hatz.invalid(['app_id'], 'str type expected', 'type_error.str'));
  if (body.inputs === undefined) errs.push(hatz.missing('inputs'));
  else if (!body.inputs || typeof body.inputs !== 'object' || Array.isArray(body.inputs)) errs.push(hatz.invalid(['inputs'], 'value is not a valid dict', 'type_error.dict'));
  if (body.is_draft_app !== undefined && typeof body.is_draft_app !== 'boolean') errs.push(hatz.invalid(['is_draft_app'], 'value could not be parsed to a boolean', 'type_error.bool'));
  if (errs.length) {
    const r = hatz.validation(errs);
    return ctx.sendJson(r.status, r.body);
  }
  const job = createJob({
    appId: body.app_id,
    inputs: body.inputs,
    isDraft: body.is_draft_app,
    userId: userIdFor(ctx.keyId),
    files: ctx.state.files,
    defaults: ctx.state.options.workflow,
    now: ctx.now,
  });
  ctx.state.jobs.set(job.job_id, job);
  charge(ctx, 0.05);
  return ctx.sendJson(200, { status: 'Workflow Job Invoked', job_id: job.job_id });
}

function handleWorkflowGet(ctx, jobId) {
  const job = ctx.state.jobs.get(jobId);
  if (!job) return ctx.sendJson(404, { detail: 'Job not found' });
  charge(ctx, 0);
  return ctx.sendJson(200, jobView(job, Date.now()));
}

function handlePresign(ctx) {
  if (!ctx.json.ok) return badJson(ctx);
  const body = ctx.json.value;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return notAnObject(ctx);
  const errs = [];
  if (body.job_id === undefined) errs.push(hatz.missing('job_id'));
  else if (typeof body.job_id !== 'string') errs.push(hatz.invalid(['job_id'], 'str type expected', 'type_error.str'));
  if (body.step_id === undefined) errs.push(hatz.missing('step_id'));
  else if (typeof body.step_id !== 'string') errs.push(hatz.invalid(['step_id'], 'str type expected', 'type_error.str'));
  if (body.expires_in !== undefined && (!Number.isInteger(body.expires_in) || body.expires_in < 1 || body.expires_in > 604800)) {
    errs.push(hatz.invalid(['expires_in'], 'ensure this value is an integer between 1 and 604800', 'value_error.number'));
  }
  if (errs.length) {
    const r = hatz.validation(errs);
    return ctx.sendJson(r.status, r.body);
  }
  const job = ctx.state.jobs.get(body.job_id);
  if (!job) return ctx.sendJson(404, { detail: 'Job not found' });
  const step = jobView(job, Date.now()).step_outputs.find((s) => s.step_id === body.step_id);
  if (!step) {
    if (!job.stepIds.includes(body.step_id)) return ctx.sendJson(404, { detail: 'Step not found' });
    return ctx.sendJson(404, { detail: 'Step output not found' });
  }
  if (step.output_data === null) return ctx.sendJson(404, { detail: 'Step output not found' });
  const expiresIn = body.expires_in ?? 3600;
  const token = hex(16);
  const signature = hex(32);
  ctx.state.presigned.set(token, { jobId: job.job_id, stepId: step.step_id, signature, expiresAt: Date.now() + expiresIn * 1000 });
  charge(ctx, 0);
  return ctx.sendJson(200, { url: `${ctx.state.baseUrl}/__files/${token}?X-Amz-Signature=${signature}`, expires_in: expiresIn });
}

function handlePresignedDownload(ctx, token, url) {
  const entry = ctx.state.presigned.get(token);
  if (!entry) return ctx.sendRaw(404, 'application/xml', s3Error('NoSuchKey', 'The specified key does not exist.'));
  if (url.searchParams.get('X-Amz-Signature') !== entry.signature) {
    return ctx.sendRaw(403, 'application/xml', s3Error('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'));
  }
  if (Date.now() > entry.expiresAt) return ctx.sendRaw(403, 'application/xml', s3Error('AccessDenied', 'Request has expired'));
  const job = ctx.state.jobs.get(entry.jobId);
  const step = job && jobView(job, Date.now()).step_outputs.find((s) => s.step_id === entry.stepId);
  if (!step) return ctx.sendRaw(404, 'application/xml', s3Error('NoSuchKey', 'The specified key does not exist.'));
  return ctx.sendRaw(200, 'text/plain; charset=utf-8', String(step.output_data), {
    'Content-Disposition': `attachment; filename="step-${step.step_id}.txt"`,
  });
}

// ---------------------------------------------------------------- files

function handleUpload(ctx, buf, contentType) {
  const boundary = boundaryOf(contentType);
  if (!boundary) {
    const r = hatz.validation([hatz.missing('file')]);
    return ctx.sendJson(r.status, r.body);
  }
  let parts;
  try {
    parts = parseMultipart(buf, boundary);
  } catch {
    return ctx.sendJson(400, { detail: 'There was an error parsing the body' });
  }
  const file = parts.find((p) => p.name === 'file' && p.filename !== null) ?? parts.find((p) => p.name === 'file');
  if (!file) {
    const r = hatz.validation([hatz.missing('file')]);
    return ctx.sendJson(r.status, r.body);
  }
  if (file.data.length > ctx.state.options.fileSizeLimit) return ctx.sendJson(413, { detail: 'File too large' });
  const field = (name) => {
    const p = parts.find((x) => x.name === name && x.filename === null);
    return p ? p.data.toString('utf8') : undefined;
  };
  const info = {
    file_uuid: randomUUID(),
    filename: file.filename ?? 'upload.bin',
    size: file.data.length,
    content_type: file.contentType ?? 'application/octet-stream',
  };
  const scopeType = field('scope_type');
  const scopeId = field('scope_id');
  if (scopeType !== undefined) info.scope_type = scopeType;
  if (scopeId !== undefined) info.scope_id = scopeId;
  ctx.state.files.set(info.file_uuid, {
    filename: info.filename,
    size: info.size,
    content_type: info.content_type,
    sha256: createHash('sha256').update(file.data).digest('hex'),
  });
  charge(ctx, 0);
  return ctx.sendJson(200, info);
}

// ---------------------------------------------------------------- CLI

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? a.split(/=(.*)/s) : [a, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--port') out.port = Number(value());
    else if (flag === '--host') out.host = value();
    else if (flag === '--help' || flag === '-h') out.help = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(err.message);
    process.exit(2);
  }
  if (args.help) {
    console.log('usage: node www/platform/server.mjs [--port N] [--host 127.0.0.1]');
    process.exit(0);
  }
  if (args.port !== undefined && (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)) {
    console.error('--port must be an integer 0-65535');
    process.exit(2);
  }
  try {
    const platform = await startPlatform({ port: args.port ?? 0, host: args.host ?? '127.0.0.1' });
    console.log(`agentwire-platform listening on ${platform.url}`);
    const stop = () => platform.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (err) {
    console.error(`agentwire-platform: ${err.message}`);
    process.exit(1);
  }
}
