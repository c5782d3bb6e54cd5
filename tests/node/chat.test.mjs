// The chat surfaces: Hatz chat completions, the OpenAI Responses gateway and the Anthropic
// Messages gateway, as JSON and as streams, with mid-stream errors, truncation, stalls, early
// exits and aborts.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as aw from "../../pkg/node.js";
import { startPlatform } from "../../www/platform/server.mjs";

const KEY = "test-chat-91c0d7";
const PROMPT = "one two three four five six";
const ANSWER = `echo: ${PROMPT}`;
let p;
let uid = 0;
const id = (prefix) => `${prefix}-${process.pid}-${++uid}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function client(extra = {}) {
  return new aw.AgentClient({ baseUrl: p.url, apiKey: KEY, retryBaseDelayMs: 10, retryMaxDelayMs: 50, ...extra });
}
const chatReq = (extra = {}) => ({ model: "m", messages: [{ role: "user", content: PROMPT }], ...extra });
const openaiReq = (extra = {}) => ({ model: "m", input: PROMPT, ...extra });
const anthropicReq = (extra = {}) => ({ model: "m", max_tokens: 64, messages: [{ role: "user", content: PROMPT }], ...extra });
const fault = (f, extra = {}) => ({ headers: { "x-agentwire-fault": f, ...extra } });

function deltaText(ev) {
  if (Array.isArray(ev.choices)) return ev.choices.map((c) => (c.delta && c.delta.content) || "").join("");
  if (ev.type === "response.output_text.delta") return ev.delta;
  if (ev.type === "content_block_delta") return ev.delta.text;
  return "";
}

/** Iterates a stream, returning the events seen and the error thrown (if any). */
async function drain(stream) {
  const events = [];
  try {
    for await (const ev of stream) events.push(ev);
  } catch (error) {
    return { events, error };
  }
  return { events, error: undefined };
}

before(async () => { p = await startPlatform({ port: 0, rateLimit: { limit: 100_000, windowMs: 60_000 } }); });
after(async () => { await p.close(); });

describe("Hatz chat completions", () => {
  test("JSON answer and meta", async () => {
    const r = await client().chat.completions(chatReq());
    assert.equal(r.choices[0].message.content, ANSWER);
    assert.equal(r.choices[0].message.role, "assistant");
    assert.match(r.meta.requestId, /^[A-Za-z0-9._:-]{8,128}$/);
    assert.equal(r.meta.status, 200);
    assert.equal(r.meta.attempts, 1);
    assert.equal(typeof r.usage.total_tokens, "number");
    assert.equal(p.log.at(-1).requestId, r.meta.requestId);
    assert.equal(p.log.at(-1).auth, "x-api-key");
  });

  test("stream with for await: concatenated deltas equal the JSON answer", async () => {
    const c = client();
    const json = await c.chat.completions(chatReq());
    const s = await c.chat.completions(chatReq({ stream: true }));
    assert.ok(s instanceof aw.AgentStream);
    assert.match(s.meta.requestId, /^[A-Za-z0-9._:-]{8,128}$/);
    let text = "";
    let chunks = 0;
    for await (const ev of s) { text += deltaText(ev); chunks++; }
    assert.equal(text, json.choices[0].message.content);
    assert.ok(chunks >= 7, `chunks ${chunks}`);
  });

  test("completionsStream + stream.text()", async () => {
    const s = await client().chat.completionsStream(chatReq());
    assert.equal(await s.text(), ANSWER);
  });

  test("toReadableStream() read to the end", async () => {
    const s = await client().chat.completions(chatReq({ stream: true }));
    const reader = s.toReadableStream().getReader();
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += deltaText(value);
    }
    assert.equal(text, ANSWER);
  });

  test("iterating after the end keeps returning done", async () => {
    const s = await client().chat.completions(chatReq({ stream: true }));
    await s.text();
    assert.deepEqual(await s.next(), { done: true, value: undefined });
  });
});

describe("OpenAI responses", () => {
  test("JSON: output text", async () => {
    const r = await client().openai.responses(openaiReq());
    assert.equal(r.object, "response");
    assert.equal(r.output_text, ANSWER);
    assert.equal(r.output[0].content[0].text, ANSWER);
    assert.ok(r.meta.requestId);
    assert.equal(p.log.at(-1).auth, "bearer", "the gateway defaults to bearer");
  });

  test("stream: deltas join to the output text; ends with response.completed", async () => {
    const s = await client().openai.responses(openaiReq({ stream: true }));
    const { events, error } = await drain(s);
    assert.equal(error, undefined);
    const types = events.map((e) => e.type);
    assert.equal(types[0], "response.created");
    assert.equal(types.at(-1), "response.completed");
    assert.equal(events.map(deltaText).join(""), ANSWER);
    assert.equal(events.at(-1).response.output_text, ANSWER);
  });

  test("responsesStream().text()", async () => {
    assert.equal(await (await client().openai.responsesStream(openaiReq())).text(), ANSWER);
  });
});

describe("Anthropic messages", () => {
  test("JSON: content text", async () => {
    const r = await client().anthropic.messages(anthropicReq());
    assert.equal(r.type, "message");
    assert.equal(r.content[0].text, ANSWER);
    assert.ok(r.meta.requestId);
    assert.equal(p.log.at(-1).headers["anthropic-version"], "2023-06-01");
  });

  test("stream: message_start … message_stop, text deltas", async () => {
    const s = await client().anthropic.messages(anthropicReq({ stream: true }));
    const { events, error } = await drain(s);
    assert.equal(error, undefined);
    const types = events.map((e) => e.type);
    assert.equal(types[0], "message_start");
    assert.equal(types.at(-1), "message_stop");
    for (const t of ["content_block_start", "content_block_delta", "content_block_stop", "message_delta"]) assert.ok(types.includes(t), t);
    assert.equal(events.map(deltaText).join(""), ANSWER);
  });

  test("messagesStream().text()", async () => {
    assert.equal(await (await client().anthropic.messagesStream(anthropicReq())).text(), ANSWER);
  });
});

describe("mid-stream errors", () => {
  const cases = [
    ["mid-stream-error", "chat", undefined],
    ["mid-stream-error-insufficient-balance", "chat", "quota"],
    ["mid-stream-error-rate-limit-exceeded", "chat", "rate_limited"],
    ["anthropic-stream-error", "anthropic", "unavailable"],
  ];
  for (const [f, surface, kind] of cases) {
    test(`${f} → thrown from the iterator after the earlier events${kind ? ` (kind ${kind})` : ""}`, async () => {
      const c = client();
      const s = surface === "chat"
        ? await c.chat.completions(chatReq({ stream: true }), fault(f))
        : await c.anthropic.messages(anthropicReq({ stream: true }), fault(f));
      const { events, error } = await drain(s);
      assert.ok(error instanceof aw.AgentError, `an AgentError is thrown (got ${error})`);
      if (kind) assert.equal(error.kind, kind, error.message);
      else assert.ok(error.kind !== "unknown", `kind ${error.kind}`);
      const words = events.map(deltaText).join("");
      assert.equal(words, "echo: one ", "the two word chunks before the error were yielded");
      assert.ok(error.requestId, "the error carries the request id");
      assert.deepEqual(await s.next(), { done: true, value: undefined }, "the stream is finished after the error");
    });
  }

  test("mid-stream error through stream.text() rejects", async () => {
    const s = await client().chat.completions(chatReq({ stream: true }), fault("mid-stream-error-insufficient-balance"));
    await assert.rejects(s.text(), (e) => e instanceof aw.AgentError && e.kind === "quota");
  });

  test("mid-stream error through toReadableStream() errors the reader", async () => {
    const s = await client().chat.completions(chatReq({ stream: true }), fault("mid-stream-error"));
    const reader = s.toReadableStream().getReader();
    await assert.rejects(async () => { for (;;) { const { done } = await reader.read(); if (done) break; } },
      (e) => e instanceof aw.AgentError);
  });
});

describe("truncation, stalls, early exit, aborts", () => {
  for (const surface of ["chat", "openai", "anthropic"]) {
    test(`truncated-stream (${surface}) → kind stream, never a normal end`, async () => {
      const c = client();
      const s = surface === "chat" ? await c.chat.completions(chatReq({ stream: true }), fault("truncated-stream"))
        : surface === "openai" ? await c.openai.responses(openaiReq({ stream: true }), fault("truncated-stream"))
          : await c.anthropic.messages(anthropicReq({ stream: true }), fault("truncated-stream"));
      const { events, error } = await drain(s);
      assert.ok(error instanceof aw.AgentError, `expected an error after ${events.length} events`);
      assert.equal(error.kind, "stream");
      assert.ok(events.length > 0);
    });
  }

  test("stall-stream;ms=2000 with streamIdleTimeoutMs 300 → throws within ~1 s", async () => {
    const s = await client({ streamIdleTimeoutMs: 300 }).chat.completions(chatReq({ stream: true }), fault("stall-stream;ms=2000"));
    const t0 = Date.now();
    const { events, error } = await drain(s);
    const elapsed = Date.now() - t0;
    assert.ok(error instanceof aw.AgentError);
    assert.ok(["timeout", "stream"].includes(error.kind), error.kind);
    assert.ok(elapsed < 1000, `threw after ${elapsed} ms`);
    assert.ok(events.length >= 1);
  });

  test("a stall shorter than streamIdleTimeoutMs is fine", async () => {
    const s = await client({ streamIdleTimeoutMs: 1000 }).chat.completions(chatReq({ stream: true }), fault("stall-stream;ms=300"));
    assert.equal(await s.text(), ANSWER);
  });

  test("break out of for await after the first event closes the stream", async () => {
    const s = await client().chat.completions(chatReq({ stream: true }), { headers: { "x-agentwire-delay-ms": "200" } });
    const rec = p.log.at(-1);
    const t0 = Date.now();
    for await (const ev of s) { assert.ok(ev); break; }
    // The full stream would take ≥ 1.4 s; the platform must see the connection go well before.
    for (let i = 0; i < 40 && rec.durationMs === null; i++) await sleep(25);
    assert.notEqual(rec.durationMs, null, "the platform saw the response close");
    assert.ok(Date.now() - t0 < 1000, `closed after ${Date.now() - t0} ms`);
    assert.deepEqual(await s.next(), { done: true, value: undefined });
  });

  test("close() and ReadableStream cancel() close the stream", async () => {
    const c = client();
    const s1 = await c.chat.completions(chatReq({ stream: true }), { headers: { "x-agentwire-delay-ms": "200" } });
    const r1 = p.log.at(-1);
    await s1.next();
    s1.close();
    const s2 = await c.chat.completions(chatReq({ stream: true }), { headers: { "x-agentwire-delay-ms": "200" } });
    const r2 = p.log.at(-1);
    const reader = s2.toReadableStream().getReader();
    await reader.read();
    await reader.cancel();
    for (let i = 0; i < 40 && (r1.durationMs === null || r2.durationMs === null); i++) await sleep(25);
    assert.notEqual(r1.durationMs, null);
    assert.notEqual(r2.durationMs, null);
    assert.ok(r1.durationMs < 1000 && r2.durationMs < 1000);
  });

  test("a process that breaks out of a stream exits promptly (no dangling timers)", async () => {
    const api = new URL("../../pkg/node.js", import.meta.url).href;
    const script = `
      import * as aw from ${JSON.stringify(api)};
      const c = new aw.AgentClient({ baseUrl: ${JSON.stringify(p.url)}, apiKey: ${JSON.stringify(KEY)}, timeoutMs: 30000, streamIdleTimeoutMs: 30000 });
      const s = await c.chat.completions({ model: "m", stream: true, messages: [{ role: "user", content: "a b c d e f g h" }] }, { headers: { "x-agentwire-delay-ms": "300" } });
      for await (const ev of s) break;
      console.log("broke");
    `;
    const t0 = Date.now();
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"], cwd: fileURLToPath(new URL(".", import.meta.url)) });
    let out = "", err = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { err += d; });
    const code = await new Promise((resolve) => {
      const t = setTimeout(() => { child.kill("SIGKILL"); resolve("killed"); }, 5000);
      child.on("exit", (c) => { clearTimeout(t); resolve(c); });
    });
    assert.equal(code, 0, `child exit ${code}; stderr: ${err}`);
    assert.match(out, /broke/);
    assert.ok(Date.now() - t0 < 3000, `child took ${Date.now() - t0} ms`);
  });

  test("abort mid-stream → kind aborted", async () => {
    const ac = new AbortController();
    const s = await client().chat.completions(chatReq({ stream: true }), { signal: ac.signal, headers: { "x-agentwire-delay-ms": "100" } });
    const events = [];
    let abortedAt;
    const err = await (async () => {
      try {
        for await (const ev of s) {
          events.push(ev);
          if (events.length === 2) { abortedAt = Date.now(); ac.abort(); }
        }
      } catch (e) { return e; }
    })();
    assert.ok(err instanceof aw.AgentError, `expected an AgentError, got ${err}`);
    assert.equal(err.kind, "aborted");
    assert.ok(Date.now() - abortedAt < 200, `settled ${Date.now() - abortedAt} ms after abort`);
  });

  test("abort while waiting for the next event (no event in hand) → aborted promptly", async () => {
    const ac = new AbortController();
    const s = await client().chat.completions(chatReq({ stream: true }), { signal: ac.signal, ...fault("stall-stream;ms=3000") });
    await s.next();
    let abortedAt;
    setTimeout(() => { abortedAt = Date.now(); ac.abort(); }, 100);
    const { error } = await drain(s);
    assert.ok(error instanceof aw.AgentError);
    assert.equal(error.kind, "aborted");
    assert.ok(Date.now() - abortedAt < 200);
  });
});

describe("stream retries and decoding", () => {
  test("a 503 before the first byte is retried", async () => {
    const n = p.log.length;
    const s = await client().chat.completions(chatReq({ stream: true }), fault(`status-503;times=1;id=${id("s503")}`));
    assert.equal(s.meta.attempts, 2);
    assert.equal(await s.text(), ANSWER);
    assert.deepEqual(p.log.slice(n).map((r) => r.status), [503, 200]);
  });

  test("a 500 before the first byte of a paid stream is not retried", async () => {
    const n = p.log.length;
    await assert.rejects(client().chat.completions(chatReq({ stream: true }), fault(`status-500;times=1;id=${id("s500")}`)),
      (e) => e instanceof aw.AgentError && e.kind === "server" && e.status === 500);
    assert.equal(p.log.length - n, 1);
  });

  test("an error before the stream opens rejects the call itself", async () => {
    await assert.rejects(client().anthropic.messages(anthropicReq({ stream: true }), fault("dialect-anthropic-401")),
      (e) => e instanceof aw.AgentError && e.kind === "authentication");
  });

  for (const surface of ["chat", "openai", "anthropic"]) {
    test(`crlf-stream (${surface}) decodes identically`, async () => {
      const c = client();
      const open = (o) => surface === "chat" ? c.chat.completions(chatReq({ stream: true }), o)
        : surface === "openai" ? c.openai.responses(openaiReq({ stream: true }), o)
          : c.anthropic.messages(anthropicReq({ stream: true }), o);
      const plain = await drain(await open({ headers: { "x-agentwire-fault": "crlf-stream", "x-agentwire-delay-ms": "0" } }));
      assert.equal(plain.error, undefined, plain.error && plain.error.message);
      const text = plain.events.map(deltaText).join("");
      assert.equal(text, `${ANSWER} 🚀✨ done`);
      const lf = await drain(await open({ headers: { "x-agentwire-delay-ms": "0" } }));
      assert.equal(lf.events.map(deltaText).join(""), ANSWER);
      const shape = (evs) => evs.filter((e) => deltaText(e) === "").map((e) => e.type ?? e.object);
      assert.deepEqual(shape(plain.events), shape(lf.events), "same non-text events in the same order");
    });
  }
});
