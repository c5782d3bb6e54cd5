// One distinctive key through every path the client has; it must never appear in anything the
// client produces (results, errors, logs, reports, descriptions) or in what the platform saw
// outside the auth header (the logged URL, query, headers, request ids).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import util from "node:util";
import * as aw from "../../pkg/node.js";
import { startPlatform } from "../../www/platform/server.mjs";

const KEY = "test-canary-7f3a9c2e5b1d";
// Fragments a careless redactor might leave behind.
const FRAGMENTS = [KEY, "canary-7f3a9c2e5b1d", "7f3a9c2e5b1d", Buffer.from(KEY).toString("base64")];

let p;
const lines = [];
const logger = {
  debug: (m) => lines.push(String(m)),
  info: (m) => lines.push(String(m)),
  warn: (m) => lines.push(String(m)),
  error: (m) => lines.push(String(m)),
  log: (m) => lines.push(String(m)),
};
const produced = []; // every string the client handed back

function client(extra = {}) {
  return new aw.AgentClient({ baseUrl: p.url, apiKey: KEY, retryBaseDelayMs: 10, retryMaxDelayMs: 50,
    logger, logLevel: "debug", logBodies: true, ...extra });
}
const CHAT = { model: "m", messages: [{ role: "user", content: "canary check" }] };
const fault = (f) => ({ headers: { "x-agentwire-fault": f } });

function clean(text, where) {
  for (const f of FRAGMENTS) assert.ok(!String(text).includes(f), `${where} contains the key (${f}): ${String(text).slice(0, 300)}`);
}

/** Records everything observable about an error. */
function record(e, c, where) {
  assert.ok(e instanceof Error, `${where}: expected an error`);
  const parts = {
    message: e.message, stack: String(e.stack), json: JSON.stringify(e), inspect: util.inspect(e, { depth: 10 }),
    string: String(e), clientReport: JSON.stringify(c.supportReport(e)),
    secretsReport: JSON.stringify(aw.supportReport(e, { secrets: [KEY] })),
    plainReport: JSON.stringify(aw.supportReport(e, { client: c })),
  };
  for (const [k, v] of Object.entries(parts)) { clean(v, `${where} ${k}`); produced.push(v); }
  return e;
}

async function expectError(promise, c, where) {
  try {
    const v = await promise;
    produced.push(JSON.stringify(v));
  } catch (e) {
    return record(e, c, where);
  }
  assert.fail(`${where}: expected an error`);
}

before(async () => { p = await startPlatform({ port: 0, rateLimit: { limit: 100_000, windowMs: 60_000 } }); });
after(async () => {
  await p.close();
});

test("successful calls on every surface", async () => {
  const c = client();
  const r1 = await c.chat.completions(CHAT);
  const r2 = await c.openai.responses({ model: "m", input: "canary check" });
  const r3 = await c.anthropic.messages({ model: "m", max_tokens: 64, messages: [{ role: "user", content: "canary check" }] });
  const up = await c.files.upload(new TextEncoder().encode("a,b\n1,2\n"), { filename: "x.csv", contentType: "text/csv" });
  const job = await c.workflows.runAndWait("steps-2-ms-20-pending-ms-0", { f: up.fileUuid }, { pollIntervalMs: 30 });
  const url = await c.workflows.outputUrl(job.job_id, job.step_outputs[0].step_id);
  const raw = await c.request({ path: `/v1/workflows/${job.job_id}`, query: { verbose: "1" } });
  for (const r of [r1, r2, r3, up, job, url, raw]) { const s = JSON.stringify(r); clean(s, "result"); produced.push(s); }
  clean(util.inspect(r1, { depth: 10 }), "inspect(result)");
});

test("streams on every surface, complete and cut short", async () => {
  const c = client();
  for (const s of [
    await c.chat.completions({ ...CHAT, stream: true }),
    await c.openai.responses({ model: "m", input: "canary check", stream: true }),
    await c.anthropic.messages({ model: "m", max_tokens: 64, stream: true, messages: [{ role: "user", content: "canary check" }] }),
  ]) {
    clean(JSON.stringify(s.meta), "stream meta");
    for await (const ev of s) { const t = JSON.stringify(ev); clean(t, "stream event"); produced.push(t); }
  }
  for (const f of ["mid-stream-error", "mid-stream-error-insufficient-balance", "mid-stream-error-rate-limit-exceeded", "truncated-stream"]) {
    const s = await c.chat.completions({ ...CHAT, stream: true }, fault(f));
    await expectError((async () => { for await (const ev of s) produced.push(JSON.stringify(ev)); })(), c, f);
  }
  const s = await c.anthropic.messages({ model: "m", max_tokens: 64, stream: true, messages: [{ role: "user", content: "a b c d" }] }, fault("anthropic-stream-error"));
  await expectError(s.text(), c, "anthropic-stream-error");
  const st = await client({ streamIdleTimeoutMs: 200 }).chat.completions({ ...CHAT, stream: true }, fault("stall-stream;ms=1000"));
  await expectError(st.text(), c, "stall-stream");
  const ac = new AbortController();
  const sa = await c.chat.completions({ model: "m", stream: true, messages: [{ role: "user", content: "one two three four five six" }] }, { signal: ac.signal, headers: { "x-agentwire-delay-ms": "50" } });
  await expectError((async () => { for await (const ev of sa) { ac.abort(); } })(), c, "stream abort");
});

