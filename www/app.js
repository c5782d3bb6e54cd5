// agentwire playground. Plain ES module, no framework. The package is loaded from /pkg/web.js,
// whose top-level await fetches agentwire_bg.wasm beside it.

const $ = (id) => document.getElementById(id);
const statusEl = $("status");

let aw;
try {
  aw = await import("/pkg/web.js");
} catch (e) {
  statusEl.textContent = `Could not load /pkg/web.js (${e && e.message}). Build the package first: scripts/build.sh`;
  statusEl.className = "status bad";
  throw e;
}

// ------------------------------------------------------------------ settings

const config = await fetch("/config.json").then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
const KEY_SLOT = "agentwire.playground.apiKey";

// The key is held in this variable (and the password field) only. It goes to sessionStorage
// solely when the user ticks "remember in this tab"; never to the URL or localStorage.
let apiKey = "";
try {
  const saved = sessionStorage.getItem(KEY_SLOT);
  if (saved) { apiKey = saved; $("remember").checked = true; }
} catch { /* storage disabled */ }
$("apiKey").value = apiKey;
$("baseUrl").value = config.platformUrl || "https://ai.hatz.ai";
$("version").textContent = aw.VERSION;

function persistKey() {
  try {
    if ($("remember").checked && apiKey) sessionStorage.setItem(KEY_SLOT, apiKey);
    else sessionStorage.removeItem(KEY_SLOT);
  } catch { /* storage disabled */ }
}
$("apiKey").addEventListener("input", (e) => { apiKey = e.target.value.trim(); persistKey(); });
$("remember").addEventListener("change", persistKey);

const baseUrl = () => $("baseUrl").value.trim().replace(/\/+$/, "");
const isLocalPlatform = () => !!config.platformUrl && baseUrl() === config.platformUrl.replace(/\/+$/, "");

function isLoopbackHttp(url) {
  try {
    const u = new URL(url);
    return u.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  } catch { return false; }
}

function makeClient(extra = {}) {
  if (!apiKey) throw new aw.AgentError({ kind: "validation", code: "NO_KEY", vendorFormat: "client",
    message: "Enter an API key in Settings first (the local platform accepts any key starting with test-).",
    advice: "Type test-key into the API key field." });
  return new aw.AgentClient({
    baseUrl: baseUrl(),
    apiKey,
    // A page can be read by whoever opens it, so agentwire asks for this explicit opt-in.
    dangerouslyAllowBrowser: true,
    // Plain http is only allowed towards this machine (the local platform).
    allowInsecureHttp: isLoopbackHttp(baseUrl()),
    ...extra,
  });
}

const secretsFor = () => (apiKey ? [apiKey] : []);

// ------------------------------------------------------------------ surfaces

function chatCall(client, surface, text, { stream, headers = {}, signal } = {}) {
  const model = $("model").value.trim() || "gpt-4o";
  const messages = [{ role: "user", content: text }];
  const opts = { headers, signal };
  if (surface === "openai") return client.openai.responses({ model, input: text, stream }, opts);
  if (surface === "anthropic") return client.anthropic.messages({ model, max_tokens: 1024, messages, stream }, opts);
  return client.chat.completions({ model, messages, stream }, opts);
}

function deltaOf(ev) {
  if (!ev || typeof ev !== "object") return "";
  if (Array.isArray(ev.choices)) return ev.choices.map((c) => (c.delta && c.delta.content) || "").join("");
  if (ev.type === "response.output_text.delta" && typeof ev.delta === "string") return ev.delta;
  if (ev.type === "content_block_delta" && ev.delta && typeof ev.delta.text === "string") return ev.delta.text;
  return "";
}

function textOf(res) {
  if (Array.isArray(res.choices)) return res.choices.map((c) => (c.message && c.message.content) || "").join("");
  if (typeof res.output_text === "string") return res.output_text;
  if (Array.isArray(res.output)) return res.output.flatMap((o) => o.content || []).map((c) => c.text || "").join("");
  if (Array.isArray(res.content)) return res.content.map((c) => c.text || "").join("");
  return JSON.stringify(res);
}

function metaLine(meta, extra = "") {
  if (!meta) return extra;
  const parts = [`request id ${meta.requestId ?? "—"}`, `attempts ${meta.attempts}`];
  if (meta.status !== undefined) parts.push(`status ${meta.status}`);
  if (meta.waitedMs) parts.push(`waited ${meta.waitedMs} ms`);
  if (meta.durationMs !== undefined) parts.push(`${meta.durationMs} ms`);
  if (extra) parts.push(extra);
  return parts.join(" · ");
}

