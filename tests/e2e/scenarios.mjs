// The end-to-end scenario list, shared by every runtime (Node, workerd, a Chromium page, an MV3
// extension's service worker and popup). It never imports agentwire itself: each runtime entry
// imports the package the way a user would and passes the module namespace in, so the same
// list exercises each export condition ("node", "workerd", "browser", "./manual").
//
// Every scenario makes a real fetch to the local platform server (www/platform/server.mjs) and
// returns { name, ok, detail, ms }. Nothing here throws: a failure is a result.

const SCENARIO_TIMEOUT_MS = 10_000;

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
  const add = (name, fn) => scenarios.push({ name, fn });

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

  const results = [];
  for (const { name, fn } of scenarios) {
    const t0 = Date.now();
    try {
      const detail = await withTimeout(Promise.resolve().then(fn), SCENARIO_TIMEOUT_MS, name);
      results.push({ name, ok: true, detail: String(detail ?? ""), ms: Date.now() - t0 });
    } catch (e) {
      results.push({ name, ok: false, detail: describeError(e), ms: Date.now() - t0 });
    }
  }
  return results;
}
