// AgentClient transport behaviour against the local fake platform: retries, Retry-After,
// network failures, timeouts, aborts, deadlines, paid-request safety, rate-limit pacing, the
// circuit breaker, request ids and option validation.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import * as aw from "../../pkg/node.js";
import { startPlatform } from "../../www/platform/server.mjs";

const KEY = "test-client-4d2e8a1b";
const CHAT = { model: "m", messages: [{ role: "user", content: "hello transport" }] };

let p;
let jobId;
let uid = 0;
const id = (prefix) => `${prefix}-${process.pid}-${++uid}`;

function client(extra = {}) {
  return new aw.AgentClient({ baseUrl: p.url, apiKey: KEY, retryBaseDelayMs: 10, retryMaxDelayMs: 50, ...extra });
}
const fault = (f) => ({ headers: { "x-agentwire-fault": f } });

/** Awaits a promise expected to reject; returns the rejection. */
async function rejects(promise) {
  try {
    const v = await promise;
  } catch (e) {
    return e;
  }
  assert.fail("expected the call to reject");
}

function assertAgentError(e, kind) {
  assert.ok(e instanceof aw.AgentError, `expected AgentError, got ${e && e.constructor && e.constructor.name}: ${e && e.message}`);
  assert.equal(e.kind, kind, `kind (message: ${e.message})`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  p = await startPlatform({ port: 0, rateLimit: { limit: 100_000, windowMs: 60_000 } });
  const c = client();
  ({ jobId } = await c.workflows.run("steps-1-ms-10-pending-ms-0", {}));
});
after(async () => { await p.close(); });

describe("retryable statuses", () => {
  for (const status of [408, 429, 500, 502, 503, 504, 529]) {
    test(`GET retried after ${status} and succeeds on attempt 2`, async () => {
      const n = p.log.length;
      const job = await client().workflows.get(jobId, fault(`status-${status};times=1;id=${id("rs" + status)}`));
      assert.equal(job.job_id, jobId);
      assert.equal(job.meta.attempts, 2);
      assert.equal(job.meta.status, 200);
      const mine = p.log.slice(n);
      assert.deepEqual(mine.map((r) => r.status), [status, 200]);
    });
    test(`client.request({path}) retried after ${status}`, async () => {
      const r = await client().request({ path: `/v1/workflows/${jobId}`, ...fault(`status-${status};times=1;id=${id("rq" + status)}`) });
      assert.equal(r.status, 200);
      assert.equal(r.meta.attempts, 2);
      assert.equal(r.data.job_id, jobId);
    });
  }
});

describe("non-retryable statuses", () => {
  const kinds = { 400: "validation", 401: "authentication", 403: "permission", 404: "not_found", 409: "conflict", 422: "validation" };
  for (const [status, kind] of Object.entries(kinds)) {
    test(`${status} → ${kind}, one attempt`, async () => {
      const n = p.log.length;
      const e = await rejects(client().workflows.get(jobId, fault(`status-${status};times=1;id=${id("nr" + status)}`)));
      assertAgentError(e, kind);
      assert.equal(e.status, Number(status));
      assert.equal(e.retryable, false);
      assert.equal(e.meta.attempts, 1);
      assert.equal(p.log.length - n, 1);
      assert.ok(e.requestId, "error carries the request id");
    });
  }
});

