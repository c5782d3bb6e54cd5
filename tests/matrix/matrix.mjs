// The fault matrix, shared by every runtime: every fault the local platform can inject
// (GET /__faults, plus one instance of each name pattern) × every surface where it applies.
// It never imports agentwire itself: the runtime entry passes the module namespace in
// (Node: tests/matrix/run.mjs; workerd: tests/matrix/worker.mjs).
//
// Each cell makes the call, records what happened (value or error, elapsed time), and once all
// cells have run, the platform's request log (GET /__log, read once) is matched to each cell by
// the `x-matrix-cell` header (and, for workflow polls, by the job's path). A cell checks:
//   - the outcome (success, or an AgentError of the expected `kind`);
//   - the number of attempts (`meta.attempts` when the client reports it, and always the
//     number of requests the platform logged for the cell);
//   - the request id (`err.requestId` / `meta.requestId` present and equal to the logged one);
//   - that the promise settled within the call's deadline (+ MARGIN_MS).
// Nothing here throws: a failure is a result.

export const SURFACES = ["chat", "stream-hatz", "stream-openai", "stream-anthropic", "wf-run", "wf-poll", "upload"];
const STREAMS = new Set(["stream-hatz", "stream-openai", "stream-anthropic"]);
const PAID = new Set(["chat", "stream-hatz", "stream-openai", "stream-anthropic", "wf-run", "upload"]);
const MARGIN_MS = 600;
const CONCURRENCY = 24;
const WORDS = "one two three four five six seven eight";

// ---------------------------------------------------------------- expectations
//
// Error responders: the kind each fault must produce, whether it is transient (retried on an
// idempotent call), and whether the server certainly did not act (so even a paid call may be
// re-sent: a non-quota 429 and a 503; never after a 500/502/504, a timeout or a reset).
//   r = transient, p = a paid call may be re-sent too.
const R = (kind, flags = "", also = []) => ({ kind, retryable: flags.includes("r"), paidResend: flags.includes("p"), also });

