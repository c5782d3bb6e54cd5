// Streaming throughput, in process: one 64 MiB OpenAI-style SSE stream is cut into 16 KiB chunks
// and served from a ReadableStream through a `fetch` replacement (agentwire and openai both take
// `fetch`), so loopback networking and the server's scheduling are out of the measurement and only
// the body reading + SSE framing + JSON parsing differ. Rounds interleave the consumers.
//   node stream.mjs [MiB] [rounds]
import { AgentClient, SseDecoder } from "agentwire";
import OpenAI from "openai";
import { createParser } from "eventsource-parser";
import { CHAT, KEY, emit, median, round } from "./lib.mjs";

const MIB = Number(process.argv[2] || 64), ROUNDS = Number(process.argv[3] || 3), CHUNK = 16 * 1024;

// Build the stream: chat.completion.chunk events with varying content, then [DONE].
const parts = [];
let size = 0, events = 0;
const words = ["The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", ".", " Streaming", " tokens", " arrive", " one", " by", " one"];
while (size < MIB * 1024 * 1024 - 64) {
  const ev = `data: {"id":"chatcmpl-${events}","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","choices":[{"index":0,"delta":{"content":${JSON.stringify(words[events % words.length])}},"finish_reason":null}]}\n\n`;
  parts.push(ev); size += ev.length; events++;
}
parts.push("data: [DONE]\n\n");
const bytes = new TextEncoder().encode(parts.join(""));
parts.length = 0;
const chunks = [];
for (let o = 0; o < bytes.length; o += CHUNK) chunks.push(bytes.subarray(o, o + CHUNK));

function body() {
  let i = 0;
  return new ReadableStream({ type: "bytes", pull(c) { if (i < chunks.length) c.enqueue(chunks[i++].slice()); else c.close(); } });
}
const sseFetch = async () => new Response(body(), { status: 200, headers: { "content-type": "text/event-stream", "x-request-id": "req_bench" } });

const aw = new AgentClient({ baseUrl: "http://127.0.0.1:9", apiKey: KEY, auth: "bearer", maxRetries: 0, fetch: sseFetch, streamIdleTimeoutMs: 600_000, timeoutMs: 600_000 });
const oa = new OpenAI({ baseURL: "http://127.0.0.1:9/v1", apiKey: KEY, maxRetries: 0, fetch: sseFetch, timeout: 600_000 });

const consumers = {
  // full: bytes -> parsed chunk objects
  "agentwire stream": async () => {
    let n = 0, chars = 0;
    const s = await aw.chat.completions({ ...CHAT, stream: true });
    for await (const ev of s) { n++; chars += ev.choices[0].delta.content.length; }
    return { n, chars };
  },
  "eventsource-parser + JSON.parse": async () => {
    let n = 0, chars = 0;
    const p = createParser({ onEvent(e) { if (e.data === "[DONE]") return; const ev = JSON.parse(e.data); n++; chars += ev.choices[0].delta.content.length; } });
    const reader = (await sseFetch()).body.getReader();
    const dec = new TextDecoder();
    for (;;) { const { done, value } = await reader.read(); if (done) break; p.feed(dec.decode(value, { stream: true })); }
    return { n, chars };
  },
  "openai SDK stream": async () => {
    let n = 0, chars = 0;
    const s = await oa.chat.completions.create({ ...CHAT, stream: true });
    for await (const ev of s) { n++; chars += ev.choices[0].delta.content.length; }
    return { n, chars };
  },
  // framing only: bytes -> {event, data} without JSON.parse, straight from the chunk array
  "framing: agentwire SseDecoder": async () => {
    let n = 0; const d = new SseDecoder();
    for (const c of chunks) n += d.push(c).length;
    d.finish();
    return { n: n - 1 };
  },
  "framing: eventsource-parser": async () => {
    let n = 0; const p = createParser({ onEvent() { n++; } }); const dec = new TextDecoder();
    for (const c of chunks) p.feed(dec.decode(c, { stream: true }));
    return { n: n - 1 };
  },
};

const names = Object.keys(consumers);
for (const n of names) { const r = await consumers[n](); if (r.n !== events) throw new Error(`${n}: ${r.n} events, expected ${events}`); } // warm-up + check
const times = Object.fromEntries(names.map((n) => [n, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (let j = 0; j < names.length; j++) {
    const n = names[(r + j) % names.length];
    globalThis.gc?.();
    const t0 = performance.now();
    await consumers[n]();
    times[n].push((performance.now() - t0) / 1000);
  }
}
const mib = bytes.length / 1048576;
emit({ source: "in-process ReadableStream", mib: round(mib, 2), events, chunkBytes: CHUNK, rounds: ROUNDS,
  result: Object.fromEntries(names.map((n) => { const s = median(times[n]); return [n, { seconds: round(s, 3), mibPerS: round(mib / s, 1), eventsPerS: Math.round(events / s), runs: times[n].map((x) => round(x, 3)) }]; })) });
