// The end-to-end scenario list, shared by every runtime (Node, workerd, a Chromium page, an MV3
// extension's service worker and popup). It never imports agentwire itself: each runtime entry
// imports the package the way a user would and passes the module namespace in, so the same
// list exercises each export condition ("node", "workerd", "browser", "./manual").
//
// Every scenario makes a real fetch to the local platform server (www/platform/server.mjs) and
// returns { name, ok, detail, ms }. Nothing here throws: a failure is a result.

const SCENARIO_TIMEOUT_MS = 10_000;
const PARALLEL = 4;

class Check extends Error {}

function assert(cond, message) {
  if (!cond) throw new Check(message);
}

function eq(actual, expected, what) {
  assert(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function describeError(e) {
  if (e instanceof Check) return e.message;
  if (e && typeof e === "object") {
    const parts = [`${e.name || "Error"}: ${e.message}`];
    if (e.kind) parts.push(`kind=${e.kind}`);
    if (e.code) parts.push(`code=${e.code}`);
    if (e.status !== undefined) parts.push(`status=${e.status}`);
    return parts.join(" ");
  }
  return String(e);
}

function withTimeout(promise, ms, name) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Check(`${name}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs fn expecting it to reject; returns the rejection (or fails the scenario). */
async function rejection(fn, what) {
  try {
    const value = await fn();
    throw new Check(`${what}: expected an error, got ${JSON.stringify(value)?.slice(0, 200)}`);
  } catch (e) {
    if (e instanceof Check) throw e;
    return e;
  }
}

/**
 * @param aw        the imported `agentwire` (or `agentwire/manual`) module namespace
 * @param options   { platformUrl, runtime, browser, manual, preInit }
 *   browser  – pass dangerouslyAllowBrowser: true (pages, popups, service workers)
 *   manual   – the module is "agentwire/manual": check the not-initialised error, then init()
 *   preInit  – for manual: what happened when a synchronous call was made before init()
 */
export async function runScenarios(aw, options) {
  const { platformUrl, runtime, browser = false, manual = false, preInit = null } = options;
  const tag = `${runtime}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const key = `test-e2e-${runtime}`;
  const opts = (extra = {}) => ({
    baseUrl: platformUrl,
    apiKey: key,
    timeoutMs: 8_000,
    retryBaseDelayMs: 20,
    retryMaxDelayMs: 200,
    ...(browser ? { dangerouslyAllowBrowser: true } : {}),
    ...extra,
  });
  const prompt = `hello from ${runtime}`;
  const expected = `echo: ${prompt}`;
  const messages = [{ role: "user", content: prompt }];
  let client = null;
  const getClient = () => {
    if (!client) client = new aw.AgentClient(opts());
    return client;
  };

  const scenarios = [];
  const add = (name, fn, { parallel = false } = {}) => scenarios.push({ name, fn, parallel });

  if (manual) {
    add("manual: sync call before init() throws NOT_INITIALISED, works after init()", async () => {
      assert(preInit, "no pre-init observation was recorded by the entry");
      assert(preInit.threw, `parseError before init() did not throw (returned ${JSON.stringify(preInit.value)})`);
      eq(preInit.isAgentError, true, "pre-init error isAgentError");
      eq(preInit.code, "NOT_INITIALISED", "pre-init error code");
      await aw.init();
      const e = aw.parseError(500, {}, "oops");
      assert(aw.isAgentError(e), "parseError after init() returns an AgentError");
      const c = await aw.AgentClient.create(opts());
      assert(c instanceof aw.AgentClient, "AgentClient.create resolves to an AgentClient");
      return `pre-init: ${preInit.code}; after init: parseError kind=${e.kind}`;
    });
  } else {
    add("import works without init()", async () => {
      eq(typeof aw.AgentClient, "function", "typeof AgentClient");
      eq(typeof aw.VERSION, "string", "typeof VERSION");
      // Synchronous use straight after the import: no init() call anywhere.
      const e = aw.parseError(500, { "content-type": "application/json" }, '{"detail":"boom"}');
      assert(aw.isAgentError(e), "parseError returned an AgentError");
      eq(e.kind, "server", "parseError(500).kind");
      const c = new aw.AgentClient(opts());
      const json = JSON.stringify(c);
      assert(!json.includes(key), `the API key leaks through JSON.stringify(client): ${json}`);
      return `VERSION ${aw.VERSION}; parseError(500).kind=${e.kind}`;
    });
  }

  add("hatz chat completion", async () => {
    const r = await getClient().chat.completions({ model: "echo-1", messages });
    eq(r.choices?.[0]?.message?.content, expected, "choices[0].message.content");
    assert(typeof r.meta?.requestId === "string" && r.meta.requestId.length > 0, `meta.requestId missing: ${JSON.stringify(r.meta)}`);
    eq(r.meta.attempts, 1, "meta.attempts");
    return `"${r.choices[0].message.content}" requestId=${r.meta.requestId}`;
  });

  add("hatz chat stream (for await)", async () => {
    const s = await getClient().chat.completions({ model: "echo-1", messages, stream: true });
    assert(typeof s.meta?.requestId === "string", `stream meta.requestId missing: ${JSON.stringify(s.meta)}`);
    let text = "";
    let chunks = 0;
    for await (const ev of s) {
      chunks++;
      text += ev?.choices?.[0]?.delta?.content ?? "";
    }
    eq(text, expected, "streamed text");
    assert(chunks >= 3, `only ${chunks} chunks`);
    return `${chunks} chunks -> "${text}"`;
  });

  add("openai.responses", async () => {
    const r = await getClient().openai.responses({ model: "echo-1", input: prompt });
    const text = r.output_text ?? r.output?.[0]?.content?.[0]?.text;
    eq(text, expected, "output text");
    eq(r.object, "response", "object");
    assert(typeof r.meta?.requestId === "string", "meta.requestId");
    return `"${text}"`;
  });

  add("openai.responses stream (text())", async () => {
    const s = await getClient().openai.responses({ model: "echo-1", input: prompt, stream: true });
    const text = await s.text();
    eq(text, expected, "streamed text");
    return `"${text}"`;
  });

  add("anthropic.messages", async () => {
    const r = await getClient().anthropic.messages({ model: "echo-1", max_tokens: 64, messages });
    eq(r.type, "message", "type");
    eq(r.content?.[0]?.text, expected, "content[0].text");
    assert(typeof r.meta?.requestId === "string", "meta.requestId");
    return `"${r.content[0].text}"`;
  });

  add("anthropic.messages stream (for await)", async () => {
    const s = await getClient().anthropic.messages({ model: "echo-1", max_tokens: 64, messages, stream: true });
    let text = "";
    const types = new Set();
    for await (const ev of s) {
      types.add(ev?.type);
      if (ev?.type === "content_block_delta") text += ev.delta?.text ?? "";
    }
    eq(text, expected, "streamed text");
    assert(types.has("message_stop"), `no message_stop event (saw ${[...types].join(",")})`);
    return `"${text}" events=${[...types].join(",")}`;
  });

  add("wrong key -> AgentError kind authentication (401)", async () => {
    const bad = new aw.AgentClient(opts({ apiKey: "wrong-key" }));
    const e = await rejection(() => bad.chat.completions({ model: "echo-1", messages }), "chat with a wrong key");
    assert(aw.isAgentError(e), `isAgentError(e) is false for ${describeError(e)}`);
    assert(e instanceof Error, "e instanceof Error");
    assert(e instanceof aw.AgentError, "e instanceof AgentError");
    eq(e.name, "AgentError", "e.name");
    eq(e.kind, "authentication", "e.kind");
    eq(e.status, 401, "e.status");
    assert(typeof e.requestId === "string" && e.requestId.length > 0, `e.requestId missing (${JSON.stringify(e.requestId)})`);
    eq(e.retryable, false, "e.retryable");
    assert(!JSON.stringify(e).includes("wrong-key"), "the key appears in JSON.stringify(error)");
    const rep = bad.supportReport(e);
    assert(typeof rep?.text === "string" && rep.text.length > 0, "supportReport(e).text is empty");
    assert(!rep.text.includes("wrong-key") && !JSON.stringify(rep.json).includes("wrong-key"), "the key appears in the support report");
    return `kind=${e.kind} status=${e.status} requestId=${e.requestId} vendorFormat=${e.vendorFormat}`;
  });

  add("fault dialect-zazmic-404 -> AgentError kind not_found", async () => {
    const e = await rejection(
      () => getClient().chat.completions({ model: "echo-1", messages }, { headers: { "x-agentwire-fault": "dialect-zazmic-404" } }),
      "chat with dialect-zazmic-404");
    assert(aw.isAgentError(e), `isAgentError(e) is false for ${describeError(e)}`);
    assert(e instanceof Error, "e instanceof Error");
    eq(e.kind, "not_found", "e.kind");
    eq(e.status, 404, "e.status");
    eq(e.vendorFormat, "zazmic", "e.vendorFormat");
    assert(typeof e.requestId === "string" && e.requestId.length > 0, "e.requestId missing");
    return `kind=${e.kind} vendorFormat=${e.vendorFormat} message="${e.message}"`;
  });

  add("truncated stream -> AgentError kind stream", async () => {
    const s = await getClient().chat.completions({ model: "echo-1", messages, stream: true },
      { headers: { "x-agentwire-fault": "truncated-stream" } });
    let text = "";
    const e = await rejection(async () => {
      for await (const ev of s) text += ev?.choices?.[0]?.delta?.content ?? "";
      return `stream ended normally with "${text}"`;
    }, "a truncated stream");
    assert(aw.isAgentError(e), `isAgentError(e) is false for ${describeError(e)}`);
    eq(e.kind, "stream", "e.kind");
    assert(text.length > 0 && expected.startsWith(text) && text !== expected, `partial text before the error: "${text}"`);
    return `kind=${e.kind} code=${e.code} after "${text}"`;
  });

  add("status-503 once is retried (meta.attempts === 2)", async () => {
    const fault = `status-503;times=1;id=${tag}-503`;
    const r = await getClient().chat.completions({ model: "echo-1", messages }, { headers: { "x-agentwire-fault": fault } });
    eq(r.choices?.[0]?.message?.content, expected, "content after retry");
    eq(r.meta?.attempts, 2, "meta.attempts");
    return `attempts=${r.meta.attempts} waitedMs=${r.meta.waitedMs}`;
  });

  add("parseError(429, retry-after: 2, zazmic body)", async () => {
    const e = aw.parseError(429, { "retry-after": "2" },
      '{"error":"Rate limit exceeded","message":"x","statusCode":429,"details":{"retryAfter":45}}');
    assert(aw.isAgentError(e), "isAgentError");
    assert(e instanceof Error, "instanceof Error");
    eq(e.kind, "rate_limited", "kind");
    eq(e.retryAfterMs, 2000, "retryAfterMs");
    eq(e.retryable, true, "retryable");
    return `kind=${e.kind} retryAfterMs=${e.retryAfterMs} vendorFormat=${e.vendorFormat}`;
  });

  add("workflows.runAndWait steps-2-ms-100", async () => {
    const progress = [];
    const job = await getClient().workflows.runAndWait("steps-2-ms-100", { topic: runtime }, {
      pollIntervalMs: 100, maxPollIntervalMs: 200, timeoutMs: 8_000,
      onProgress: (p) => progress.push(p.status),
    });
    eq(job.status, "complete", "job.status");
    assert(typeof job.job_id === "string", "job.job_id");
    const steps = Array.isArray(job.step_outputs) ? job.step_outputs.length : -1;
    eq(steps, 2, "step_outputs.length");
    return `job ${job.job_id} complete after ${progress.length} polls (${progress.join(">")})`;
  });

  add("AbortController mid-request (hang) -> kind aborted", async () => {
    const ac = new AbortController();
    const started = Date.now();
    const t = setTimeout(() => ac.abort(), 300);
    try {
      const e = await rejection(
        () => getClient().chat.completions({ model: "echo-1", messages }, { signal: ac.signal, headers: { "x-agentwire-fault": "hang" } }),
        "hanging chat");
      assert(aw.isAgentError(e), `isAgentError(e) is false for ${describeError(e)}`);
      eq(e.kind, "aborted", "e.kind");
      const ms = Date.now() - started;
      assert(ms < 5_000, `abort took ${ms} ms`);
      return `kind=${e.kind} after ${ms} ms`;
    } finally {
      clearTimeout(t);
    }
  });

  add("AbortController mid-stream (stall-stream) -> kind aborted", async () => {
    const ac = new AbortController();
    const s = await getClient().chat.completions({ model: "echo-1", messages, stream: true },
      { signal: ac.signal, headers: { "x-agentwire-fault": "stall-stream;ms=5000" } });
    let text = "";
    const started = Date.now();
    const e = await rejection(async () => {
      for await (const ev of s) {
        text += ev?.choices?.[0]?.delta?.content ?? "";
        if (!ac.signal.aborted) setTimeout(() => ac.abort(), 100);
      }
      return `stream ended normally with "${text}"`;
    }, "an aborted stream");
    assert(aw.isAgentError(e), `isAgentError(e) is false for ${describeError(e)}`);
    eq(e.kind, "aborted", "e.kind");
    const ms = Date.now() - started;
    assert(ms < 3_000, `the abort took ${ms} ms to end the stream`);
    return `kind=${e.kind} after "${text}" in ${ms} ms`;
  });

  if (typeof document !== "undefined") {
    add("window context: apiKey without dangerouslyAllowBrowser is refused", async () => {
      let e;
      try {
        new aw.AgentClient({ baseUrl: platformUrl, apiKey: key });
      } catch (err) {
        e = err;
      }
      assert(e, "new AgentClient({ apiKey }) in a page did not throw");
      assert(aw.isAgentError(e), `isAgentError(e) is false for ${describeError(e)}`);
      eq(e.kind, "validation", "e.kind");
      assert(!JSON.stringify(e).includes(key), "the key appears in the error");
      return `kind=${e.kind} code=${e.code}`;
    });
  }

  addTransportScenarios(aw, { platformUrl, runtime, tag, key, browser, add });
  addWorkflowScenarios(aw, { platformUrl, runtime, tag, key, browser, add });

  const runOne = async ({ name, fn }) => {
    const t0 = Date.now();
    try {
      const detail = await withTimeout(Promise.resolve().then(fn), SCENARIO_TIMEOUT_MS, name);
      return { name, ok: true, detail: String(detail ?? ""), ms: Date.now() - t0 };
    } catch (e) {
      return { name, ok: false, detail: describeError(e), ms: Date.now() - t0 };
    }
  };
  const results = new Array(scenarios.length);
  // Serial scenarios first, one at a time (they share one client and one rate-limit window).
  for (const [i, s] of scenarios.entries()) if (!s.parallel) results[i] = await runOne(s);
  // Then the parallel ones (each has its own key, client and fault ids, and filters /__log by
  // its own ids), a few at a time: most of their time is spent sleeping on purpose (Retry-After,
  // backoff, polls), and Chromium allows only 6 connections per host.
  const queue = scenarios.map((s, i) => [s, i]).filter(([s]) => s.parallel);
  const worker = async () => {
    for (let next; (next = queue.shift());) results[next[1]] = await runOne(next[0]);
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return results;
}

// ------------------------------------------------------------------ transport and workflows
//
// The scenarios below run in parallel (see PARALLEL), so each one uses its own API key (its own
// rate-limit window), its own clients and fault ids that include the runtime name, and it reads
// only its own records from the platform's GET /__log (by fault id, request id or job path).

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const FAST_POLL = { pollIntervalMs: 40, maxPollIntervalMs: 80 };
const CHROMIUM = typeof navigator !== "undefined" && /Chrom(e|ium)\//.test(String(navigator.userAgent));

function parallelTools(aw, { platformUrl, tag, key, browser, add }) {
  let scenarioNo = 0;
  let idNo = 0;
  /** A fault/marker id unique to this run and runtime (the tag holds the runtime name). */
  const uid = (what) => `${tag}-${what}-${++idNo}`;
  const fault = (f) => ({ headers: { "x-agentwire-fault": f } });
  /** A header the platform records but that changes nothing: times=0 never fires. */
  const marker = (id) => fault(`status-503;times=0;id=${id}`);
  const platformLog = async () => {
    const r = await fetch(`${platformUrl}/__log`);
    assert(r.ok, `GET /__log answered ${r.status}`);
    return r.json();
  };
  const faultIdOf = (rec) => {
    if (rec.method === "OPTIONS") return null; // a CORS preflight does not carry the value
    const f = String(rec.headers?.["x-agentwire-fault"] ?? "");
    const p = f.split(";").map((x) => x.trim()).find((x) => x.startsWith("id="));
    return p ? p.slice(3) : null;
  };
  const logById = async (id) => (await platformLog()).filter((rec) => faultIdOf(rec) === id);
  const logByPath = async (p) => (await platformLog()).filter((rec) => rec.method !== "OPTIONS" && rec.path === p);
  const expectAgentError = (e, kind) => {
    assert(aw.isAgentError(e), `expected an AgentError, got ${describeError(e)}`);
    eq(e.kind, kind, `e.kind (${describeError(e)})`);
  };
  /** add() for a parallel scenario; fn gets { client(extra) } bound to a key of its own. */
  const addP = (name, fn) => {
    const k = `${key}-p${++scenarioNo}`;
    const client = (extra = {}) => new aw.AgentClient({
      baseUrl: platformUrl, apiKey: k, timeoutMs: 3_000, retryBaseDelayMs: 10, retryMaxDelayMs: 50,
      ...(browser ? { dangerouslyAllowBrowser: true } : {}), ...extra,
    });
    add(name, () => fn({ client }), { parallel: true });
  };
  const newJob = async (c, appId = "steps-1-ms-10-pending-ms-0") => (await c.workflows.run(appId, {})).jobId;
  return { uid, fault, marker, platformLog, faultIdOf, logById, logByPath, expectAgentError, addP, newJob };
}

function addTransportScenarios(aw, ctx) {
  const { uid, fault, marker, platformLog, faultIdOf, logById, expectAgentError, addP, newJob } = parallelTools(aw, ctx);
  const CHAT = { model: "echo-1", messages: [{ role: "user", content: `transport from ${ctx.runtime}` }] };
  const ECHO = `echo: transport from ${ctx.runtime}`;

  addP("retryable 408/429/500/502/503/504/529 on a GET: retried once (attempts 2)", async ({ client }) => {
    const jobId = await newJob(client());
    const calls = []; // { code, how, id, attempts }
    for (const code of [408, 429, 500, 502, 503, 504, 529]) {
      const id = uid(`rs${code}`);
      const job = await client().workflows.get(jobId, fault(`status-${code};times=1;id=${id}`));
      eq(job.job_id, jobId, `${code}: job.job_id`);
      eq(job.meta?.status, 200, `${code}: meta.status`);
      calls.push({ code, how: "workflows.get", id, attempts: job.meta?.attempts });
      const rid = uid(`rq${code}`);
      const r = await client().request({ path: `/v1/workflows/${jobId}`, ...fault(`status-${code};times=1;id=${rid}`) });
      eq(r.status, 200, `${code}: request() status`);
      eq(r.data?.job_id, jobId, `${code}: request() data.job_id`);
      calls.push({ code, how: "request", id: rid, attempts: r.meta?.attempts });
    }
    const log = await platformLog();
    const problems = [];
    const notes = [];
    for (const { code, how, id, attempts } of calls) {
      const statuses = log.filter((rec) => faultIdOf(rec) === id).map((rec) => rec.status).join(",");
      if (statuses !== `${code},200`) problems.push(`${code} ${how}: /__log statuses ${statuses}, expected ${code},200`);
      if (attempts === 2) continue;
      // Chromium's network stack itself re-sends a request that got a 408 on a reused keep-alive
      // connection (it takes the 408 for an idle-socket close), so the SDK sees only the 200.
      if (code === 408 && CHROMIUM && attempts === 1 && statuses === "408,200") notes.push(`408 ${how}: re-sent by Chromium, attempts 1`);
      else problems.push(`${code} ${how}: meta.attempts ${attempts}, expected 2`);
    }
    assert(problems.length === 0, problems.join("; "));
    return `7 codes x (workflows.get, request) -> attempts 2; /__log shows <code>,200${notes.length ? `; ${notes.join("; ")}` : ""}`;
  });

  addP("non-retryable 400/401/403/404/409/422: one attempt, right kind", async ({ client }) => {
    const jobId = await newJob(client());
    const kinds = { 400: "validation", 401: "authentication", 403: "permission", 404: "not_found", 409: "conflict", 422: "validation" };
    const out = [];
    for (const [code, kind] of Object.entries(kinds)) {
      const id = uid(`nr${code}`);
      const e = await rejection(() => client().workflows.get(jobId, fault(`status-${code};times=1;id=${id}`)), `status-${code}`);
      expectAgentError(e, kind);
      eq(e.status, Number(code), `${code}: e.status`);
      eq(e.retryable, false, `${code}: e.retryable`);
      eq(e.meta?.attempts, 1, `${code}: e.meta.attempts`);
      assert(typeof e.requestId === "string" && e.requestId.length > 0, `${code}: e.requestId missing`);
      eq((await logById(id)).length, 1, `${code}: requests in /__log`);
      out.push(`${code}=${e.kind}`);
    }
    return out.join(" ");
  });

  // The rate-limit fault also sends X-RateLimit-Remaining: 0 and a whole-second X-RateLimit-Reset,
  // which the client's pacing (on by default) waits for too; with pacing off, retry-after-ms=150
  // must give a wait of about 150 ms, not the body's details.retryAfter of 1 s.
  for (const [form, ms, max] of [["retry-after-ms=150", 150, 600], ["retry-after=1", 1000, 2_500], ["body-retry-after=1", 1000, 2_500]]) {
    addP(`Retry-After (rate-limit;${form}) honoured: waits >= ${ms} ms, attempts 2`, async ({ client }) => {
      const c = client(ms < 1000 ? { paceRateLimits: false } : {});
      const jobId = await newJob(c);
      const id = uid("ra");
      const t0 = Date.now();
      const job = await c.workflows.get(jobId, fault(`rate-limit;${form};times=1;id=${id}`));
      const elapsed = Date.now() - t0;
      eq(job.meta?.attempts, 2, "meta.attempts");
      assert(elapsed >= ms - 5, `elapsed ${elapsed} ms, expected >= ${ms} ms`);
      assert(elapsed < max, `elapsed ${elapsed} ms, expected < ${max} ms`);
      eq((await logById(id)).map((r) => r.status).join(","), "429,200", "statuses in /__log");
      return `elapsed ${elapsed} ms, waitedMs ${job.meta.waitedMs}`;
    });
  }

  addP("Retry-After above maxRetryAfterMs: error at once with retryAfterMs", async ({ client }) => {
    const c = client({ maxRetryAfterMs: 300 });
    const jobId = await newJob(c);
    const id = uid("mra");
    const t0 = Date.now();
    const e = await rejection(() => c.workflows.get(jobId, fault(`rate-limit;retry-after=1;times=1;id=${id}`)), "retry-after=1 over max 300");
    const elapsed = Date.now() - t0;
    expectAgentError(e, "rate_limited");
    eq(e.retryAfterMs, 1000, "e.retryAfterMs");
    eq(e.retryable, true, "e.retryable");
    eq(e.meta?.attempts, 1, "e.meta.attempts");
    assert(elapsed < 300, `returned after ${elapsed} ms`);
    eq((await logById(id)).length, 1, "requests in /__log");
    return `retryAfterMs=${e.retryAfterMs} after ${elapsed} ms`;
  });

  addP("network failure (reset fault) -> kind network", async ({ client }) => {
    const c = client();
    const jobId = await newJob(c);
    const id = uid("reset");
    const e = await rejection(() => c.workflows.get(jobId, fault(`reset;id=${id}`)), "reset");
    expectAgentError(e, "network");
    assert(e.meta?.attempts >= 1, `e.meta.attempts ${e.meta?.attempts}`);
    // Chromium and workerd re-send a request whose reused connection was reset, on their own,
    // so /__log may hold more requests than the SDK made attempts (Node's fetch does not).
    const n = (await logById(id)).length;
    assert(n >= e.meta.attempts, `${n} requests in /__log for ${e.meta.attempts} attempts`);
    return `kind=${e.kind} attempts=${e.meta.attempts} (${n} requests reached the platform) message="${e.message}"`;
  });

  addP("slow headers beyond timeoutMs -> kind timeout", async ({ client }) => {
    const c = client({ timeoutMs: 300, maxRetries: 0 });
    const jobId = await newJob(client());
    const t0 = Date.now();
    const e = await rejection(() => c.workflows.get(jobId, fault(`slow-headers;ms=1500;id=${uid("sh")}`)), "slow headers");
    const elapsed = Date.now() - t0;
    expectAgentError(e, "timeout");
    assert(elapsed >= 280 && elapsed < 1_000, `timed out after ${elapsed} ms`);
    return `kind=${e.kind} code=${e.code} after ${elapsed} ms`;
  });

  addP("slow body beyond timeoutMs -> kind timeout", async ({ client }) => {
    const c = client({ timeoutMs: 300, maxRetries: 0 });
    const jobId = await newJob(client());
    const t0 = Date.now();
    const e = await rejection(() => c.workflows.get(jobId, fault(`slow-body;ms=1500;id=${uid("sb")}`)), "slow body");
    const elapsed = Date.now() - t0;
    expectAgentError(e, "timeout");
    assert(elapsed < 1_000, `timed out after ${elapsed} ms`);
    return `kind=${e.kind} code=${e.code} after ${elapsed} ms`;
  });

  addP("abort during a backoff sleep (Retry-After 5 s) -> aborted promptly, no re-send", async ({ client }) => {
    const c = client();
    const jobId = await newJob(c);
    const id = uid("abs");
    const ac = new AbortController();
    const t0 = Date.now();
    const timer = setTimeout(() => ac.abort(), 100);
    try {
      const e = await rejection(() => c.workflows.get(jobId, { signal: ac.signal, ...fault(`rate-limit;retry-after=5;times=1;id=${id}`) }), "abort in backoff");
      const elapsed = Date.now() - t0;
      expectAgentError(e, "aborted");
      assert(elapsed < 300, `settled ${elapsed} ms after the call (abort at 100 ms)`);
      eq((await logById(id)).length, 1, "requests in /__log right after");
      await sleep(300);
      eq((await logById(id)).length, 1, "requests in /__log 300 ms later");
      return `kind=${e.kind} after ${elapsed} ms; 1 request`;
    } finally {
      clearTimeout(timer);
    }
  });

  addP("deadlineMs 400 across retries of a 5xx storm -> settles by ~600 ms", async ({ client }) => {
    const c = client({ maxRetries: 10 });
    const jobId = await newJob(c);
    const id = uid("storm");
    const t0 = Date.now();
    const e = await rejection(() => c.workflows.get(jobId, { deadlineMs: 400, ...fault(`storm;id=${id}`) }), "storm with a deadline");
    const elapsed = Date.now() - t0;
    assert(aw.isAgentError(e), `expected an AgentError, got ${describeError(e)}`);
    assert(["server", "unavailable", "timeout"].includes(e.kind), `e.kind ${e.kind}`);
    assert(elapsed <= 600, `settled after ${elapsed} ms`);
    assert(e.meta?.attempts >= 2, `attempts ${e.meta?.attempts}`);
    const n = (await logById(id)).length;
    assert(n >= 2, `${n} requests in /__log`);
    return `kind=${e.kind} attempts=${e.meta.attempts} (${n} in /__log) after ${elapsed} ms`;
  });

  addP("paid POST (chat completion): not re-sent after 500; re-sent after 503 and with idempotencyKey", async ({ client }) => {
    const id500 = uid("p500");
    const e = await rejection(() => client().chat.completions(CHAT, fault(`status-500;times=1;id=${id500}`)), "chat after 500");
    expectAgentError(e, "server");
    eq(e.status, 500, "e.status");
    eq(e.meta?.attempts, 1, "e.meta.attempts");
    eq((await logById(id500)).length, 1, "500: requests in /__log");

    const id503 = uid("p503");
    const r = await client().chat.completions(CHAT, fault(`status-503;times=1;id=${id503}`));
    eq(r.choices?.[0]?.message?.content, ECHO, "503: content");
    eq(r.meta?.attempts, 2, "503: meta.attempts");
    eq((await logById(id503)).length, 2, "503: requests in /__log");

    const idk = uid("pidem");
    const idemKey = `idem-${idk}`;
    const r2 = await client().chat.completions(CHAT, { idempotencyKey: idemKey, ...fault(`status-500;times=1;id=${idk}`) });
    eq(r2.meta?.attempts, 2, "idempotencyKey: meta.attempts");
    const recs = await logById(idk);
    eq(recs.map((x) => x.status).join(","), "500,200", "idempotencyKey: statuses in /__log");
    for (const rec of recs) eq(rec.headers?.["idempotency-key"], idemKey, "Idempotency-Key header sent");
    return "500 -> 1 request; 503 -> 2; 500 + idempotencyKey -> 2 (same Idempotency-Key)";
  });

  addP("circuit breaker (threshold 2): third call fails fast with CIRCUIT_OPEN, nothing sent", async ({ client }) => {
    const c = client({ maxRetries: 0, circuitBreaker: { threshold: 2, windowMs: 10_000, cooldownMs: 5_000 } });
    const jobId = await newJob(client());
    const id = uid("cb");
    for (let i = 0; i < 2; i++) {
      const e = await rejection(() => c.workflows.get(jobId, fault(`storm;id=${id}`)), `storm call ${i + 1}`);
      assert(aw.isAgentError(e) && ["server", "unavailable"].includes(e.kind), `storm call ${i + 1}: ${describeError(e)}`);
    }
    eq((await logById(id)).length, 2, "requests in /__log after 2 failures");
    const t0 = Date.now();
    const e = await rejection(() => c.workflows.get(jobId, fault(`storm;id=${id}`)), "third call");
    const elapsed = Date.now() - t0;
    expectAgentError(e, "unavailable");
    eq(e.code, "CIRCUIT_OPEN", "e.code");
    assert(elapsed < 100, `took ${elapsed} ms`);
    eq((await logById(id)).length, 2, "requests in /__log after the open-circuit call");
    return `code=${e.code} retryAfterMs=${e.retryAfterMs} in ${elapsed} ms`;
  });

  addP("request id: generated aw_<32 hex>, equals what /__log recorded", async ({ client }) => {
    const c = client();
    const jobId = await newJob(c);
    const job = await c.workflows.get(jobId);
    const rid = job.meta?.requestId;
    assert(/^aw_[0-9a-f]{32}$/.test(String(rid)), `meta.requestId ${JSON.stringify(rid)} does not match /^aw_[0-9a-f]{32}$/`);
    const recs = (await platformLog()).filter((rec) => rec.method !== "OPTIONS" && rec.requestId === rid);
    eq(recs.length, 1, `records with requestId ${rid}`);
    eq(recs[0].headers?.["x-request-id"], rid, "X-Request-ID header sent");
    eq(recs[0].path, `/v1/workflows/${jobId}`, "record path");
    return `requestId=${rid}`;
  });

  addP("a caller requestId with '@' is refused (validation) before any request", async ({ client }) => {
    const c = client();
    const id = uid("rid");
    const e = await rejection(() => c.workflows.get("00000000-0000-0000-0000-000000000000", { requestId: "user@example.com", ...marker(id) }), "requestId with @");
    expectAgentError(e, "validation");
    await sleep(50);
    eq((await logById(id)).length, 0, "requests in /__log");
    return `kind=${e.kind} code=${e.code} message="${e.message}"`;
  });
}

function addWorkflowScenarios(aw, ctx) {
  const { uid, fault, marker, logById, logByPath, expectAgentError, addP } = parallelTools(aw, ctx);

  addP("workflow step fails (fail-at-1) -> kind job_failed with details.jobId/stepId", async ({ client }) => {
    const e = await rejection(() => client().workflows.runAndWait("steps-1-ms-50-pending-ms-0-fail-at-1", {}, { ...FAST_POLL, timeoutMs: 5_000 }), "fail-at-1");
    expectAgentError(e, "job_failed");
    assert(/^[0-9a-f-]{36}$/.test(String(e.details?.jobId)), `details.jobId ${JSON.stringify(e.details?.jobId)}`);
    assert(typeof e.details?.stepId === "string" && e.details.stepId.length > 0, `details.stepId ${JSON.stringify(e.details?.stepId)}`);
    return `code=${e.code} jobId=${e.details.jobId} stepId=${e.details.stepId}`;
  });

  addP("wait timeout (stays-pending, 400 ms) -> WORKFLOW_WAIT_TIMEOUT; resume completes", async ({ client }) => {
    const c = client();
    const { jobId } = await c.workflows.run("stays-pending", {});
    const t0 = Date.now();
    const e = await rejection(() => c.workflows.wait(jobId, { ...FAST_POLL, timeoutMs: 400 }), "stays-pending");
    const elapsed = Date.now() - t0;
    expectAgentError(e, "timeout");
    eq(e.code, "WORKFLOW_WAIT_TIMEOUT", "e.code");
    eq(e.details?.jobId, jobId, "e.details.jobId");
    assert(elapsed >= 350 && elapsed < 1_200, `timed out after ${elapsed} ms`);
    // Resume: a job that needs ~1 s; the first wait gives up, the second one completes it.
    const run = await c.workflows.run("steps-1-ms-800", {});
    const e2 = await rejection(() => c.workflows.wait(run.jobId, { ...FAST_POLL, timeoutMs: 200 }), "steps-1-ms-800 with 200 ms");
    expectAgentError(e2, "timeout");
    eq(e2.code, "WORKFLOW_WAIT_TIMEOUT", "first wait e.code");
    const job = await c.workflows.wait(e2.details?.jobId ?? run.jobId, { pollIntervalMs: 100, maxPollIntervalMs: 200, timeoutMs: 5_000 });
    eq(job.status, "complete", "resumed job.status");
    eq(job.job_id, run.jobId, "resumed job.job_id");
    return `stays-pending timed out after ${elapsed} ms; steps-1-ms-800 resumed to complete`;
  });

  addP("job-not-found fault -> kind not_found", async ({ client }) => {
    const c = client();
    const { jobId } = await c.workflows.run("steps-1-ms-50", {});
    const e = await rejection(() => c.workflows.get(jobId, fault(`job-not-found;id=${uid("jnf")}`)), "job-not-found");
    expectAgentError(e, "not_found");
    eq(e.status, 404, "e.status");
    return `kind=${e.kind} message="${e.message}"`;
  });

  addP("poll-429 (retry-after 1) mid-poll -> still completes", async ({ client }) => {
    const id = uid("p429");
    const c = client({ headers: { "x-agentwire-fault": `poll-429;times=1;retry-after=1;id=${id}` } });
    const t0 = Date.now();
    const job = await c.workflows.runAndWait("steps-1-ms-20-pending-ms-0", {}, { ...FAST_POLL, timeoutMs: 5_000 });
    const elapsed = Date.now() - t0;
    eq(job.status, "complete", "job.status");
    const statuses = (await logById(id)).map((r) => r.status);
    assert(statuses.includes(429), `no 429 in /__log (${statuses})`);
    assert(elapsed >= 950, `completed after ${elapsed} ms, before the 1 s Retry-After`);
    return `complete after ${elapsed} ms; statuses ${statuses.join(",")}`;
  });

  addP("credit-overage on run -> kind quota, 1 request", async ({ client }) => {
    const id = uid("co");
    const e = await rejection(() => client().workflows.run("steps-1", {}, fault(`credit-overage;id=${id}`)), "credit-overage");
    expectAgentError(e, "quota");
    eq(e.status, 429, "e.status");
    eq(e.retryable, false, "e.retryable");
    await sleep(50);
    eq((await logById(id)).length, 1, "requests in /__log");
    return `kind=${e.kind} status=${e.status}`;
  });

  addP("abort mid-poll -> aborted, no request after the abort", async ({ client }) => {
    const c = client();
    const { jobId } = await c.workflows.run("stays-pending", {});
    const ac = new AbortController();
    let abortedAt = 0;
    const timer = setTimeout(() => { abortedAt = Date.now(); ac.abort(); }, 250);
    try {
      const e = await rejection(() => c.workflows.wait(jobId, { ...FAST_POLL, timeoutMs: 5_000, signal: ac.signal }), "aborted wait");
      const lag = Date.now() - abortedAt;
      expectAgentError(e, "aborted");
      assert(abortedAt > 0 && lag < 200, `settled ${lag} ms after the abort`);
      const right = (await logByPath(`/v1/workflows/${jobId}`)).length;
      assert(right >= 1, "no poll reached /__log before the abort");
      await sleep(300);
      const later = (await logByPath(`/v1/workflows/${jobId}`)).length;
      eq(later, right, "polls in /__log 300 ms after the abort");
      return `kind=${e.kind} ${lag} ms after abort; ${right} polls, none after`;
    } finally {
      clearTimeout(timer);
    }
  });

  addP("files.upload(Uint8Array) -> fileUuid used as a workflow input", async ({ client }) => {
    const c = client();
    const bytes = new Uint8Array([...new TextEncoder().encode(`name,score\n${ctx.runtime},10\n`)]);
    const up = await c.files.upload(bytes, { filename: "r.csv" });
    assert(/^[0-9a-f-]{36}$/.test(String(up.fileUuid)), `fileUuid ${JSON.stringify(up.fileUuid)}`);
    eq(up.size, bytes.length, "up.size");
    const job = await c.workflows.runAndWait("steps-2-ms-20-pending-ms-0", { report_file: up.fileUuid }, { ...FAST_POLL, timeoutMs: 5_000 });
    eq(job.status, "complete", "job.status");
    const outputs = (job.step_outputs ?? []).map((s) => String(s.output_data));
    assert(outputs.some((o) => o.includes("r.csv")), `no step output mentions r.csv: ${JSON.stringify(outputs)}`);
    return `fileUuid=${up.fileUuid}; ${outputs.find((o) => o.includes("r.csv"))}`;
  });

  addP("files.upload(empty) -> validation EMPTY_FILE without a request", async ({ client }) => {
    const id = uid("empty");
    const e = await rejection(() => client().files.upload(new Uint8Array(0), { filename: "empty.csv", ...marker(id) }), "empty upload");
    expectAgentError(e, "validation");
    eq(e.code, "EMPTY_FILE", "e.code");
    await sleep(50);
    eq((await logById(id)).length, 0, "requests in /__log");
    return `kind=${e.kind} code=${e.code}`;
  });
}