function describeError(e) {
  if (!aw.isAgentError(e)) return `${e && e.name ? e.name : "Error"}: ${e && e.message ? e.message : String(e)}`;
  const lines = [`${e.kind}${e.code ? ` (${e.code})` : ""}${e.status ? ` — HTTP ${e.status}` : ""}: ${e.message}`];
  if (e.requestId) lines.push(`request id: ${e.requestId}`);
  if (e.meta) lines.push(`attempts: ${e.meta.attempts}`);
  lines.push(`retryable: ${e.retryable}${e.retryAfterMs !== undefined ? ` · retryAfterMs: ${e.retryAfterMs}` : ""}`);
  if (e.advice) lines.push(`advice: ${e.advice}`);
  return lines.join("\n");
}

// Slows the local platform's stream a little so tokens are seen arriving (local platform only).
const demoHeaders = () => (isLocalPlatform() ? { "x-agentwire-delay-ms": "40" } : {});

// ------------------------------------------------------------------ (a) chat

let chatAbort = null;
async function runChat(stream) {
  const out = $("chatOut"), meta = $("chatMeta");
  out.textContent = ""; out.classList.remove("error"); meta.textContent = "";
  chatAbort = new AbortController();
  $("chatSend").disabled = $("chatSendPlain").disabled = true; $("chatStop").disabled = false;
  const surface = $("surface").value;
  let info;
  try {
    const client = makeClient();
    info = `surface ${surface}`;
    if (stream) {
      const s = await chatCall(client, surface, $("chatPrompt").value, { stream: true, headers: demoHeaders(), signal: chatAbort.signal });
      meta.textContent = metaLine(s.meta, `${info} · streaming…`);
      let tokens = 0;
      for await (const ev of s) {
        const d = deltaOf(ev);
        if (d) { out.textContent += d; tokens++; }
      }
      meta.textContent = metaLine(s.meta, `${info} · ${tokens} deltas · done`);
    } else {
      const r = await chatCall(client, surface, $("chatPrompt").value, { stream: false, signal: chatAbort.signal });
      out.textContent = textOf(r);
      meta.textContent = metaLine(r.meta, info);
    }
    out.dataset.done = "1";
  } catch (e) {
    out.classList.add("error");
    out.textContent += (out.textContent ? "\n\n" : "") + describeError(e);
    if (aw.isAgentError(e)) meta.textContent = metaLine(e.meta, info);
  } finally {
    chatAbort = null;
    $("chatSend").disabled = $("chatSendPlain").disabled = false; $("chatStop").disabled = true;
  }
}
$("chatSend").addEventListener("click", () => runChat(true));
$("chatSendPlain").addEventListener("click", () => runChat(false));
$("chatStop").addEventListener("click", () => chatAbort && chatAbort.abort());

// ------------------------------------------------------------------ (b) workflow

let wfAbort = null;
function setProgress(pct, state) {
  const p = Math.max(0, Math.min(100, Math.round(pct)));
  $("wfFill").style.width = `${p}%`;
  $("wfPct").textContent = `${p}%`;
  $("wfBar").setAttribute("aria-valuenow", String(p));
  $("wfBar").className = `progress${state ? ` ${state}` : ""}`;
}

function renderSteps(job) {
  const list = $("wfSteps");
  list.textContent = "";
  const steps = Array.isArray(job && job.step_outputs) ? job.step_outputs : [];
  steps.forEach((s, i) => {
    const li = document.createElement("li");
    const st = document.createElement("span");
    st.className = `st ${s.status}`; st.textContent = s.status;
    const body = document.createElement("span");
    const dur = typeof s.duration === "number" ? ` · ${Math.round(s.duration * (s.duration < 50 ? 1000 : 1))} ms` : "";
    body.innerHTML = "";
    const title = document.createElement("strong");
    title.textContent = `Step ${i + 1}`;
    const rest = document.createElement("span");
    rest.className = "out";
    rest.textContent = ` ${s.step_type ?? ""}${dur}${s.output_data ? ` — ${String(typeof s.output_data === "string" ? s.output_data : JSON.stringify(s.output_data)).slice(0, 160)}` : ""}`;
    body.append(title, rest);
    li.append(st, body);
    list.append(li);
  });
}