const RESPONDERS = {
  "rate-limit": R("rate_limited", "rp"),
  "credit-overage": R("quota"),
  "insufficient-balance": R("quota"),
  "heylock-balance": R("quota"),
  "html-502": R("unavailable", "r"),
  "text-503": R("unavailable", "rp"),
  "hang": R("timeout", "r"),
  "reset": R("network", "r"),
  "status-400": R("validation"),
  "status-401": R("authentication"),
  "status-403": R("permission"),
  "status-404": R("not_found"),
  "status-408": R("timeout", "r"),
  "status-409": R("conflict"),
  "status-410": R("not_found"),
  "status-413": R("validation"),
  "status-422": R("validation"),
  "status-429": R("rate_limited", "rp"),
  "status-500": R("server", "r"),
  "status-502": R("unavailable", "r"),
  "status-503": R("unavailable", "rp"),
  // A gateway timeout is both; the Anthropic dialect's body says `timeout_error`.
  "status-504": R("unavailable", "r", ["timeout"]),
  "status-529": R("unavailable", "r"),
  "status-418": R("validation"), // pattern instance: a 4xx the catalogue does not list
  "dialect-zazmic-400": R("validation"),
  "dialect-zazmic-401": R("authentication"),
  "dialect-zazmic-403": R("quota"),
  "dialect-zazmic-404": R("not_found"),
  "dialect-zazmic-429": R("rate_limited", "rp"),
  "dialect-zazmic-500": R("server", "r"),
  "dialect-zazmic-503": R("unavailable", "rp"),
  "dialect-heylock-400-invalid-json": R("validation"),
  "dialect-heylock-400-invalid-content": R("validation"),
  "dialect-heylock-400-invalid-text": R("validation"),
  "dialect-heylock-400-invalid-array": R("validation"),
  "dialect-heylock-400-invalid-history": R("validation"),
  "dialect-heylock-400-invalid-instructions": R("validation"),
  "dialect-heylock-400-invalid-context": R("validation"),
  "dialect-heylock-400-missing-agent-key": R("authentication"),
  "dialect-heylock-400-invalid-agent-key": R("authentication"),
  "dialect-heylock-401": R("authentication"),
  "dialect-heylock-402": R("quota"),
  "dialect-heylock-500": R("server", "r"),
  "dialect-heylock-502": R("unavailable", "r"),
  // "does not exist or has expired" at 404: the code's family (_NOT_FOUND) and the status agree.
  "dialect-agntix-SESSION_NOT_FOUND": R("not_found"),
  "dialect-agntix-session-not-found": R("not_found"), // pattern instance: case/-_ insensitive
  "dialect-agntix-SESSION_EXPIRED": R("session_expired"),
  "dialect-agntix-SESSION_CREATION_ERROR": R("unavailable", "rp"),
  "dialect-agntix-INVALID_SESSION": R("validation"),
  "dialect-agntix-MESSAGES_HISTORY_ERROR": R("server", "r"),
  "dialect-agntix-MODELS_NOT_FOUND": R("validation"),
  "dialect-agntix-TOOLS_NOT_FOUND": R("validation"),
  "dialect-agntix-CONFIG_NOT_FOUND": R("validation"),
  "dialect-agntix-UNAUTHORIZED": R("authentication"),
  "dialect-agntix-ABORT_ERROR": R("aborted"),
  "dialect-agntix-GENERIC_ERROR": R("server", "r"),
  "dialect-agntix-400": R("validation"),
  "dialect-agntix-403": R("permission"),
  "dialect-agntix-409": R("conflict"),
  "dialect-agntix-429": R("rate_limited", "rp"),
  "dialect-agntix-502": R("unavailable", "r"),
  "dialect-agntix-503": R("unavailable", "rp"),
  "dialect-agntix-504": R("unavailable", "r"),
  "dialect-openai-400": R("validation"),
  "dialect-openai-401": R("authentication"),
  "dialect-openai-404": R("not_found"),
  "dialect-openai-429-quota": R("quota"),
  "dialect-openai-429-rate": R("rate_limited", "rp"),
  "dialect-openai-500": R("server", "r"),
  "dialect-openai-503": R("unavailable", "rp"),
  "dialect-anthropic-400": R("validation"),
  "dialect-anthropic-401": R("authentication"),
  "dialect-anthropic-403": R("permission"),
  "dialect-anthropic-404": R("not_found"),
  "dialect-anthropic-413": R("validation"),
  "dialect-anthropic-429": R("rate_limited", "rp"),
  "dialect-anthropic-500": R("server", "r"),
  "dialect-anthropic-529": R("unavailable", "r"),
  "dialect-hatz-401": R("authentication"),
  "dialect-hatz-403": R("permission"),
  "dialect-hatz-404": R("not_found"),
  "dialect-hatz-422": R("validation"),
  "dialect-hatz-429": R("quota"),
  "dialect-hatz-500": R("server", "r"),
};

// Stream faults (stream surfaces only): the error kind thrown while reading, or null = the
// stream must complete normally.
const STREAM_FAULTS = {
  "truncated-stream": "stream",
  "mid-stream-error": "stream",
  "mid-stream-error-stream-error": "stream",
  "mid-stream-error-insufficient-balance": "quota",
  "mid-stream-error-rate-limit-exceeded": "rate_limited",
  "mid-stream-error-session-not-found": "not_found",
  "mid-stream-error-agent-error": "server",
  "mid-stream-error-custom-code": "stream", // pattern instance: an unknown code in an error event
  "anthropic-stream-error": "unavailable",
  "stall-stream": "timeout", // stall 900 ms > streamIdleTimeoutMs 300
  "crlf-stream": null,
};

// Faults whose applicability or behaviour is special; everything else in /__faults must be in
// one of the tables above (an unknown name fails the "catalogue" cell, so a new fault cannot be
// silently left out).
const SPECIAL = new Set(["storm", "slow-headers", "slow-body", "job-not-found", "poll-429", "poll-503"]);

/** Which surfaces a fault applies to, or a reason it applies nowhere. */
function surfacesFor(name) {
  if (name in STREAM_FAULTS) return [...STREAMS];
  if (name === "slow-body") return SURFACES.filter((s) => !STREAMS.has(s)); // non-stream only
  if (name === "job-not-found" || name === "poll-429" || name === "poll-503") return ["wf-poll", "wf-run"];
  return SURFACES;
}