test("every error kind the platform produces", async () => {
  const c = client({ maxRetries: 1, maxRetryAfterMs: 200 });
  const faults = [
    "status-400", "status-401", "status-403", "status-404", "status-409", "status-410", "status-413", "status-422",
    "status-429", "status-500", "status-502", "status-503", "status-504", "status-529",
    "html-502", "text-503", "credit-overage", "insufficient-balance", "heylock-balance",
    "rate-limit;retry-after=5", "rate-limit;no-retry-after;retry-after=5",
    "dialect-zazmic-400", "dialect-zazmic-401", "dialect-zazmic-403", "dialect-zazmic-404", "dialect-zazmic-500",
    "dialect-heylock-400-missing-agent-key", "dialect-heylock-401", "dialect-heylock-402", "dialect-heylock-502",
    "dialect-agntix-SESSION_NOT_FOUND", "dialect-agntix-SESSION_EXPIRED", "dialect-agntix-UNAUTHORIZED",
    "dialect-agntix-ABORT_ERROR", "dialect-agntix-CONFLICT", "dialect-agntix-409",
    "dialect-openai-401", "dialect-openai-429-quota", "dialect-openai-429-rate",
    "dialect-anthropic-401", "dialect-anthropic-529", "dialect-hatz-422", "dialect-hatz-429",
    "reset", "bogus-fault-name",
  ];
  const kinds = new Set();
  for (const f of faults) {
    // A fresh client per fault: a 429's X-RateLimit-Reset would otherwise pace the next calls.
    const fc = client({ maxRetries: 1, maxRetryAfterMs: 200 });
    const e = await expectError(fc.chat.completions(CHAT, fault(f)), fc, f);
    kinds.add(e.kind);
  }
  // GET-only faults and the gateways
  const { jobId } = await c.workflows.run("steps-1-ms-10-pending-ms-0", {});
  kinds.add((await expectError(c.workflows.get(jobId, fault("job-not-found")), c, "job-not-found")).kind);
  kinds.add((await expectError(c.workflows.get("no-such-job"), c, "unknown job")).kind);
  kinds.add((await expectError(c.openai.responses({ model: "m" }), c, "openai 422")).kind);
  kinds.add((await expectError(c.anthropic.messages({ model: "m", messages: [] }), c, "anthropic 422")).kind);
  kinds.add((await expectError(c.chat.completions({ model: "m" }), c, "hatz 422")).kind);
  kinds.add((await expectError(c.workflows.runAndWait("steps-2-ms-20-pending-ms-0-fail-at-2", {}, { pollIntervalMs: 30 }), c, "job failed")).kind);
  kinds.add((await expectError(c.workflows.runAndWait("stays-pending", {}, { pollIntervalMs: 30, timeoutMs: 200 }), c, "wait timeout")).kind);
  // A wrong key: the message must not quote the (other) key either.
  const other = new aw.AgentClient({ baseUrl: p.url, apiKey: "wrong-canary-7f3a9c2e5b1d", logger, logLevel: "debug" });
  const wrong = await expectError(other.chat.completions(CHAT), other, "wrong key");
  kinds.add(wrong.kind);
  assert.ok(!JSON.stringify(wrong).includes("wrong-canary"), "the wrong key is not quoted");
  for (const k of ["validation", "authentication", "permission", "not_found", "conflict", "rate_limited", "quota", "server", "unavailable", "session_expired", "job_failed", "timeout", "network"]) {
    assert.ok(kinds.has(k), `covered kind ${k} (got ${[...kinds]})`);
  }
});

test("retries, timeouts and aborts", async () => {
  const c = client();
  produced.push(JSON.stringify(await c.workflows.get((await c.workflows.run("steps-1", {})).jobId, fault("status-503;times=2;id=canary-r"))));
  await expectError(client({ timeoutMs: 150, maxRetries: 1 }).workflows.get("x", fault("slow-headers;ms=1000")), c, "slow headers");
  await expectError(client({ timeoutMs: 150, maxRetries: 0 }).chat.completions(CHAT, fault("slow-body;ms=1000")), c, "slow body");
  await expectError(client({ maxRetries: 5 }).workflows.get("x", { deadlineMs: 300, ...fault("storm") }), c, "deadline storm");
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  await expectError(c.workflows.get("x", { signal: ac.signal, ...fault("hang") }), c, "abort hang");
  const ac2 = new AbortController();
  setTimeout(() => ac2.abort(new Error(`reason with ${KEY}`)), 100);
  await expectError(client().workflows.get("x", { signal: ac2.signal, ...fault("rate-limit;retry-after=5") }), c, "abort sleep");
  const cb = client({ maxRetries: 0, circuitBreaker: { threshold: 1, windowMs: 1000, cooldownMs: 1000 } });
  await expectError(cb.workflows.get("x", fault("status-500")), cb, "breaker trip");
  await expectError(cb.workflows.get("x"), cb, "breaker open");
});