async function runWorkflow() {
  const meta = $("wfMeta");
  meta.textContent = ""; meta.classList.remove("error");
  $("wfSteps").textContent = "";
  setProgress(0);
  let inputs;
  try { inputs = JSON.parse($("wfInputs").value || "{}"); }
  catch (e) { meta.textContent = `Inputs are not valid JSON: ${e.message}`; meta.classList.add("error"); return; }
  wfAbort = new AbortController();
  $("wfRun").disabled = true; $("wfStop").disabled = false;
  try {
    const client = makeClient();
    const appId = $("wfApp").value.trim();
    const { jobId, meta: runMeta } = await client.workflows.run(appId, inputs, { signal: wfAbort.signal });
    meta.textContent = `job ${jobId} · invoked · ${metaLine(runMeta)}`;
    const job = await client.workflows.wait(jobId, {
      signal: wfAbort.signal, pollIntervalMs: 250, maxPollIntervalMs: 1000,
      onProgress: (p) => {
        const pct = p.totalSteps ? (100 * p.stepsDone) / p.totalSteps : 0;
        setProgress(pct);
        meta.textContent = `job ${p.jobId} · ${p.status} · ${p.stepsDone}/${p.totalSteps} steps · ${(p.elapsedMs / 1000).toFixed(1)} s`;
        renderSteps(p.job);
      },
    });
    setProgress(100, "done");
    renderSteps(job);
    meta.textContent = `job ${job.job_id} · complete · ${(job.step_outputs || []).length} steps · last poll ${metaLine(job.meta)}`;
  } catch (e) {
    setProgress(parseInt($("wfPct").textContent, 10) || 0, "failed");
    meta.classList.add("error");
    meta.textContent = describeError(e);
  } finally {
    wfAbort = null;
    $("wfRun").disabled = false; $("wfStop").disabled = true;
  }
}
$("wfRun").addEventListener("click", runWorkflow);
$("wfStop").addEventListener("click", () => wfAbort && wfAbort.abort());

// ------------------------------------------------------------------ (c) error inspector

