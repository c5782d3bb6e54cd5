// agentwire benchmark suite (entry: scripts/bench.sh). Runs every section, writes
// bench/out/report.md and bench/out/report.json and prints a compact table.
//   node bench/run.mjs [--quick]
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { BENCH, OUT, startServer, round } from "./lib.mjs";

const execFileP = promisify(execFile);
const QUICK = process.argv.includes("--quick");
const P = QUICK
  ? { blocks: 4, perBlock: 100, mib: 16, rounds: 1, nodeRuns: 3, workerdRuns: 2, requests: 10_000, streams: 1_000 }
  : { blocks: 15, perBlock: 300, mib: 64, rounds: 3, nodeRuns: 15, workerdRuns: 5, requests: 100_000, streams: 10_000 };
mkdirSync(OUT, { recursive: true });

async function child(script, args, nodeFlags = []) {
  const t0 = Date.now();
  process.stdout.write(`bench: ${script} ${args.join(" ")} ... `);
  const { stdout } = await execFileP(process.execPath, [...nodeFlags, path.join(BENCH, script), ...args], { cwd: BENCH, maxBuffer: 64 << 20, timeout: 480_000 });
  const line = stdout.trim().split("\n").reverse().find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`${script} printed no RESULT line:\n${stdout.slice(-2000)}`);
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return JSON.parse(line.slice(7));
}
async function withServer(fn) { const s = await startServer(); try { return await fn(s.url); } finally { await s.stop(); } }

const started = Date.now();
const raw = {};
raw.size = await child("size.mjs", []);
raw.overhead = await withServer((url) => child("overhead.mjs", [url, String(P.blocks), String(P.perBlock)]));
raw.stream = await child("stream.mjs", [String(P.mib), String(P.rounds)], ["--expose-gc"]);
raw.coldstart = await child("coldstart.mjs", [String(P.nodeRuns), String(P.workerdRuns)]);
raw.memory = await withServer((url) => child("memory.mjs", [url, String(P.requests), String(P.streams)], ["--expose-gc"]));
const totalSeconds = round((Date.now() - started) / 1000, 1);

// ---------------------------------------------------------------- figures vs targets
const figures = [];
// kind "max": value must be <= target; "min": value must be >= target; no target: informational
function fig(section, name, value, unit, target, kind, note) {
  const f = { section, name, value, unit };
  if (target !== undefined) {
    f.target = `${kind === "max" ? "≤" : "≥"} ${target}${unit === "×" ? "×" : ` ${unit}`}`;
    f.pass = kind === "max" ? value <= target : value >= target;
    if (!f.pass) f.missBy = kind === "max" ? `${round(value - target, 2)} ${unit} over (${round(value / target, 2)}× the target)` : `${round(target - value, 2)} ${unit} short (${round(value / target * 100, 0)}% of the target)`;
  }
  if (note) f.note = note;
  figures.push(f);
}
const KB = (b) => round(b / 1024, 1);
const sz = raw.size.result;
fig("size", "agentwire wasm + glue, gzip -9", KB(sz.agentwire.totalGz), "KiB", 36, "max", `wasm ${KB(sz.agentwire.wasmGz)} KiB gz (${KB(sz.agentwire.wasmRaw)} raw) + JS ${KB(sz.agentwire.jsGz)} KiB gz (${KB(sz.agentwire.jsRaw)} raw)`);
for (const n of Object.keys(sz)) fig("size", `${n} bundle, gzip -9 (raw)`, KB(sz[n].totalGz), "KiB", undefined, undefined, `${KB(sz[n].totalRaw)} KiB raw`);

for (const mode of ["200", "429"]) {
  const r = raw.overhead.result[mode], base = r["raw fetch"].usMedian;
  for (const n of Object.keys(r)) {
    const ratio = round(r[n].usMedian / base, 2);
    const isAw = n.startsWith("agentwire");
    fig("overhead", `${mode}: ${n} (${r[n].usMedian} µs/req)`, ratio, "×", isAw ? 1.1 : undefined, "max", `${r[n].usMedian} µs/request median of ${raw.overhead.blocks} blocks × ${raw.overhead.perBlock}; min–max ${r[n].usMin}–${r[n].usMax} µs`);
  }
}

const st = raw.stream.result;
for (const n of Object.keys(st)) fig("stream", `${n}`, st[n].mibPerS, "MiB/s", undefined, undefined, `${st[n].eventsPerS.toLocaleString("en")} events/s; ${st[n].seconds} s median of ${raw.stream.rounds}`);
fig("stream", "agentwire stream ÷ eventsource-parser+JSON.parse", round(st["agentwire stream"].mibPerS / st["eventsource-parser + JSON.parse"].mibPerS, 2), "×", 1.2, "min");
fig("stream", "agentwire stream ÷ openai SDK stream", round(st["agentwire stream"].mibPerS / st["openai SDK stream"].mibPerS, 2), "×", 5, "min");
fig("stream", "framing: SseDecoder ÷ eventsource-parser (no JSON.parse)", round(st["framing: agentwire SseDecoder"].mibPerS / st["framing: eventsource-parser"].mibPerS, 2), "×", undefined, undefined);

const cs = raw.coldstart;
for (const n of Object.keys(cs.node)) fig("cold start", `node: ${n} import + construct`, cs.node[n].importAndConstructMs, "ms", n === "agentwire" ? 15 : undefined, "max", `process wall ${cs.node[n].processWallMs} ms; median of ${cs.nodeRuns} fresh processes`);
for (const n of Object.keys(cs.workerd)) fig("cold start", `workerd: ${n} spawn → first 200`, cs.workerd[n].firstResponseMs, "ms", undefined, undefined, `${cs.workerd[n].overEmptyMs} ms over the empty worker; bundle ${KB(cs.workerd[n].bundleBytes)} KiB; median of ${cs.workerdRuns}`);