test("validation errors never quote the key", async () => {
  const c = client();
  const cases = [
    () => new aw.AgentClient({ baseUrl: `${p.url}/?api_key=${KEY}`, apiKey: KEY }),
    () => new aw.AgentClient({ baseUrl: `http://u:${KEY}@127.0.0.1:1`, apiKey: KEY }),
    () => new aw.AgentClient({ baseUrl: p.url, apiKey: KEY, headers: { "x-k": `Bearer ${KEY}` } }),
    () => new aw.AgentClient({ baseUrl: p.url, apiKey: KEY, [KEY]: 1 }),
    () => new aw.AgentClient({ baseUrl: p.url, apiKey: KEY, timeoutMs: KEY }),
    () => new aw.AgentClient({ baseUrl: KEY, apiKey: KEY }),
  ];
  for (const [i, f] of cases.entries()) {
    let err;
    try { f(); } catch (e) { err = e; }
    assert.ok(err, `case ${i} throws`);
    record(err, c, `option case ${i}`);
  }
  const n = p.log.length;
  await expectError(c.workflows.get("x", { requestId: `r-${KEY}` }), c, "requestId with key");
  await expectError(c.request({ path: `/v1/workflows/${KEY}` }), c, "key in path");
  await expectError(c.request({ path: "/v1/workflows/x", query: { q: KEY } }), c, "key in query");
  await expectError(c.workflows.get("x", { headers: { "x-other": KEY } }), c, "key in call header");
  assert.equal(p.log.length, n, "none of these reached the platform");
});

test("an idempotencyKey carrying the key is refused before any request", async () => {
  const q = await startPlatform({ port: 0 });
  try {
    const c = new aw.AgentClient({ baseUrl: q.url, apiKey: KEY, retryBaseDelayMs: 10, retryMaxDelayMs: 50 });
    let err;
    try { await c.chat.completions(CHAT, { idempotencyKey: `idem-${KEY}` }); } catch (e) { err = e; }
    assert.equal(q.log.length, 0, `the request reached the platform with idempotency-key ${q.log[0] && q.log[0].headers["idempotency-key"]}`);
    assert.ok(err instanceof aw.AgentError && err.kind === "validation");
    clean(JSON.stringify(err), "idempotency validation error");
  } finally { await q.close(); }
});

test("client descriptions", () => {
  const c = client();
  for (const [k, v] of Object.entries({ string: String(c), template: `${c}`, json: JSON.stringify(c), inspect: util.inspect(c, { depth: 10, showHidden: true }),
    toJSON: JSON.stringify(c.toJSON()), keys: JSON.stringify(Object.keys(c)), chat: util.inspect(c.chat) })) {
    clean(v, `client ${k}`);
  }
  assert.equal(c.toJSON().apiKey, "[redacted]");
});

test("reports with secrets held outside a client", () => {
  const e = new aw.AgentError({ kind: "server", message: `upstream said key=${KEY}`, requestId: "req-1", details: { auth: `Bearer ${KEY}` } });
  const r = aw.supportReport(e, { secrets: [KEY], baseUrl: `https://x.example/?k=${KEY}` });
  clean(JSON.stringify(r), "supportReport(secrets)");
  assert.ok(r.text.includes("req-1"));
  const c = client();
  clean(JSON.stringify(c.supportReport(e)), "client.supportReport");
  clean(JSON.stringify(c.supportReport(new Error(`plain ${KEY}`))), "client.supportReport(Error)");
  clean(JSON.stringify(c.supportReport(`string ${KEY}`)), "client.supportReport(string)");
});

test("the platform never saw the key outside the auth header; logs and outputs are clean", () => {
  assert.ok(p.log.length > 50, `platform saw ${p.log.length} requests`);
  for (const rec of p.log) {
    clean(rec.path, "logged path");
    clean(JSON.stringify(rec.query), "logged query");
    clean(rec.requestId ?? "", "logged request id");
    const { "x-api-key": _x, authorization: _a, ...rest } = rec.headers;
    clean(JSON.stringify(rest), "logged headers");
  }
  assert.ok(lines.length > 20, `logger captured ${lines.length} lines`);
  assert.ok(lines.some((l) => /retry/i.test(l)), "retries were logged");
  for (const l of lines) clean(l, "log line");
  for (const s of produced) clean(s, "output");
});