const EXAMPLES = {
  zazmic429: [429, "Retry-After: 45\nX-RateLimit-Limit: 10\nX-RateLimit-Remaining: 0\nX-Request-ID: req_demo_429",
    '{"error":"Rate limit exceeded","message":"You have exceeded the rate limit of 10 requests per minute","statusCode":429,"details":{"retryAfter":45}}'],
  fastapi422: [422, "content-type: application/json",
    '{"detail":[{"loc":["body","messages"],"msg":"field required","type":"value_error.missing"},{"loc":["body","model"],"msg":"field required","type":"value_error.missing"}]}'],
  html502: [502, "content-type: text/html\ncf-ray: 8f1c2a3b4c5d6e7f-AMS",
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>"],
  openaiQuota: [429, "x-request-id: req_abc123",
    '{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}'],
  agntix404: [404, "X-Request-ID: my-req-1",
    '{"error":{"code":"SESSION_NOT_FOUND","message":"The session you requested does not exist or has expired.","requestId":"my-req-1"}}'],
};

function parseHeaderLines(text) {
  const headers = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i <= 0) continue;
    const name = line.slice(0, i).trim(), value = line.slice(i + 1).trim();
    if (!name) continue;
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

function fmt(v) {
  if (v === undefined) return "—";
  if (typeof v === "string") return v === "" ? '""' : v;
  return JSON.stringify(v);
}

function inspect() {
  const fields = $("inFields");
  fields.textContent = "";
  let err;
  try {
    err = aw.parseError(Number($("inStatus").value), parseHeaderLines($("inHeaders").value), $("inBody").value);
  } catch (e) {
    const dt = document.createElement("dt"); dt.textContent = "error";
    const dd = document.createElement("dd"); dd.className = "error"; dd.textContent = e.message;
    fields.append(dt, dd);
    $("inReportBox").hidden = true;
    return;
  }
  const rows = [["kind", err.kind], ["code", err.code], ["status", err.status], ["message", err.message],
    ["retryable", err.retryable], ["retryAfterMs", err.retryAfterMs], ["requestId", err.requestId],
    ["vendorFormat", err.vendorFormat], ["rateLimit", err.rateLimit],
    ["fieldErrors", err.fieldErrors && err.fieldErrors.length ? err.fieldErrors.map((f) => `${f.path}: ${f.message}`).join("\n") : "[]"],
    ["advice", err.advice]];
  for (const [k, v] of rows) {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = fmt(v); dd.dataset.field = k;
    fields.append(dt, dd);
  }
  $("inReport").textContent = aw.supportReport(err, { secrets: secretsFor() }).text;
  $("inReportBox").hidden = false;
}
$("inParse").addEventListener("click", inspect);
document.querySelectorAll("[data-example]").forEach((b) => b.addEventListener("click", () => {
  const [s, h, body] = EXAMPLES[b.dataset.example];
  $("inStatus").value = s; $("inHeaders").value = h; $("inBody").value = body;
  inspect();
}));
$("inCopy").addEventListener("click", async () => {
  const text = $("inReport").textContent;
  try { await navigator.clipboard.writeText(text); $("inCopy").textContent = "Copied"; }
  catch {
    const r = document.createRange(); r.selectNodeContents($("inReport"));
    const sel = getSelection(); sel.removeAllRanges(); sel.addRange(r);
    $("inCopy").textContent = "Selected — press Ctrl+C";
  }
  setTimeout(() => { $("inCopy").textContent = "Copy"; }, 1500);
});

// ------------------------------------------------------------------ (d) fault picker

const rid = () => Math.random().toString(36).slice(2, 8);
const FALLBACK_FAULTS = ["rate-limit", "status-503", "html-502", "text-503", "truncated-stream", "mid-stream-error", "credit-overage", "dialect-openai-429-quota"]
  .map((name) => ({ name, description: "", example: name }));
let faultList = FALLBACK_FAULTS;

function defaultSpec(name) {
  if (name === "rate-limit") return `rate-limit;retry-after=1;times=1;id=${rid()}`;
  if (/^status-5\d\d$/.test(name) || name === "status-429" || name === "status-408") return `${name};times=2;id=${rid()}`;
  if (["html-502", "text-503", "dialect-zazmic-429", "dialect-zazmic-503", "dialect-anthropic-529", "dialect-openai-429-rate", "dialect-agntix-503"].includes(name)) return `${name};times=1;id=${rid()}`;
  if (name === "slow-headers") return "slow-headers;ms=1500";
  if (name === "stall-stream") return "stall-stream;ms=1500";
  return name;
}

function fillFaults() {
  const sel = $("faultName");
  sel.textContent = "";
  for (const f of faultList) {
    if (["hang", "reset"].includes(f.name)) continue; // fine to try, but not as one-click choices
    const o = document.createElement("option");
    o.value = f.name; o.textContent = f.name;
    sel.append(o);
  }
  sel.value = "rate-limit";
  onFaultChange();
}

function onFaultChange() {
  const name = $("faultName").value;
  const f = faultList.find((x) => x.name === name);
  $("faultSpec").value = defaultSpec(name);
  $("faultDesc").textContent = f && f.description ? f.description : "";
  $("faultStream").checked = /stream/.test(name);
}
$("faultName").addEventListener("change", onFaultChange);

async function loadFaults() {
  try {
    const r = await fetch(`${baseUrl()}/__faults`);
    if (r.ok) {
      const j = await r.json();
      if (Array.isArray(j.faults) && j.faults.length) faultList = j.faults;
    }
  } catch { /* not the local platform: keep the short built-in list */ }
  fillFaults();
}

const t0 = performance.now();
function logLine(level, message) {
  const log = $("faultLog");
  const line = document.createElement("div");
  const retry = / retry /.test(` ${message} `);
  line.className = retry ? "retry" : level === "warn" || level === "error" ? "warn" : "";
  line.textContent = `${((performance.now() - t0) / 1000).toFixed(2).padStart(7)}s ${level.padEnd(5)} ${message}`;
  log.append(line);
  log.scrollTop = log.scrollHeight;
}
const panelLogger = {
  debug: (m) => logLine("debug", m), info: (m) => logLine("info", m),
  warn: (m) => logLine("warn", m), error: (m) => logLine("error", m),
};

async function sendFault() {
  const out = $("faultResult");
  out.textContent = ""; out.classList.remove("error"); delete out.dataset.done;
  // A fresh counter id per send, so `times=N` faults fail again on the next click.
  let spec = $("faultSpec").value.trim();
  if (/;id=[^;]*/.test(spec)) { spec = spec.replace(/;id=[^;]*/, `;id=${rid()}`); $("faultSpec").value = spec; }
  const stream = $("faultStream").checked;
  const surface = $("surface").value;
  logLine("info", `── sending ${stream ? "a streamed " : ""}chat on ${surface} with x-agentwire-fault: ${spec || "(none)"}`);
  $("faultSend").disabled = true;
  let text = "";
  try {
    const client = makeClient({ logger: panelLogger, logLevel: "info" });
    const headers = spec ? { "x-agentwire-fault": spec } : {};
    const prompt = "one two three four five six";
    if (stream) {
      const s = await chatCall(client, surface, prompt, { stream: true, headers });
      for await (const ev of s) { text += deltaOf(ev); out.textContent = text; }
      out.textContent = `${text}\n\n✓ ${metaLine(s.meta)}`;
    } else {
      const r = await chatCall(client, surface, prompt, { stream: false, headers });
      text = textOf(r);
      out.textContent = `${text}\n\n✓ ${metaLine(r.meta)}`;
    }
    logLine("info", "── succeeded");
  } catch (e) {
    out.classList.add("error");
    out.textContent = (text ? `${text}\n\n` : "") + describeError(e);
    logLine("error", `── failed: ${aw.isAgentError(e) ? e.kind : "error"}`);
  } finally {
    out.dataset.done = "1";
    $("faultSend").disabled = false;
  }
}
$("faultSend").addEventListener("click", sendFault);
$("faultClear").addEventListener("click", () => { $("faultLog").textContent = ""; });

await loadFaults();
statusEl.textContent = `Ready — agentwire ${aw.VERSION}, WebAssembly loaded.${config.platformUrl ? ` Local platform: ${config.platformUrl} (keys: test-…)` : ""}`;
statusEl.className = "status ok";
document.body.dataset.ready = "1";