const mem = raw.memory;
fig("memory", "wasm memory growth after warm-up", KB(mem.wasmGrowthAfterWarmupBytes), "KiB", 1024, "max", `${mem.requests.toLocaleString("en")} requests + ${mem.streams.toLocaleString("en")} streams in ${mem.seconds} s; wasm ${KB(mem.samples[1].wasmBytes)} → ${KB(mem.samples.at(-1).wasmBytes)} KiB`);
fig("memory", "JS heap growth after warm-up (after gc)", KB(mem.heapGrowthAfterWarmupBytes), "KiB", undefined, undefined, `heapUsed ${KB(mem.samples[1].heapUsed)} → ${KB(mem.samples.at(-1).heapUsed)} KiB; rss ${round(mem.samples[1].rss / 1048576, 1)} → ${round(mem.samples.at(-1).rss / 1048576, 1)} MiB`);

// ---------------------------------------------------------------- output
const env = { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadavg: os.loadavg().map((x) => round(x, 2)), quick: QUICK, params: P, totalSeconds, date: new Date().toISOString() };
writeFileSync(path.join(OUT, "report.json"), JSON.stringify({ env, figures, raw }, null, 2) + "\n");

const status = (f) => (f.pass === undefined ? "" : f.pass ? "pass" : "MISS");
const fmt = (f) => `${f.value}${f.unit === "×" ? "×" : ` ${f.unit}`}`;
let md = `# agentwire benchmark report\n\n${env.date} · Node ${env.node} · ${env.cpus} × ${env.cpu} · load ${env.loadavg.join(" ")} · run ${totalSeconds} s${QUICK ? " · QUICK (reduced counts)" : ""}\n\n`;
md += `Parameters: ${JSON.stringify(P)}. Ratios are the figures to trust on this shared, noisy machine; absolute times drift with load. Libraries run interleaved in blocks/rounds; medians.\n\n`;
const summary = figures.filter((f) => f.pass !== undefined);
md += `## Targets\n\n| figure | value | target | result |\n| --- | --- | --- | --- |\n`;
for (const f of summary) md += `| ${f.section}: ${f.name} | ${fmt(f)} | ${f.target} | ${f.pass ? "pass" : `**MISS** by ${f.missBy}`} |\n`;
for (const section of ["size", "overhead", "stream", "cold start", "memory"]) {
  md += `\n## ${section}\n\n| figure | value | target | result | note |\n| --- | --- | --- | --- | --- |\n`;
  for (const f of figures.filter((x) => x.section === section)) md += `| ${f.name} | ${fmt(f)} | ${f.target ?? ""} | ${status(f)} | ${f.note ?? ""} |\n`;
}
md += `\n### method notes\n\n`;
md += `- size: \`esbuild --bundle --minify --format=esm --platform=browser\` of bench/size/<lib>.mjs (one chat call each); agentwire's wasm is loaded at run time by URL, so it is not in the bundle and is counted separately (pkg/agentwire_bg.wasm). gzip = zlib level 9.\n`;
md += `- overhead: bench/server.mjs in a separate process (keep-alive, ~300-byte JSON answer / OpenAI-style 429 with Retry-After: 1); the client runs ${P.perBlock} sequential POSTs per library per block, ${P.blocks} blocks, rotated order, after 200 warm-up calls each. All libraries use Node's global fetch (undici). agentwire and openai run with maxRetries 0, ky with retry 0; "raw fetch" = fetch + res.json() (+ new Error on !ok).\n`;
md += `- stream: in-process: a ${raw.stream.mib} MiB SSE body (${raw.stream.events.toLocaleString("en")} chat.completion.chunk events) served as 16 KiB chunks from a ReadableStream through each SDK's \`fetch\` option, so network and server scheduling noise are removed and only body reading, SSE framing and JSON parsing differ. Framing rows feed the same chunks straight to the decoders with no JSON.parse.\n`;
md += `- cold start: \`node --input-type=module -e\` with performance.now() around \`await import()\` + the first construct (process wall time in the note); workerd: spawn of \`workerd serve\` until the first 200 from a worker that imports the library and constructs a client at top level (esbuild bundle, workerd conditions, wasm as a module).\n`;
md += `- memory: ${mem.requests.toLocaleString("en")} chat calls (90% 200, 4% 429, 3% 500, 3% aborted after 1 ms on a hanging route) and ${mem.streams.toLocaleString("en")} streams (80% complete, 5% cut by the server, 5% event:error, 5% stalled then closed, 5% closed after 3 events), concurrency ${mem.concurrency}, in one process; warm-up = first 10%. The wasm memory is read through the glue module's \`initSync()\` (returns the live exports) since the package exposes no handle on it. Counts: ${JSON.stringify(mem.counts)}.\n`;
writeFileSync(path.join(OUT, "report.md"), md);

const w = (s, n) => String(s).padEnd(n).slice(0, n);
console.log(`\n${w("section", 11)} ${w("figure", 62)} ${w("value", 14)} ${w("target", 12)} result`);
for (const f of figures) console.log(`${w(f.section, 11)} ${w(f.name, 62)} ${w(fmt(f), 14)} ${w(f.target ?? "", 12)} ${status(f)}`);
console.log(`\nbench: ${summary.filter((f) => f.pass).length} targets met, ${summary.filter((f) => !f.pass).length} missed; ${totalSeconds} s; report in bench/out/report.md and report.json`);