/** Every concrete fault name the matrix covers: the catalogue plus one instance per pattern. */
export function faultNames(catalogue) {
  const names = catalogue.faults.map((f) => f.name);
  const extra = [];
  for (const p of catalogue.patterns ?? []) {
    if (p.pattern === "status-<code>") extra.push("status-418");
    else if (p.pattern === "mid-stream-error-<code>") extra.push("mid-stream-error-custom-code");
    else if (p.pattern === "dialect-agntix-<code>") extra.push("dialect-agntix-session-not-found");
    else extra.push(`?pattern:${p.pattern}`);
  }
  return [...names, ...extra];
}

// ---------------------------------------------------------------- cells

/**
 * A cell: { id, fault, variant, surface, spec (header or key-bound fault text), via, opts,
 * expect(obs, records) → list of problems }.
 */
function buildCells(names, runtime) {
  const cells = [];
  const unknown = [];
  let n = 0;
  const id = () => `mx-${runtime}-${++n}`;
  for (const name of names) {
    if (!(name in RESPONDERS) && !(name in STREAM_FAULTS) && !SPECIAL.has(name)) { unknown.push(name); continue; }
    for (const surface of surfacesFor(name)) {
      const cid = id();
      const base = { id: cid, fault: name, variant: "times=1", surface, via: "header", opts: {} };
      if (name in RESPONDERS) {
        const f = RESPONDERS[name];
        const slow = name === "hang";
        // 600 ms per attempt: short, yet long enough for the retry's normal answer on a loaded machine.
        cells.push({ ...base, spec: `${name};times=1;id=${cid}`, opts: slow ? { timeoutMs: 600, deadlineMs: 3000 } : {},
          expect: responderExpect(f, surface, 1) });
        // Persistent variants: attempts exhausted / bounded by the deadline.
        if (name === "status-503" || name === "reset" || name === "hang") {
          const pid = id();
          cells.push({ ...base, id: pid, variant: "always", spec: `${name};id=${pid}`,
            opts: slow ? { timeoutMs: 200, deadlineMs: 500 } : {}, expect: responderExpect(f, surface, Infinity, slow ? 500 : undefined) });
        }
      } else if (name in STREAM_FAULTS) {
        cells.push({ ...base, variant: "once", spec: `${name};times=1;id=${cid}`, expect: streamExpect(STREAM_FAULTS[name], name) });
      } else if (name === "storm") {
        cells.push({ ...base, spec: `storm;times=1;id=${cid}`, expect: stormExpect(surface, false) });
        const pid = id();
        cells.push({ ...base, id: pid, variant: "always, deadlineMs 400", spec: `storm;id=${pid}`, opts: { deadlineMs: 400 }, expect: stormExpect(surface, true) });
      } else if (name === "slow-headers" || name === "slow-body") {
        cells.push({ ...base, spec: `${name};ms=1500;times=1;id=${cid}`, opts: { timeoutMs: 600, deadlineMs: 3000 },
          expect: responderExpect(R("timeout", "r"), surface, 1) });
      } else if (name === "job-not-found" || name.startsWith("poll-")) {
        const spec = `${name};times=1;id=${cid}`;
        if (surface === "wf-poll") {
          const f = name === "job-not-found" ? R("not_found") : R(name === "poll-429" ? "rate_limited" : "unavailable", "r");
          cells.push({ ...base, spec, opts: name === "poll-429" ? { deadlineMs: 4000 } : {}, expect: responderExpect(f, surface, 1) });
        } else {
          // runAndWait: the polls carry no caller headers, so the fault is bound to the API key
          // (test-fault-<spec>), which the platform applies to the polls only.
          cells.push({ ...base, via: "key", spec, expect: pollFaultOnWaitExpect(name) });
        }
      }
    }
  }
  return { cells, unknown };
}

