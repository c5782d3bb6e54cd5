// The public API, shared by every runtime entry. `glue` is the wasm-bindgen output; `ready`
// resolves once the module is instantiated (already resolved in Node and workerd).
export const VERSION = "0.1.0";

const KINDS = new Set(["validation", "authentication", "permission", "not_found", "conflict",
  "rate_limited", "quota", "timeout", "server", "unavailable", "session_expired", "job_failed",
  "stream", "aborted", "network", "unknown"]);

export class AgentError extends Error {
  constructor(fields) {
    super(fields && typeof fields.message === "string" ? fields.message : "unknown error");
    this.name = "AgentError";
    const f = fields || {};
    this.kind = KINDS.has(f.kind) ? f.kind : "unknown";
    if (f.status !== undefined) this.status = f.status;
    if (f.code !== undefined) this.code = f.code;
    if (f.requestId !== undefined) this.requestId = f.requestId;
    this.retryable = !!f.retryable;
    if (f.retryAfterMs !== undefined) this.retryAfterMs = f.retryAfterMs;
    if (f.rateLimit !== undefined) this.rateLimit = f.rateLimit;
    this.fieldErrors = Array.isArray(f.fieldErrors) ? f.fieldErrors : [];
    this.vendorFormat = f.vendorFormat || "client";
    if (f.details !== undefined) this.details = f.details;
    this.advice = f.advice || "";
    if (f.meta !== undefined) this.meta = f.meta;
  }
  toJSON() {
    const { name, message } = this;
    return { name, message, ...this };
  }
}

export function isAgentError(value) {
  return value instanceof AgentError ||
    (typeof value === "object" && value !== null && value.name === "AgentError" && KINDS.has(value.kind));
}

const errorFactory = (json) => new AgentError(JSON.parse(json));

