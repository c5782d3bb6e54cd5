// Memory: many requests and streams in one process against bench/server.mjs (separate process),
// mixed with error answers, cut/erroring streams and aborts. Samples the wasm linear memory (via
// the glue module's initSync(), which returns the already-instantiated exports) and the JS heap.
//   node --expose-gc memory.mjs URL [requests] [streams]
import { AgentClient, isAgentError } from "agentwire";
import { emit, round, KEY, CHAT } from "./lib.mjs";
import { createRequire } from "node:module";
import { realpathSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [url, reqArg, strArg] = process.argv.slice(2);
const REQUESTS = Number(reqArg || 100_000), STREAMS = Number(strArg || 10_000), CONC = 8;

// The package exposes no handle on its WebAssembly.Memory; reach the glue module instance the
// node entry loaded (same resolved file => same module instance) and ask it for its exports.
const pkgDir = path.dirname(realpathSync(createRequire(import.meta.url).resolve("agentwire")));
const glue = await import(pathToFileURL(path.join(pkgDir, "agentwire.js")).href);
const wasmMemory = () => glue.initSync().memory.buffer.byteLength;

const client = new AgentClient({ baseUrl: url, apiKey: KEY, auth: "bearer", maxRetries: 0, timeoutMs: 30_000 });
const counts = { ok: 0, agentError: 0, aborted: 0, streamEvents: 0, other: 0 };

// request i's behaviour: 90% success, 4% 429, 3% 500, 3% aborted (hanging server, abort after 1 ms)
async function oneRequest(i) {
  const m = i % 100;
  const opts = {};
  if (m < 4) opts.headers = { "x-bench": "429" };
  else if (m < 7) opts.headers = { "x-bench": "500" };
  else if (m < 10) { opts.headers = { "x-bench": "hang" }; opts.signal = AbortSignal.timeout(1); }
  try { await client.chat.completions(CHAT, opts); counts.ok++; }
  catch (e) { if (!isAgentError(e)) { counts.other++; throw e; } if (e.kind === "aborted" || e.kind === "timeout") counts.aborted++; else counts.agentError++; }
}
// stream i: 80% complete, 5% cut, 5% event:error, 5% stalled + closed after the first event, 5% broken off after 3 events
async function oneStream(i) {
  const m = i % 20;
  const headers = m === 0 ? { "x-bench": "stream-cut" } : m === 1 ? { "x-bench": "stream-error" } : m === 2 ? { "x-bench": "stream-stall" } : {};
  try {
    const s = await client.chat.completions({ ...CHAT, stream: true }, { headers });
    let n = 0;
    for await (const _ of s) { counts.streamEvents++; if ((m === 2 && n === 0) || (m === 3 && n === 2)) { s.close(); break; } n++; }
    counts.ok++;
  } catch (e) { if (!isAgentError(e)) { counts.other++; throw e; } counts.agentError++; }
}

async function run(total, fn, offset = 0) {
  let next = 0;
  await Promise.all(Array.from({ length: CONC }, async () => { while (next < total) await fn(offset + next++); }));
}
const sample = (label) => { globalThis.gc?.(); const mu = process.memoryUsage(); return { label, wasmBytes: wasmMemory(), heapUsed: mu.heapUsed, rss: mu.rss, external: mu.external, arrayBuffers: mu.arrayBuffers }; };

const samples = [sample("start")];
const t0 = performance.now();
const WARM_R = Math.round(REQUESTS / 10), WARM_S = Math.round(STREAMS / 10);
await run(WARM_R, oneRequest); await run(WARM_S, oneStream);
await new Promise((r) => setTimeout(r, 50));
samples.push(sample("after warm-up"));
const STEPS = 9;
for (let k = 0; k < STEPS; k++) {
  await run(Math.round((REQUESTS - WARM_R) / STEPS), oneRequest, WARM_R + k * 1e6);
  await run(Math.round((STREAMS - WARM_S) / STEPS), oneStream, WARM_S + k * 1e6);
  await new Promise((r) => setTimeout(r, 20));
  samples.push(sample(`step ${k + 1}/${STEPS}`));
}
const warm = samples[1], end = samples[samples.length - 1];
emit({ requests: REQUESTS, streams: STREAMS, concurrency: CONC, seconds: round((performance.now() - t0) / 1000, 1), counts, samples,
  wasmGrowthAfterWarmupBytes: end.wasmBytes - warm.wasmBytes, heapGrowthAfterWarmupBytes: end.heapUsed - warm.heapUsed, rssGrowthAfterWarmupBytes: end.rss - warm.rss });