describe("Retry-After", () => {
  const forms = [
    ["rate-limit;retry-after=1", 1000],
    ["rate-limit;retry-after-ms=120", 120],
    ["rate-limit;retry-after-date=1", 1], // HTTP-dates have 1 s resolution: the wait is 0–1000 ms
    ["rate-limit;body-retry-after=1", 1000],
  ];
  for (const [f, ms] of forms) {
    test(`${f} is honoured`, async () => {
      const c = client(); // fresh client: pacing state from one test must not leak into another
      const t0 = Date.now();
      const job = await c.workflows.get(jobId, fault(`${f};times=1;id=${id("ra")}`));
      const elapsed = Date.now() - t0;
      assert.equal(job.meta.attempts, 2);
      assert.ok(elapsed >= ms - 20, `elapsed ${elapsed} ms should be ≥ ${ms} ms`);
      assert.ok(job.meta.waitedMs >= ms - 20, `waitedMs ${job.meta.waitedMs}`);
      assert.ok(elapsed < 3000, `elapsed ${elapsed} ms`);
    });
  }

  test("Retry-After beyond maxRetryAfterMs returns the error at once with retryAfterMs", async () => {
    const c = client({ maxRetryAfterMs: 300 });
    const n = p.log.length;
    const t0 = Date.now();
    const e = await rejects(c.workflows.get(jobId, fault(`rate-limit;retry-after=1;times=1;id=${id("mra")}`)));
    const elapsed = Date.now() - t0;
    assertAgentError(e, "rate_limited");
    assert.equal(e.retryAfterMs, 1000);
    assert.equal(e.retryable, true);
    assert.equal(e.meta.attempts, 1);
    assert.equal(p.log.length - n, 1);
    assert.ok(elapsed < 300, `returned after ${elapsed} ms`);
  });
});

describe("network failures", () => {
  test("reset fault on GET → network after all retries", async () => {
    const n = p.log.length;
    const e = await rejects(client().workflows.get(jobId, fault("reset")));
    assertAgentError(e, "network");
    assert.equal(e.meta.attempts, 3);
    assert.equal(p.log.length - n, 3);
  });

  test("closed port on 127.0.0.1 → network after retries", async () => {
    const srv = net.createServer();
    await new Promise((r) => srv.listen(0, "127.0.0.1", r));
    const port = srv.address().port;
    await new Promise((r) => srv.close(r));
    const c = new aw.AgentClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: KEY, retryBaseDelayMs: 10, retryMaxDelayMs: 50 });
    const e = await rejects(c.workflows.get("job-1"));
    assertAgentError(e, "network");
    assert.equal(e.meta.attempts, 3);
    assert.ok(!e.message.includes(KEY));
  });
});

describe("timeouts", () => {
  test("slow headers beyond timeoutMs → timeout", async () => {
    const t0 = Date.now();
    const e = await rejects(client({ timeoutMs: 250, maxRetries: 0 }).workflows.get(jobId, fault("slow-headers;ms=1500")));
    assertAgentError(e, "timeout");
    assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
  });

  test("slow body beyond timeoutMs → timeout", async () => {
    const t0 = Date.now();
    const e = await rejects(client({ timeoutMs: 250, maxRetries: 0 }).workflows.get(jobId, fault("slow-body;ms=1500")));
    assertAgentError(e, "timeout");
    assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
  });

  test("slow body on a chat completion → timeout", async () => {
    const e = await rejects(client({ timeoutMs: 250 }).chat.completions(CHAT, fault("slow-body;ms=1500")));
    assertAgentError(e, "timeout");
  });

  test("per-call timeoutMs overrides the client's", async () => {
    const e = await rejects(client({ maxRetries: 0 }).workflows.get(jobId, { timeoutMs: 200, ...fault("slow-headers;ms=1500") }));
    assertAgentError(e, "timeout");
  });
});