/** Expected outcome of a responder fault sent `times` times on a surface. */
function responderExpect(f, surface, times, deadline) {
  const paid = PAID.has(surface);
  const resend = f.retryable && (!paid || f.paidResend);
  return (obs, recs) => {
    const problems = [];
    const sent = recs.calls.length;
    if (times === 1 && resend) {
      if (obs.error) return [`expected success after a retry, got ${describe(obs.error)}`];
      checkAttempts(problems, obs, sent, 2);
      if (recs.calls[0] && recs.calls[0].fault === null) problems.push("the first request was not faulted");
    } else if (times === 1) {
      expectError(problems, obs, f.kind, f.also);
      checkAttempts(problems, obs, sent, 1);
    } else {
      // Always failing: attempts run out (3), or the deadline ends it first.
      expectError(problems, obs, f.kind, deadline ? ["timeout"] : []);
      const max = resend ? 3 : 1;
      if (deadline) { if (sent < 1 || sent > max) problems.push(`requests: expected 1..${max}, platform logged ${sent}`); checkMetaVsLog(problems, obs, sent); }
      else checkAttempts(problems, obs, sent, max);
    }
    return problems;
  };
}

function stormExpect(surface, always) {
  const paid = PAID.has(surface);
  return (obs, recs) => {
    const problems = [];
    const sent = recs.calls.length;
    const first = recs.calls[0]?.status;
    if (!always) {
      const kind = first === 500 ? "server" : "unavailable";
      const also = first === 504 ? ["timeout"] : []; // as status-504: the Anthropic body says timeout_error
      const resend = !paid || first === 503;
      if (resend) {
        if (obs.error) return [`first status ${first}: expected success after a retry, got ${describe(obs.error)}`];
        checkAttempts(problems, obs, sent, 2);
      } else {
        expectError(problems, obs, kind, also);
        checkAttempts(problems, obs, sent, 1);
      }
    } else {
      expectError(problems, obs, "server", ["unavailable", "timeout"]);
      if (sent < 1 || sent > 3) problems.push(`requests: expected 1..3 within the 400 ms deadline, logged ${sent}`);
      checkMetaVsLog(problems, obs, sent);
    }
    return problems;
  };
}

function streamExpect(kind, name) {
  return (obs, recs) => {
    const problems = [];
    const sent = recs.calls.length;
    if (kind === null) {
      if (obs.error) return [`expected a complete stream, got ${describe(obs.error)}`];
      if (name === "crlf-stream" && !String(obs.value?.text).includes("🚀✨ done")) problems.push(`text ${JSON.stringify(obs.value?.text)} lacks " 🚀✨ done"`);
      checkAttempts(problems, obs, sent, 1);
    } else {
      expectError(problems, obs, kind);
      if (obs.partial === undefined || obs.partial === "") problems.push("no text arrived before the failure (the fault fires after ≥1 chunk)");
      checkAttempts(problems, obs, sent, 1);
    }
    return problems;
  };
}

function pollFaultOnWaitExpect(name) {
  return (obs, recs) => {
    const problems = [];
    if (recs.calls.length !== 1) problems.push(`run requests: expected 1, logged ${recs.calls.length}`);
    const polls = recs.polls;
    if (name === "job-not-found") {
      expectError(problems, obs, "not_found");
      if (obs.error?.details?.jobId === undefined) problems.push("error has no details.jobId");
      const last = polls[polls.length - 1];
      if (polls.length !== 1) problems.push(`polls: expected 1 (not_found is final), logged ${polls.length}`);
      if (last && obs.error && (obs.error.requestId ?? obs.error.meta?.requestId) !== last.requestId) problems.push(`requestId ${obs.error.requestId} ≠ logged ${last.requestId}`);
    } else {
      if (obs.error) return [`expected the wait to ride out one ${name}, got ${describe(obs.error)}`];
      if (obs.value?.status !== "complete") problems.push(`job status ${obs.value?.status}`);
      if (polls[0]?.status !== (name === "poll-429" ? 429 : 503)) problems.push(`first poll status ${polls[0]?.status}`);
      if (polls.length < 2) problems.push(`polls: expected ≥ 2, logged ${polls.length}`);
    }
    return problems;
  };
}

function describe(e) {
  if (!e) return String(e);
  return `${e.name}${e.kind ? `(${e.kind}${e.status ? ` ${e.status}` : ""}${e.code ? ` ${e.code}` : ""})` : ""}: ${String(e.message).slice(0, 160)}`;
}