export function createApi(glue, ready, isReady) {
  let registered = false;
  const wasm = () => {
    if (!isReady()) {
      throw new AgentError({ kind: "unknown", code: "NOT_INITIALISED", message:
        "agentwire's WebAssembly is still loading: await init() (or any async agentwire call) first",
        advice: "In a service worker, call `await init()` inside your event handler before using agentwire." });
    }
    if (!registered) { glue.setErrorFactory(errorFactory); registered = true; }
    return glue;
  };
  const whenReady = async () => { await ready(); return wasm(); };

  function flatHeaders(headers) {
    const flat = [];
    if (!headers) return flat;
    if (typeof headers.forEach === "function" && typeof headers.get === "function") {
      headers.forEach((v, k) => { flat.push(String(k), String(v)); });
    } else if (typeof headers === "object") {
      for (const [k, v] of Object.entries(headers)) {
        if (v === undefined || v === null) continue;
        flat.push(k, Array.isArray(v) ? v.join(", ") : String(v));
      }
    }
    return flat;
  }

  function bodyBytes(body) {
    if (body === undefined || body === null) return new Uint8Array(0);
    if (typeof body === "string") return new TextEncoder().encode(body);
    if (body instanceof Uint8Array) return body;
    if (body instanceof ArrayBuffer) return new Uint8Array(body);
    if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return new TextEncoder().encode(JSON.stringify(body));
  }

  function parseError(status, headers, body) {
    const s = Number(status);
    if (!Number.isInteger(s) || s < 0 || s > 65535) {
      throw new TypeError(`parseError: status must be an HTTP status code, got ${String(status)}`);
    }
    return wasm().parseErrorRaw(s, flatHeaders(headers), bodyBytes(body), Date.now());
  }

  const MAX_ERROR_BODY = 8 * 1024 * 1024;
  async function parseErrorResponse(response, { maxBytes = MAX_ERROR_BODY } = {}) {
    await ready();
    let bytes = new Uint8Array(0);
    if (response.body && typeof response.body.getReader === "function") {
      const reader = response.body.getReader();
      const parts = []; let total = 0;
      try {
        while (total < maxBytes) {
          const { done, value } = await reader.read();
          if (done) break;
          parts.push(value); total += value.byteLength;
        }
      } catch { /* a broken body still has a status worth classifying */ }
      finally { reader.cancel().catch(() => {}); }
      bytes = new Uint8Array(Math.min(total, maxBytes));
      let off = 0;
      for (const p of parts) { const n = Math.min(p.byteLength, bytes.length - off); bytes.set(p.subarray(0, n), off); off += n; if (off >= bytes.length) break; }
    } else if (typeof response.text === "function") {
      bytes = bodyBytes(await response.text().catch(() => ""));
    }
    return parseError(response.status, response.headers, bytes);
  }

  function asErrorJson(error) {
    if (isAgentError(error)) return JSON.stringify(error);
    const message = error instanceof Error ? error.message : String(error);
    return JSON.stringify({ kind: "unknown", message, retryable: false, vendorFormat: "client", advice: "" });
  }

  function runtimeName() {
    const g = globalThis;
    if (g.navigator && g.navigator.userAgent === "Cloudflare-Workers") return "workerd";
    if (g.chrome && g.chrome.runtime && g.chrome.runtime.id) return "extension";
    if (g.process && g.process.versions && g.process.versions.node) return `node ${g.process.versions.node}`;
    if (typeof g.document !== "undefined") return "browser";
    return "worker";
  }

  function reportContext(error, context) {
    const { client, secrets, ...rest } = context || {};
    const now = new Date();
    const fromMeta = {};
    if (isAgentError(error) && error.meta) {
      if (error.meta.attempts !== undefined) fromMeta.attempts = error.meta.attempts;
      if (error.meta.requestId !== undefined) fromMeta.requestId = error.meta.requestId;
    }
    return JSON.stringify({ sdkName: "agentwire", sdkVersion: VERSION, runtime: runtimeName(),
      timestampMs: now.getTime(), tzOffsetMinutes: -now.getTimezoneOffset(), ...fromMeta, ...rest });
  }

  function supportReport(error, context) {
    const w = wasm();
    const secrets = [];
    if (context && context.secrets) secrets.push(...context.secrets);
    const out = context && context.client instanceof AgentClient
      ? context.client[REPORT](asErrorJson(error), reportContext(error, context))
      : w.supportReportRaw(asErrorJson(error), reportContext(error, context), secrets);
    return JSON.parse(out);
  }

  class SseDecoder {
    #inner;
    constructor() { this.#inner = new (wasm().SseDecoder)(); }
    push(chunk) {
      const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : bodyBytes(chunk);
      return JSON.parse(this.#inner.push(bytes));
    }
    finish() { return this.#inner.finish(); }
    get lastEventId() { return this.#inner.lastEventId; }
  }

  const REPORT = Symbol("report");
  const OWN = new Set(["apiKey", "fetch", "logger"]);

  class AgentStream {
    #raw; #buffer = []; #at = 0; #done = false; #closeOnce;
    constructor(raw) {
      this.#raw = raw;
      this.meta = JSON.parse(raw.meta());
      this.#closeOnce = () => { if (!this.#done) { this.#done = true; raw.close(); } };
    }
    async next() {
      // An index into the batch, not shift(): shift is O(n) on the large batches of a fast stream.
      while (this.#at >= this.#buffer.length) {
        if (this.#done) return { done: true, value: undefined };
        let batch;
        try { batch = await this.#raw.next(); }
        catch (e) { this.#done = true; throw e; }
        if (batch === undefined) { this.#done = true; return { done: true, value: undefined }; }
        try { this.#buffer = JSON.parse(batch); }
        catch { this.#buffer = this.#raw.lastRaw().map((s) => { try { return JSON.parse(s); } catch { return s; } }); }
        this.#at = 0;
      }
      return { done: false, value: this.#buffer[this.#at++] };
    }
    async return() { this.#closeOnce(); this.#buffer = []; this.#at = 0; return { done: true, value: undefined }; }
    close() { this.#closeOnce(); }
    [Symbol.asyncIterator]() { return this; }
    toReadableStream() {
      return new ReadableStream({
        pull: async (ctl) => {
          try { const r = await this.next(); if (r.done) ctl.close(); else ctl.enqueue(r.value); }
          catch (e) { ctl.error(e); }
        },
        cancel: () => this.close(),
      });
    }
    /** Collects the whole stream into the text it carries (any of the three surfaces). */
    async text() {
      let out = "";
      for await (const ev of this) out += deltaText(ev);
      return out;
    }
  }

  function deltaText(ev) {
    if (!ev || typeof ev !== "object") return "";
    if (Array.isArray(ev.choices)) return ev.choices.map((c) => (c.delta && c.delta.content) || "").join("");
    if (ev.type === "response.output_text.delta" && typeof ev.delta === "string") return ev.delta;
    if (ev.type === "content_block_delta" && ev.delta && typeof ev.delta.text === "string") return ev.delta.text;
    return "";
  }

  function parseBody(text) {
    if (typeof text !== "string" || text === "") return null;
    const c = text.charCodeAt(0);
    if (c === 123 || c === 91) { try { return JSON.parse(text); } catch { return text; } }
    return text;
  }

  function specOf(o, extra) {
    const spec = { method: o.method || "GET", path: o.path };
    if (o.query) spec.query = Object.entries(o.query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]);
    if (o.headers) spec.headers = Object.entries(o.headers).map(([k, v]) => [k, String(v)]);
    for (const k of ["timeoutMs", "deadlineMs", "idempotencyKey", "requestId", "paid", "auth", "accept"]) if (o[k] !== undefined) spec[k] = o[k];
    return JSON.stringify(Object.assign(spec, extra));
  }

  function encodeBody(body) {
    if (body === undefined || body === null) return [undefined, undefined];
    if (typeof body === "string") return [body, "application/json"];
    if ((typeof FormData !== "undefined" && body instanceof FormData) || (typeof Blob !== "undefined" && body instanceof Blob) || body instanceof Uint8Array || body instanceof ArrayBuffer) return [body, undefined];
    return [JSON.stringify(body), "application/json"];
  }

  const sleep = (ms, signal) => new Promise((resolve) => {
    if (signal && signal.aborted) return resolve(false);
    const done = (v) => { clearTimeout(t); if (signal) signal.removeEventListener("abort", onAbort); resolve(v); };
    const onAbort = () => done(false);
    const t = setTimeout(() => done(true), ms);
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
  });

  const abortedError = () => new AgentError({ kind: "aborted", message: "the operation was aborted by the caller's AbortSignal", vendorFormat: "client", advice: "Nothing to do: the caller asked to stop." });

  class AgentClient {
    #inner; #auth;
    constructor(options = {}) {
      if (typeof options !== "object" || options === null) throw new TypeError("new AgentClient(options): options must be an object");
      const rest = {};
      for (const [k, v] of Object.entries(options)) if (!OWN.has(k)) rest[k] = v;
      if (options.fetch !== undefined && typeof options.fetch !== "function") throw new AgentError({ kind: "validation", code: "INVALID_OPTION", message: "options.fetch must be a function (a fetch implementation)", details: { option: "fetch" } });
      if (options.apiKey !== undefined && typeof options.apiKey !== "string") throw new AgentError({ kind: "validation", code: "INVALID_OPTION", message: "options.apiKey must be a string", details: { option: "apiKey" } });
      this.#inner = new (wasm().Client)(JSON.stringify(rest), options.apiKey, options.fetch, options.logger);
      this.#auth = options.auth;
      this.chat = { completions: (req, o) => this.#surface("/v1/chat/completions", undefined, req, o),
        completionsStream: (req, o) => this.#surface("/v1/chat/completions", undefined, { ...req, stream: true }, o) };
      this.openai = { responses: (req, o) => this.#surface("/v1/openai/responses", "bearer", req, o),
        responsesStream: (req, o) => this.#surface("/v1/openai/responses", "bearer", { ...req, stream: true }, o) };
      const anthropicHeaders = { "anthropic-version": "2023-06-01" };
      this.anthropic = { messages: (req, o) => this.#surface("/v1/anthropic/messages", "bearer", req, { ...o, headers: { ...anthropicHeaders, ...(o && o.headers) } }),
        messagesStream: (req, o) => this.#surface("/v1/anthropic/messages", "bearer", { ...req, stream: true }, { ...o, headers: { ...anthropicHeaders, ...(o && o.headers) } }) };
      this.workflows = {
        run: (appId, inputs, o) => this.#run(appId, inputs, o),
        get: (jobId, o) => this.#job(jobId, o),
        wait: (jobId, o) => this.#wait(jobId, o),
        runAndWait: async (appId, inputs, o) => { const { jobId } = await this.#run(appId, inputs, o); return this.#wait(jobId, o); },
        outputUrl: (jobId, stepId, o) => this.#outputUrl(jobId, stepId, o),
      };
      this.files = { upload: (file, o) => this.#upload(file, o) };
    }

    /** Any endpoint, with timeouts, retries, request ids and typed errors. */
    async request(o) {
      if (!o || typeof o.path !== "string") throw new TypeError("client.request({ path }): path is required, e.g. \"/v1/chat/completions\"");
      const [body, contentType] = encodeBody(o.body);
      const r = await this.#inner.request(specOf(o, contentType ? { contentType } : {}), body, o.signal);
      return { data: parseBody(r.body), status: r.status, meta: JSON.parse(r.meta) };
    }

    /** Opens an SSE stream; resolves once headers arrive (failures before that are retried). */
    async stream(o) {
      if (!o || typeof o.path !== "string") throw new TypeError("client.stream({ path }): path is required");
      const [body, contentType] = encodeBody(o.body);
      const raw = await this.#inner.stream(specOf(o, contentType ? { contentType } : {}), body, o.signal);
      return new AgentStream(raw);
    }

    #surface(path, defaultAuth, req, o = {}) {
      if (!req || typeof req !== "object") throw new TypeError(`${path}: the request must be an object`);
      const auth = this.#auth === undefined ? defaultAuth : undefined;
      const call = { ...o, method: "POST", path, body: req, paid: true, auth: o.auth ?? auth };
      return req.stream ? this.stream(call) : this.request(call).then((r) => Object.assign(r.data ?? {}, { meta: r.meta }));
    }

    async #run(appId, inputs, o = {}) {
      if (typeof appId !== "string" || appId === "") throw new TypeError("workflows.run(appId, inputs): appId must be the workflow's UUID");
      const body = { app_id: appId, inputs: inputs ?? {}, is_draft_app: !!o.draft };
      const r = await this.request({ ...o, method: "POST", path: "/v1/workflows/run", body, paid: true });
      const jobId = r.data && r.data.job_id;
      if (typeof jobId !== "string") throw new AgentError({ kind: "unknown", status: r.status, message: "the workflow run response has no job_id", requestId: r.meta.requestId, meta: r.meta, advice: "Report this response to support with the request id." });
      return { jobId, status: r.data.status, meta: r.meta };
    }

    async #job(jobId, o = {}) {
      if (typeof jobId !== "string" || jobId === "") throw new TypeError("workflows.get(jobId): jobId is required");
      const r = await this.request({ ...o, method: "GET", path: `/v1/workflows/${encodeURIComponent(jobId)}` });
      return Object.assign(r.data ?? {}, { meta: r.meta });
    }

    async #wait(jobId, o = {}) {
      const { signal, timeoutMs = 10 * 60_000, pollIntervalMs = 2_000, maxPollIntervalMs = 15_000, onProgress } = o;
      const started = Date.now();
      let interval = pollIntervalMs, lastStatus;
      // The one timeout a caller sees, whichever part of the wait ran out: it says how to resume.
      const waitTimeout = () => new AgentError({ kind: "timeout", code: "WORKFLOW_WAIT_TIMEOUT", retryable: true, message: `workflow job ${jobId} did not finish within ${timeoutMs} ms (last status: ${lastStatus ?? "unknown"})`, details: { jobId, lastStatus }, advice: `The job may still be running: call workflows.wait("${jobId}") again later to resume.` });
      for (;;) {
        const left = timeoutMs - (Date.now() - started);
        if (left <= 0) throw waitTimeout();
        const wait = Math.min(interval * (0.8 + Math.random() * 0.4), left);
        if (!(await sleep(wait, signal))) throw abortedError();
        interval = Math.min(interval * 1.5, maxPollIntervalMs);
        let job;
        try { job = await this.#job(jobId, { signal, deadlineMs: Math.max(1, timeoutMs - (Date.now() - started)) }); }
        catch (e) {
          if (isAgentError(e) && e.kind === "aborted") throw e;
          if (isAgentError(e) && e.kind === "timeout" && (e.code === "DEADLINE_EXCEEDED" || Date.now() - started >= timeoutMs - 10)) throw waitTimeout();
          if (isAgentError(e) && e.retryable && e.kind !== "quota") {
            if (e.retryAfterMs) interval = Math.max(interval, e.retryAfterMs);
            continue;
          }
          if (isAgentError(e) && !e.details) e.details = { jobId };
          throw e;
        }
        lastStatus = job.status;
        const steps = Array.isArray(job.step_outputs) ? job.step_outputs : [];
        if (onProgress) {
          try { onProgress({ jobId, status: job.status, stepsDone: steps.filter((s) => s.status === "complete").length, totalSteps: job.number_of_steps ?? steps.length, latestStep: steps[steps.length - 1], elapsedMs: Date.now() - started, job }); } catch { /* a throwing callback must not stop the wait */ }
        }
        if (job.status === "complete") return job;
        if (job.status === "failed") throw this.#jobFailed(job);
      }
    }

    #jobFailed(job) {
      const steps = Array.isArray(job.step_outputs) ? job.step_outputs : [];
      const step = steps.find((s) => s.status === "failed" || s.status === "error");
      const err = job.error || {};
      return new AgentError({ kind: "job_failed", code: err.code || "JOB_FAILED", retryable: false, vendorFormat: "failed_task",
        message: `workflow job ${job.job_id} failed${step ? ` at step ${step.step_id}` : ""}: ${err.message || (step && typeof step.output_data === "string" ? step.output_data.slice(0, 300) : "no reason given")}`,
        requestId: job.meta && job.meta.requestId, meta: job.meta,
        details: { jobId: job.job_id, stepId: step && step.step_id, stepType: step && step.step_type, error: err },
        advice: "Look at the failing step's output and the workflow's inputs; re-run with workflows.run once fixed. Include the job id and step id if you contact support." });
    }

    async #outputUrl(jobId, stepId, o = {}) {
      const body = { job_id: jobId, step_id: stepId, expires_in: o.expiresIn ?? 3600 };
      const r = await this.request({ ...o, method: "POST", path: "/v1/workflows/presigned-url", body, paid: false });
      return { url: r.data.url, expiresIn: r.data.expires_in, meta: r.meta };
    }

    async #upload(file, o = {}) {
      let blob;
      if (typeof Blob !== "undefined" && file instanceof Blob) blob = file;
      else if (file instanceof Uint8Array || file instanceof ArrayBuffer) blob = new Blob([file], { type: o.contentType || "application/octet-stream" });
      else throw new AgentError({ kind: "validation", code: "INVALID_FILE", message: "files.upload(file): file must be a Blob, File, Uint8Array or ArrayBuffer", advice: "Pass the file's bytes or a Blob." });
      if (blob.size === 0) throw new AgentError({ kind: "validation", code: "EMPTY_FILE", message: "files.upload: the file is empty (0 bytes)", advice: "Check that the file was read completely." });
      const max = this.#inner.maxUploadBytes;
      if (blob.size > max) throw new AgentError({ kind: "validation", code: "FILE_TOO_LARGE", message: `files.upload: the file is ${blob.size} bytes, over the ${max}-byte limit (maxUploadBytes)`, advice: "Split the file, or raise maxUploadBytes if the platform accepts larger files." });
      const form = new FormData();
      const name = o.filename || (typeof File !== "undefined" && file instanceof File ? file.name : "upload.bin");
      form.append("file", blob, name);
      if (o.scopeType) form.append("scope_type", o.scopeType);
      if (o.scopeId) form.append("scope_id", o.scopeId);
      const r = await this.request({ ...o, method: "POST", path: "/v1/files/upload", body: form, paid: true });
      const d = r.data || {};
      return { fileUuid: d.file_uuid ?? d.fileUuid ?? d.uuid ?? d.id, filename: d.filename, size: d.size, meta: r.meta };
    }

    supportReport(error, context) { return supportReport(error, { ...context, client: this }); }
    [REPORT](errorJson, ctxJson) { return this.#inner.report(errorJson, ctxJson); }
    toJSON() { return JSON.parse(this.#inner.describe()); }
    toString() { return `AgentClient ${this.#inner.describe()}`; }
    [Symbol.for("nodejs.util.inspect.custom")]() { return this.toString(); }

    /** Async construction that first waits for the WebAssembly module (service workers). */
    static async create(options) { await whenReady(); return new AgentClient(options); }
  }

  return { AgentClient, AgentStream, SseDecoder, parseError, parseErrorResponse, supportReport };
}