describe("aborts", () => {
  test("abort during a hanging request → aborted promptly, nothing more sent", async () => {
    const ac = new AbortController();
    const n = p.log.length;
    let abortedAt;
    setTimeout(() => { abortedAt = Date.now(); ac.abort(); }, 150);
    const e = await rejects(client().workflows.get(jobId, { signal: ac.signal, ...fault("hang") }));
    const lag = Date.now() - abortedAt;
    assertAgentError(e, "aborted");
    assert.ok(lag < 200, `settled ${lag} ms after abort`);
    const count = p.log.length - n;
    assert.equal(count, 1);
    await sleep(300);
    assert.equal(p.log.length - n, count, "no request after the abort");
  });

  test("abort during a backoff sleep (long Retry-After) → aborted promptly, no re-send", async () => {
    const ac = new AbortController();
    const n = p.log.length;
    let abortedAt;
    setTimeout(() => { abortedAt = Date.now(); ac.abort(); }, 200);
    const e = await rejects(client().workflows.get(jobId, { signal: ac.signal, ...fault(`rate-limit;retry-after=5;times=1;id=${id("ab")}`) }));
    const lag = Date.now() - abortedAt;
    assertAgentError(e, "aborted");
    assert.ok(lag < 200, `settled ${lag} ms after abort`);
    assert.equal(p.log.length - n, 1);
    await sleep(300);
    assert.equal(p.log.length - n, 1, "no request after the abort");
  });

  test("an already-aborted signal sends nothing", async () => {
    const n = p.log.length;
    const e = await rejects(client().workflows.get(jobId, { signal: AbortSignal.abort() }));
    assertAgentError(e, "aborted");
    assert.equal(p.log.length, n);
  });
});

describe("deadline", () => {
  test("deadlineMs bounds a storm of 5xx across retries", async () => {
    const c = client({ maxRetries: 10, retryBaseDelayMs: 50, retryMaxDelayMs: 200 });
    const t0 = Date.now();
    const e = await rejects(c.workflows.get(jobId, { deadlineMs: 600, ...fault("storm") }));
    const elapsed = Date.now() - t0;
    assert.ok(e instanceof aw.AgentError);
    assert.ok(["server", "unavailable", "timeout"].includes(e.kind), e.kind);
    assert.ok(elapsed <= 600 + 250, `settled after ${elapsed} ms`);
    assert.ok(e.meta.attempts >= 2, `attempts ${e.meta.attempts}`);
  });

  test("deadlineMs shorter than a hang → timeout at the deadline", async () => {
    const t0 = Date.now();
    const e = await rejects(client({ timeoutMs: 5000 }).workflows.get(jobId, { deadlineMs: 300, ...fault("hang") }));
    assertAgentError(e, "timeout");
    assert.ok(Date.now() - t0 < 300 + 250, `took ${Date.now() - t0}`);
  });
});

describe("paid requests", () => {
  test("a chat completion is NOT re-sent after a 500", async () => {
    const n = p.log.length;
    const e = await rejects(client().chat.completions(CHAT, fault(`status-500;times=1;id=${id("p500")}`)));
    assertAgentError(e, "server");
    assert.equal(e.status, 500);
    assert.equal(e.meta.attempts, 1);
    assert.equal(p.log.length - n, 1);
  });

  test("a chat completion IS re-sent after a 503", async () => {
    const n = p.log.length;
    const r = await client().chat.completions(CHAT, fault(`status-503;times=1;id=${id("p503")}`));
    assert.equal(r.choices[0].message.content, "echo: hello transport");
    assert.equal(r.meta.attempts, 2);
    assert.equal(p.log.length - n, 2);
  });

  test("a chat completion IS re-sent after a non-quota 429", async () => {
    const r = await client().chat.completions(CHAT, fault(`status-429;times=1;id=${id("p429")}`));
    assert.equal(r.meta.attempts, 2);
    const r2 = await client().chat.completions(CHAT, fault(`rate-limit;retry-after-ms=50;times=1;id=${id("p429b")}`));
    assert.equal(r2.meta.attempts, 2);
  });

  test("a quota 429 (credit overage) is not re-sent", async () => {
    const n = p.log.length;
    const e = await rejects(client().chat.completions(CHAT, fault("credit-overage")));
    assertAgentError(e, "quota");
    assert.equal(e.retryable, false);
    assert.equal(p.log.length - n, 1);
  });

  test("a paid POST after a reset (may have reached the server) is not re-sent", async () => {
    const n = p.log.length;
    const e = await rejects(client().chat.completions(CHAT, fault("reset")));
    assertAgentError(e, "network");
    assert.equal(p.log.length - n, 1);
  });

  test("with idempotencyKey a POST is re-sent after 500 and carries Idempotency-Key", async () => {
    const n = p.log.length;
    const r = await client().chat.completions(CHAT, { idempotencyKey: "idem-7f00aa", ...fault(`status-500;times=1;id=${id("pid")}`) });
    assert.equal(r.meta.attempts, 2);
    const mine = p.log.slice(n);
    assert.equal(mine.length, 2);
    for (const rec of mine) assert.equal(rec.headers["idempotency-key"], "idem-7f00aa");
  });

  test("retryPaidRequests opts in to re-sending after a 500", async () => {
    const r = await client({ retryPaidRequests: true }).chat.completions(CHAT, fault(`status-500;times=1;id=${id("prp")}`));
    assert.equal(r.meta.attempts, 2);
  });
});