function expectError(problems, obs, kind, alsoOk = []) {
  if (!obs.error) { problems.push(`expected AgentError kind ${kind}, got success`); return; }
  if (!obs.error.isAgentError) { problems.push(`expected AgentError, got ${describe(obs.error)}`); return; }
  if (obs.error.kind !== kind && !alsoOk.includes(obs.error.kind)) problems.push(`kind: expected ${[kind, ...alsoOk].join("|")}, got ${describe(obs.error)}`);
}

function attemptsOf(obs) {
  // runAndWait resolves with the last poll's meta, not the run's: its attempts are the log's.
  if (!obs.error && obs.surface === "wf-run") return undefined;
  return obs.error ? obs.error.meta?.attempts : obs.value?.meta?.attempts;
}

function checkAttempts(problems, obs, sent, expected) {
  // workerd's fetch itself transparently re-sends a GET whose connection was reset before any
  // response (the runtime, not agentwire; 1 to 5 extra sends per attempt observed under load).
  // There the log holds at least one request per attempt, and a re-send that succeeds is
  // invisible to the client (meta.attempts 1 for `reset;times=1`), so meta.attempts is checked
  // as: exact on errors, 1..expected on success.
  const resent = obs.runtime !== "node" && obs.fault === "reset" && obs.surface === "wf-poll";
  if (resent) {
    const a = attemptsOf(obs);
    if (a === undefined) problems.push("no meta.attempts to check");
    else if (obs.error ? a !== expected : a < 1 || a > expected) problems.push(`meta.attempts ${a}, expected ${obs.error ? expected : `1..${expected}`}`);
    if (sent < (a ?? 1)) problems.push(`requests: platform logged ${sent}, fewer than meta.attempts ${a}`);
    return;
  }
  if (sent !== expected) problems.push(`requests: expected ${expected}, platform logged ${sent}`);
  checkMetaVsLog(problems, obs, expected);
}

function checkMetaVsLog(problems, obs, expected) {
  const a = attemptsOf(obs);
  if (obs.error && obs.error.isAgentError && obs.error.meta === undefined) problems.push("error has no meta");
  if (a !== undefined && a !== expected) problems.push(`meta.attempts ${a} ≠ ${expected}`);
}

// ---------------------------------------------------------------- running one cell

const CHAT_REQ = { model: "m", messages: [{ role: "user", content: WORDS }] };

async function callSurface(client, cell, ctx, options) {
  const s = cell.surface;
  switch (s) {
    case "chat": return await client.chat.completions(CHAT_REQ, options);
    case "stream-hatz":
    case "stream-openai":
    case "stream-anthropic": {
      const stream = s === "stream-hatz" ? await client.chat.completionsStream(CHAT_REQ, options)
        : s === "stream-openai" ? await client.openai.responsesStream({ model: "m", input: WORDS }, options)
          : await client.anthropic.messagesStream({ model: "m", max_tokens: 64, messages: [{ role: "user", content: WORDS }] }, options);
      const out = { text: "", meta: stream.meta };
      cell.partial = "";
      for await (const ev of stream) cell.partial = out.text += deltaText(ev);
      return out;
    }
    case "wf-run": return await client.workflows.runAndWait("steps-1-ms-20-pending-ms-0", { q: "x" },
      { ...options, pollIntervalMs: 20, maxPollIntervalMs: 60, timeoutMs: options.timeoutMs ?? 4000 });
    case "wf-poll": return await client.workflows.get(ctx.jobId, options);
    case "upload": return await client.files.upload(new TextEncoder().encode("a,b\n1,2\n"), { ...options, filename: "m.csv", contentType: "text/csv" });
  }
  throw new Error(`unknown surface ${s}`);
}

function deltaText(ev) {
  if (!ev || typeof ev !== "object") return "";
  if (Array.isArray(ev.choices)) return ev.choices.map((c) => (c.delta && c.delta.content) || "").join("");
  if (ev.type === "response.output_text.delta") return ev.delta ?? "";
  if (ev.type === "content_block_delta") return ev.delta?.text ?? "";
  return "";
}