describe("rate-limit pacing", () => {
  test("after remaining hits 0 the next call waits for the reset (header override)", async () => {
    const c = new aw.AgentClient({ baseUrl: p.url, apiKey: "test-pacing-hdr", retryBaseDelayMs: 10, retryMaxDelayMs: 50,
      headers: { "x-agentwire-ratelimit": "limit=2;window-ms=1000" } });
    const n = p.log.length;
    const a = await c.workflows.get(jobId);
    const b = await c.workflows.get(jobId);
    assert.equal(b.meta.rateLimit.remaining, 0);
    const t0 = Date.now();
    const d = await c.workflows.get(jobId);
    assert.equal(d.meta.attempts, 1);
    assert.ok(d.meta.waitedMs > 0, "the third call waited");
    assert.ok(Date.now() + 50 >= b.meta.rateLimit.resetAt || Date.now() - t0 > 0);
    assert.ok(a.meta.rateLimit.remaining === 1);
    const statuses = p.log.slice(n).map((r) => r.status);
    assert.ok(!statuses.includes(429), `statuses ${statuses}`);
    assert.equal(statuses.length, 3);
  });

  test("startPlatform({rateLimit}) window: no 429 reaches the client", async () => {
    const q = await startPlatform({ port: 0, rateLimit: { limit: 2, windowMs: 1000 } });
    try {
      const c = new aw.AgentClient({ baseUrl: q.url, apiKey: "test-pacing-opt", retryBaseDelayMs: 10, retryMaxDelayMs: 50 });
      const { jobId: j } = await c.workflows.run("steps-1-ms-10-pending-ms-0", {});
      const before = await c.workflows.get(j);
      assert.equal(before.meta.rateLimit.remaining, 0);
      const paced = await c.workflows.get(j);
      assert.ok(paced.meta.waitedMs > 0, "the call waited for the window");
      assert.equal(paced.meta.attempts, 1);
      const statuses = q.log.map((r) => r.status);
      assert.equal(statuses.length, 3);
      assert.ok(!statuses.includes(429), `statuses ${statuses}`);
    } finally { await q.close(); }
  });
});

describe("circuit breaker", () => {
  test("opens after 3 failures: the next call fails fast with CIRCUIT_OPEN, nothing sent", async () => {
    const c = client({ maxRetries: 0, circuitBreaker: { threshold: 3, windowMs: 10_000, cooldownMs: 500 } });
    const n = p.log.length;
    for (let i = 0; i < 3; i++) {
      const e = await rejects(c.workflows.get(jobId, fault("storm")));
      assert.ok(["server", "unavailable"].includes(e.kind));
    }
    assert.equal(p.log.length - n, 3);
    const t0 = Date.now();
    const e = await rejects(c.workflows.get(jobId, fault("storm")));
    assertAgentError(e, "unavailable");
    assert.equal(e.code, "CIRCUIT_OPEN");
    assert.ok(e.retryAfterMs > 0 && e.retryAfterMs <= 500);
    assert.ok(Date.now() - t0 < 50);
    assert.equal(p.log.length - n, 3, "no request sent while open");
    // After the cooldown one probe goes through; success closes the breaker.
    await sleep(550);
    const job = await c.workflows.get(jobId);
    assert.equal(job.job_id, jobId);
    const job2 = await c.workflows.get(jobId);
    assert.equal(job2.meta.attempts, 1);
  });
});