function snapshotError(aw, e) {
  if (aw.isAgentError(e)) {
    return { isAgentError: true, name: e.name, kind: e.kind, status: e.status, code: e.code, message: e.message,
      requestId: e.requestId, retryable: e.retryable, details: e.details, meta: e.meta };
  }
  return { isAgentError: false, name: e?.name ?? typeof e, message: String(e?.message ?? e) };
}

async function runCell(aw, ctx, cell) {
  const key = cell.via === "key" ? `test-fault-${cell.spec}` : ctx.apiKey;
  const client = new aw.AgentClient({ baseUrl: ctx.platformUrl, apiKey: key, timeoutMs: 2000, maxRetries: 2,
    retryBaseDelayMs: 50, retryMaxDelayMs: 100, maxRetryAfterMs: 5000, circuitBreaker: false, paceRateLimits: false,
    streamIdleTimeoutMs: 300, dangerouslyAllowBrowser: true });
  const headers = { "x-matrix-cell": cell.id };
  if (cell.via === "header") headers["x-agentwire-fault"] = cell.spec;
  const options = { deadlineMs: 4000, ...cell.opts, headers };
  const bound = (cell.surface === "wf-run" ? options.deadlineMs + (options.timeoutMs ?? 4000) : options.deadlineMs) + MARGIN_MS;
  const t0 = Date.now();
  let watchdog;
  const never = new Promise((resolve) => { watchdog = setTimeout(() => resolve({ never: true }), bound + 3000); });
  const run = callSurface(client, cell, ctx, options).then((value) => ({ value }), (error) => ({ error: snapshotError(aw, error) }));
  const r = await Promise.race([run, never]);
  clearTimeout(watchdog);
  const elapsed = Date.now() - t0;
  const obs = { ...r, elapsed, bound, partial: cell.partial, surface: cell.surface, fault: cell.fault, runtime: ctx.runtime };
  if (obs.value) obs.value = { status: obs.value.status, text: obs.value.text, job_id: obs.value.job_id, fileUuid: obs.value.fileUuid, meta: obs.value.meta };
  return obs;
}

// ---------------------------------------------------------------- the matrix

async function pool(items, n, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) { const i = next++; await fn(items[i], i); }
  });
  await Promise.all(workers);
}

/**
 * @param aw  the imported agentwire module namespace
 * @param options { platformUrl, runtime, concurrency }
 * @returns { results: [{ group, name, ok, detail }], cells, skipped }
 */
export async function runMatrix(aw, { platformUrl, runtime, concurrency = CONCURRENCY, filter }) {
  const t0 = Date.now();
  const results = [];
  const catalogue = await (await fetch(`${platformUrl}/__faults`)).json();
  const names = faultNames(catalogue);
  const built = buildCells(names, runtime);
  const { unknown } = built;
  // --filter REGEX (debugging): only the cells whose "fault [variant] × surface" matches.
  const cells = filter ? built.cells.filter((c) => new RegExp(filter).test(`${c.fault} [${c.variant}] × ${c.surface}`)) : built.cells;
  results.push({ group: "catalogue", name: "every /__faults name has an expectation", ok: unknown.length === 0,
    detail: unknown.length ? `no expectation for: ${unknown.join(", ")}` : `${names.length} faults (${catalogue.faults.length} listed + ${names.length - catalogue.faults.length} pattern instances)` });

  const ctx = { platformUrl, runtime, apiKey: `test-matrix-${runtime}` };
  // One finished job for the poll cells.
  const setup = new aw.AgentClient({ baseUrl: platformUrl, apiKey: ctx.apiKey, dangerouslyAllowBrowser: true });
  const job = await setup.workflows.runAndWait("steps-1-ms-10-pending-ms-0", {}, { pollIntervalMs: 20, timeoutMs: 5000 });
  ctx.jobId = job.job_id;

  const observations = new Map();
  // Cells whose check depends on a short per-attempt timeout run last, 4 at a time: in workerd
  // a worker's outgoing connections are limited (6 open at once), and a retry queued behind
  // other cells' connections would spend its 600 ms waiting for a slot, not for the server.
  const timing = (c) => /^(hang|slow-headers|slow-body|stall-stream)$/.test(c.fault);
  const runOne = async (cell) => { observations.set(cell.id, await runCell(aw, ctx, cell)); };
  await pool(cells.filter((c) => !timing(c)), concurrency, runOne);
  await pool(cells.filter(timing), 4, runOne);

  // One read of the log; each cell's requests by its header, polls of its job by path.
  const log = await (await fetch(`${platformUrl}/__log`)).json();
  const byCell = new Map();
  const byPath = new Map();
  for (const r of log) {
    const c = r.headers?.["x-matrix-cell"];
    if (c) { if (!byCell.has(c)) byCell.set(c, []); byCell.get(c).push(r); }
    else if (r.method === "GET") { if (!byPath.has(r.path)) byPath.set(r.path, []); byPath.get(r.path).push(r); }
  }

  const groups = new Map();
  for (const cell of cells) {
    const obs = observations.get(cell.id);
    const calls = (byCell.get(cell.id) ?? []).sort((a, b) => a.seq - b.seq);
    const jobId = obs.value?.job_id ?? obs.error?.details?.jobId;
    const polls = cell.surface === "wf-run" && jobId ? (byPath.get(`/v1/workflows/${jobId}`) ?? []).sort((a, b) => a.seq - b.seq) : [];
    let problems;
    if (obs.never) problems = [`never settled (waited ${obs.elapsed} ms, deadline ${obs.bound - MARGIN_MS} ms)`];
    else {
      try { problems = cell.expect(obs, { calls, polls }); } catch (e) { problems = [`check threw: ${e?.stack ?? e}`]; }
      if (obs.elapsed > obs.bound) problems.push(`settled after ${obs.elapsed} ms, deadline ${obs.bound - MARGIN_MS} ms + ${MARGIN_MS} ms margin`);
      // Request id: present and equal to the platform's record; one id across retries.
      const ids = new Set(calls.map((r) => r.requestId));
      if (ids.size > 1) problems.push(`retries carried different request ids: ${[...ids].join(", ")}`);
      if (!(cell.via === "key" && obs.error)) {
        const got = obs.error ? (obs.error.requestId ?? obs.error.meta?.requestId) : obs.value?.meta?.requestId;
        const logged = cell.surface === "wf-run" && obs.value ? polls[polls.length - 1]?.requestId : calls[calls.length - 1]?.requestId;
        if (obs.error && !obs.error.isAgentError) { /* reported by the kind check */ }
        else if (got === undefined) problems.push("no requestId on the " + (obs.error ? "error" : "result"));
        else if (logged !== undefined && got !== logged) problems.push(`requestId ${got} ≠ logged ${logged}`);
        else if (logged === undefined) problems.push("the platform logged no request for the cell");
      }
    }
    const ok = problems.length === 0;
    const key = `${cell.fault} [${cell.variant}]`;
    if (!groups.has(key)) groups.set(key, []);
    const outcome = obs.never ? "never" : obs.error ? (obs.error.kind ?? obs.error.name) : "ok";
    groups.get(key).push({ surface: cell.surface, ok, outcome, attempts: obs.never ? "-" : (attemptsOf(obs) ?? calls.length), sent: calls.length, ms: obs.elapsed, problems });
    results.push({ group: key, name: `${cell.fault} [${cell.variant}] × ${cell.surface}`, ok, outcome,
      attempts: attemptsOf(obs), sent: calls.length, ms: obs.elapsed, detail: problems.join("; ") });
  }

  const skipped = [];
  for (const name of names) {
    const applies = new Set(surfacesFor(name));
    for (const s of SURFACES) if (!applies.has(s)) skipped.push({ fault: name, surface: s, reason: skipReason(name, s) });
  }
  return { results, groups: [...groups].map(([group, cellsOf]) => ({ group, cells: cellsOf })), skipped, ms: Date.now() - t0, cells: cells.length };
}

function skipReason(name, surface) {
  if (name in STREAM_FAULTS) return "stream faults act only on stream: true chat requests";
  if (name === "slow-body") return "slow-body acts only on non-stream responses (stall-stream is its stream counterpart)";
  if (name === "job-not-found" || name.startsWith("poll-")) return "acts only on GET /v1/workflows/{job_id}";
  return "n/a";
}