describe("request ids", () => {
  test("a generated id is well-formed and equals the X-Request-ID the server logged", async () => {
    const n = p.log.length;
    const job = await client().workflows.get(jobId);
    assert.match(job.meta.requestId, /^[A-Za-z0-9._:-]{8,128}$/);
    const rec = p.log[n];
    assert.equal(rec.requestId, job.meta.requestId);
    assert.equal(rec.headers["x-request-id"], job.meta.requestId);
  });

  test("ids differ between calls; retries keep the same id", async () => {
    const c = client();
    const a = await c.workflows.get(jobId);
    const b = await c.workflows.get(jobId);
    assert.notEqual(a.meta.requestId, b.meta.requestId);
    const n = p.log.length;
    const r = await c.workflows.get(jobId, fault(`status-503;times=1;id=${id("rid")}`));
    const ids = p.log.slice(n).map((x) => x.requestId);
    assert.equal(ids.length, 2);
    assert.equal(ids[0], ids[1]);
    assert.equal(r.meta.requestId, ids[0]);
  });

  test("a caller's requestId is sent as is", async () => {
    const n = p.log.length;
    const job = await client().workflows.get(jobId, { requestId: "caller-req:42.a_b" });
    assert.equal(p.log[n].requestId, "caller-req:42.a_b");
    assert.equal(job.meta.requestId, "caller-req:42.a_b");
  });

  test("a requestId with '@' or the key is refused before any request", async () => {
    const n = p.log.length;
    for (const rid of ["user@example.com", `x-${KEY}`, KEY]) {
      const e = await rejects(client().workflows.get(jobId, { requestId: rid }));
      assertAgentError(e, "validation");
      assert.ok(!e.message.includes(KEY));
      assert.ok(!JSON.stringify(e).includes(KEY));
    }
    assert.equal(p.log.length, n);
  });
});

describe("options validation", () => {
  const cases = [
    ["unknown option", { fooBarOption: 1 }, "fooBarOption"],
    ["wrong type", { timeoutMs: "soon" }, "timeoutMs"],
    ["wrong type (maxRetries)", { maxRetries: "3" }, "maxRetries"],
    ["http:// non-loopback baseUrl", { baseUrl: "http://api.example.com" }, "baseUrl"],
    ["key in baseUrl query", { baseUrl: "https://api.example.com/?api_key=" + KEY }, "baseUrl"],
    ["CR/LF in a header value", { headers: { "x-extra": "a\r\nInjected: 1" } }, "headers"],
    ["user:pass@ in baseUrl", { baseUrl: "https://user:pass@api.example.com" }, "baseUrl"],
    ["key in a header value", { headers: { "x-extra": KEY } }, "headers"],
    ["bad auth scheme", { auth: "basic" }, "auth"],
  ];
  for (const [name, opts, option] of cases) {
    test(`${name} → validation naming ${option}`, () => {
      let err;
      try { new aw.AgentClient({ baseUrl: p.url, apiKey: KEY, ...opts }); } catch (e) { err = e; }
      assert.ok(err, "constructor must throw");
      assertAgentError(err, "validation");
      assert.ok(err.message.includes(option), `message names ${option}: ${err.message}`);
      assert.ok(!err.message.includes(KEY), "message never contains the key");
      assert.ok(!JSON.stringify(err).includes(KEY));
      assert.ok(!String(err.stack).includes(KEY));
    });
  }

  test("an unknown option that is itself the key is not quoted", () => {
    let err;
    try { new aw.AgentClient({ baseUrl: p.url, apiKey: KEY, [KEY]: true }); } catch (e) { err = e; }
    assertAgentError(err, "validation");
    assert.ok(!err.message.includes(KEY));
  });

  test("http:// to loopback is allowed", () => {
    assert.doesNotThrow(() => new aw.AgentClient({ baseUrl: "http://127.0.0.1:9", apiKey: KEY }));
    assert.doesNotThrow(() => new aw.AgentClient({ baseUrl: "http://localhost:9", apiKey: KEY }));
  });
});
