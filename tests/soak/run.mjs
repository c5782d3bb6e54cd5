#!/usr/bin/env node
// agentwire soak: N mixed calls (default 20,000) through one AgentClient in one Node process,
// against the local platform with random faults and random aborts, ~16 at a time.
//
//   node tests/soak/run.mjs [--calls N] [--seed S] [--concurrency C] [--pkg DIR]
//   scripts/soak.sh [N]                       (the same, N defaults to 20000)
//
// This process is only the supervisor: it copies the package (pkg/ or --pkg) to
// tests/soak/out/pkg, starts the platform (tests/soak/platform.mjs) and the soak itself
// (this file with --child, under `node --expose-gc`) as child processes, relays the child's
// output and scans all of it for the canary API key. The child checks that
//   - every call ends in a result or an AgentError (counted by kind); any other thrown value,
//     or a call not settled within its deadline + 2 s, is a failure;
//   - wasm memory (the glue's WebAssembly.Memory, reached through initSync's return value)
//     grows < 1 MiB and the JS heap (after global.gc()) grows < HEAP_BOUND_MIB between the end of
//     warm-up (first 10% of calls) and the end;
//   - the canary key `test-canary-soak-<random>` (the client's apiKey, logLevel "debug",
//     logBodies, a logger that receives every line) appears in no log line, no thrown error
//     (JSON.stringify + message + stack) and no result;
//   - no promise rejection went unhandled, and no Timeout is still active after the last call.
// Prints a summary (calls, kinds, duration, memory) and `soak: N passed, M failed`, where the
// checks are: every call settled properly (one check per call) plus the run-level checks.

import { spawn } from "node:child_process";
import { cp, mkdir, rm } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { randomBytes } from "node:crypto";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const OUT = path.join(HERE, "out");

const WASM_BOUND = 1024 * 1024;
// JS heap bound: 8 MiB. After warm-up the client holds nothing per call; what remains is V8 and
// undici noise (inline caches, keep-alive sockets, pooled buffers), measured at 1-3 MiB for
// 20,000 calls. A per-call leak of even 500 B would show up as 9 MiB at 20,000 calls.
const HEAP_BOUND_MIB = 8;

function parseArgs(argv) {
  const a = { calls: 20_000, seed: undefined, concurrency: 16, pkg: path.join(ROOT, "pkg"), child: false, platform: null };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => argv[++i];
    if (k === "--calls") a.calls = Number(v());
    else if (k === "--seed") a.seed = Number(v());
    else if (k === "--concurrency") a.concurrency = Number(v());
    else if (k === "--pkg") a.pkg = path.resolve(v());
    else if (k === "--child") a.child = true;
    else if (k === "--platform") a.platform = v();
    else { console.error("usage: node tests/soak/run.mjs [--calls N] [--seed S] [--concurrency C] [--pkg DIR]"); process.exit(2); }
  }
  if (!Number.isInteger(a.calls) || a.calls < 10) throw new Error("--calls must be an integer ≥ 10");
  if (a.seed === undefined || !Number.isFinite(a.seed)) a.seed = randomBytes(4).readUInt32LE(0);
  return a;
}

const args = parseArgs(process.argv.slice(2));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ==================================================================== supervisor

async function supervise() {
  const t0 = Date.now();
  if (!existsSync(path.join(args.pkg, "package.json"))) throw new Error(`${args.pkg}/package.json missing: run scripts/build.sh first`);
  await rm(path.join(OUT, "pkg"), { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  await cp(args.pkg, path.join(OUT, "pkg"), { recursive: true });
  const canary = `test-canary-soak-${randomBytes(12).toString("hex")}`;
  console.log(`soak: seed ${args.seed} (replay with --seed ${args.seed}), ${args.calls} calls, concurrency ${args.concurrency}, package ${args.pkg}`);

  const platform = spawn(process.execPath, [path.join(HERE, "platform.mjs")], { stdio: ["ignore", "pipe", "pipe"] });
  let platformOut = "";
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`platform did not start: ${platformOut}`)), 10_000);
    platform.stdout.on("data", (d) => {
      platformOut += d;
      const m = /soak-platform (http:\/\/\S+)/.exec(platformOut);
      if (m) { clearTimeout(t); resolve(m[1]); }
    });
    platform.stderr.on("data", (d) => { platformOut += d; });
    platform.on("exit", (c) => reject(new Error(`platform exited ${c}: ${platformOut}`)));
  });

  const child = spawn(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--child", "--platform", url,
    "--calls", String(args.calls), "--seed", String(args.seed), "--concurrency", String(args.concurrency)],
  { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, AGENTWIRE_SOAK_CANARY: canary } });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => { stdout += d; process.stdout.write(d); });
  child.stderr.on("data", (d) => { stderr += d; process.stderr.write(d); });
  const limit = Math.max(60_000, args.calls * 20);
  const killer = setTimeout(() => { stderr += `\n[soak] child killed after ${limit} ms`; child.kill("SIGKILL"); }, limit);
  const code = await new Promise((r) => child.on("close", (c, s) => r(c ?? s)));
  clearTimeout(killer);
  platform.kill("SIGTERM");

  const m = /^soak-child: (\d+) passed, (\d+) failed$/m.exec(stdout);
  let passed = m ? Number(m[1]) : 0;
  let failed = m ? Number(m[2]) : 1;
  const inOutput = (stdout + stderr).includes(canary);
  const checks = [
    ["the soak child exited 0", code === 0, `exit ${code}`],
    ["the canary key appears nowhere in the child's stdout/stderr", !inOutput, `${stdout.length + stderr.length} chars scanned`],
  ];
  for (const [name, ok, detail] of checks) {
    console.log(`  ${ok ? "ok  " : "FAIL"} ${name} (${detail})`);
    if (ok) passed++; else failed++;
  }
  console.log(`soak: ${passed} passed, ${failed} failed [${((Date.now() - t0) / 1000).toFixed(1)} s, seed ${args.seed}]`);
  return failed === 0 ? 0 : 1;
}

// ==================================================================== child: the soak itself

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with --seed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURFACES = ["chat", "stream-hatz", "stream-openai", "stream-anthropic", "wf-run", "wf-poll", "upload"];
const STREAMS = new Set(["stream-hatz", "stream-openai", "stream-anthropic"]);

// Weighted fault families. `surfaces` limits a fault to where it acts; `slow` calls get a short
// per-attempt timeout. `{id}` becomes a per-call counter id.
const FAULTS = [
  { family: "none", weight: 40, specs: [null] },
  { family: "retryable", weight: 18, specs: ["status-503;times=1;id={id}", "status-502;times=1;id={id}", "status-500;times=1;id={id}",
    "status-429;times=1;id={id}", "rate-limit;retry-after-ms=60;times=1;id={id}", "storm;times=1;id={id}", "text-503;times=1;id={id}",
    "html-502;times=1;id={id}", "dialect-openai-429-rate;times=1;id={id}", "dialect-agntix-SESSION_CREATION_ERROR;times=1;id={id}", "status-503"] },
  { family: "non-retryable", weight: 12, specs: ["status-400", "status-401", "status-404", "status-422", "credit-overage", "insufficient-balance",
    "heylock-balance", "dialect-openai-429-quota", "dialect-agntix-SESSION_EXPIRED", "dialect-heylock-400-invalid-json", "dialect-zazmic-403",
    "dialect-anthropic-529", "rate-limit;retry-after=120"] },
  { family: "stream", weight: 12, surfaces: [...STREAMS], specs: ["truncated-stream", "mid-stream-error", "mid-stream-error-insufficient-balance",
    "mid-stream-error-agent-error", "anthropic-stream-error", "crlf-stream", "stall-stream;ms=400"] },
  { family: "workflow", weight: 8, surfaces: ["wf-run", "wf-poll"], specs: ["job-not-found", "poll-503;times=1;id={id}", "poll-503;times=2;id={id}",
    "app:fail-at-1", "app:steps-2-ms-20-pending-ms-10"] },
  { family: "network", weight: 10, specs: ["reset;times=1;id={id}", "reset", "hang", "hang;times=1;id={id}", "slow-headers;ms=400;times=1;id={id}",
    "slow-body;ms=400;times=1;id={id}"], slow: true },
];
const TOTAL_WEIGHT = FAULTS.reduce((s, f) => s + f.weight, 0);
const WORDS = "alpha beta gamma delta epsilon zeta";

function pick(rand, list) { return list[Math.floor(rand() * list.length) % list.length]; }

function plan(rand, i) {
  let w = rand() * TOTAL_WEIGHT;
  let fam = FAULTS[0];
  for (const f of FAULTS) { if ((w -= f.weight) < 0) { fam = f; break; } }
  const surface = pick(rand, fam.surfaces ?? SURFACES);
  let spec = pick(rand, fam.specs);
  // Faults that cannot act on the surface (slow-body on a stream) are simply ignored by the platform.
  let app = "steps-1-ms-5-pending-ms-0";
  if (spec && spec.startsWith("app:")) { app = spec.slice(4); spec = null; }
  if (spec) spec = spec.replace("{id}", `soak-${i}`);
  const abortAt = rand() < 0.1 ? Math.floor(rand() * 200) : null;
  return { surface, family: fam.family, spec, app, abortAt, slow: !!fam.slow };
}

function deltaText(ev) {
  if (!ev || typeof ev !== "object") return "";
  if (Array.isArray(ev.choices)) return ev.choices.map((c) => (c.delta && c.delta.content) || "").join("");
  if (ev.type === "response.output_text.delta") return ev.delta ?? "";
  if (ev.type === "content_block_delta") return ev.delta?.text ?? "";
  return "";
}

async function child() {
  const canary = process.env.AGENTWIRE_SOAK_CANARY;
  if (!canary || !canary.startsWith("test-canary-soak-")) throw new Error("AGENTWIRE_SOAK_CANARY is not set (run without --child)");
  delete process.env.AGENTWIRE_SOAK_CANARY; // nothing else in this process should find it
  if (typeof global.gc !== "function") throw new Error("run with node --expose-gc");
  const pkg = path.join(OUT, "pkg");
  const aw = await import(pathToFileURL(path.join(pkg, "node.js")).href);
  // The glue's initSync returns the instance's exports once initialised (node.js already did).
  const glue = await import(pathToFileURL(path.join(pkg, "agentwire.js")).href);
  const memory = glue.initSync({ module: readFileSync(path.join(pkg, "agentwire_bg.wasm")) })?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error("the wasm memory is not reachable through initSync()");

  const unhandled = [];
  process.on("unhandledRejection", (reason) => { unhandled.push(String(reason?.stack ?? reason).replace(canary, "<CANARY>")); });
  const rand = prng(args.seed);
  const failures = [];
  const fail = (msg) => { if (failures.length < 50) failures.push(msg); };
  const kinds = {};
  const families = {};
  const logLevels = {};
  let logLines = 0;
  const leak = (where, text) => { if (String(text).includes(canary)) fail(`canary in ${where}: ${String(text).replace(canary, "<CANARY>").slice(0, 200)}`); };
  const sink = (level) => (line) => { logLines++; logLevels[level] = (logLevels[level] ?? 0) + 1; leak(`log line (${level})`, line); };
  const logger = { debug: sink("debug"), info: sink("info"), warn: sink("warn"), error: sink("error"), log: sink("log") };

  const client = new aw.AgentClient({ baseUrl: args.platform, apiKey: canary, logLevel: "debug", logBodies: true, logger,
    timeoutMs: 1500, maxRetries: 2, retryBaseDelayMs: 20, retryMaxDelayMs: 100, maxRetryAfterMs: 5_000,
    circuitBreaker: false, paceRateLimits: false, streamIdleTimeoutMs: 250 });
  const job = await client.workflows.runAndWait("steps-1-ms-5-pending-ms-0", {}, { pollIntervalMs: 10, timeoutMs: 5000 });
  const upload = new TextEncoder().encode("id,value\n1,soak\n");

  async function call(p) {
    const headers = p.spec ? { "x-agentwire-fault": p.spec } : undefined;
    const ac = p.abortAt !== null ? new AbortController() : null;
    const opts = { headers, signal: ac?.signal, deadlineMs: 2500, ...(p.slow ? { timeoutMs: 200 } : {}) };
    let timer;
    if (ac) timer = setTimeout(() => ac.abort(), p.abortAt);
    try {
      switch (p.surface) {
        case "chat": return await client.chat.completions({ model: "m", messages: [{ role: "user", content: WORDS }] }, opts);
        case "stream-hatz":
        case "stream-openai":
        case "stream-anthropic": {
          const s = p.surface === "stream-hatz" ? await client.chat.completionsStream({ model: "m", messages: [{ role: "user", content: WORDS }] }, opts)
            : p.surface === "stream-openai" ? await client.openai.responsesStream({ model: "m", input: WORDS }, opts)
              : await client.anthropic.messagesStream({ model: "m", max_tokens: 32, messages: [{ role: "user", content: WORDS }] }, opts);
          let text = "";
          // Half the streams are left early, to exercise return()/close().
          const stopEarly = p.abortAt !== null && p.abortAt % 2 === 0;
          for await (const ev of s) { text += deltaText(ev); if (stopEarly && text.length > 10) break; }
          return { text, meta: s.meta };
        }
        case "wf-run": return await client.workflows.runAndWait(p.app, { q: "soak" }, { ...opts, timeoutMs: 2000, pollIntervalMs: 10, maxPollIntervalMs: 40 });
        case "wf-poll": return await client.workflows.get(job.job_id, opts);
        case "upload": return await client.files.upload(upload, { ...opts, filename: "soak.csv", contentType: "text/csv" });
      }
      throw new Error(`bad surface ${p.surface}`);
    } finally { clearTimeout(timer); }
  }

  const N = args.calls;
  const warm = Math.max(1, Math.floor(N / 10));
  let next = 0, okCount = 0, settledOk = 0;
  const sample = async () => {
    await sleep(50); // let sockets and timers of finished calls wind down
    global.gc(); global.gc();
    return { wasm: memory.buffer.byteLength, heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
  };
  const t0 = Date.now();
  let tWarm = 0;

  async function one(i) {
    const p = plan(rand, i);
    families[p.family] = (families[p.family] ?? 0) + 1;
    const deadline = p.surface === "wf-run" ? 2500 + 2000 : 2500;
    let watchdog;
    const never = new Promise((r) => { watchdog = setTimeout(() => r({ never: true }), deadline + 2000); });
    const r = await Promise.race([call(p).then((value) => ({ value }), (error) => ({ error })), never]);
    clearTimeout(watchdog);
    if (r.never) { fail(`call ${i} (${p.surface}, ${p.spec ?? p.app}, abortAt ${p.abortAt}) did not settle within ${deadline + 2000} ms`); return; }
    if (r.error !== undefined) {
      const e = r.error;
      if (!aw.isAgentError(e)) { fail(`call ${i} (${p.surface}, ${p.spec}) threw a non-AgentError: ${e?.stack ?? e}`); return; }
      kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
      leak(`error of call ${i}`, JSON.stringify(e) + e.message + e.stack);
      if (e.kind === "aborted" && p.abortAt === null) fail(`call ${i} (${p.surface}, ${p.spec}) ended aborted without an abort`);
    } else {
      kinds.ok = (kinds.ok ?? 0) + 1;
      okCount++;
      leak(`result of call ${i}`, JSON.stringify(r.value));
    }
    settledOk++;
  }

  // Warm-up phase, then a sample with nothing in flight, then the rest.
  const phase = async (upTo) => {
    const runners = Array.from({ length: args.concurrency }, async () => {
      while (next < upTo) { const i = next++; await one(i); }
    });
    await Promise.all(runners);
  };
  await phase(warm);
  const before = await sample();
  tWarm = Date.now();
  await phase(N);
  const after = await sample();
  const timeouts = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  const ms = Date.now() - t0;

  const mib = (b) => (b / 1048576).toFixed(2);
  const wasmGrowth = after.wasm - before.wasm;
  const heapGrowth = after.heap - before.heap;
  console.log(`soak: seed ${args.seed}, ${N} calls, concurrency ${args.concurrency}, ${(ms / 1000).toFixed(1)} s (${Math.round(N / (ms / 1000))} calls/s; after warm-up ${((Date.now() - tWarm) / 1000).toFixed(1)} s)`);
  console.log(`soak: faults by family ${JSON.stringify(families)}`);
  console.log(`soak: outcomes by kind ${JSON.stringify(Object.fromEntries(Object.entries(kinds).sort((a, b) => b[1] - a[1])))}`);
  console.log(`soak: log lines ${logLines} ${JSON.stringify(logLevels)}`);
  console.log(`soak: wasm memory ${mib(before.wasm)} MiB after warm-up → ${mib(after.wasm)} MiB at the end (growth ${wasmGrowth} B, bound ${WASM_BOUND} B)`);
  console.log(`soak: JS heap after gc ${mib(before.heap)} MiB → ${mib(after.heap)} MiB (growth ${mib(heapGrowth)} MiB, bound ${HEAP_BOUND_MIB} MiB); rss ${mib(before.rss)} → ${mib(after.rss)} MiB`);

  const checks = [
    ["every call settled with a result or an AgentError", settledOk === N, `${settledOk}/${N}`],
    ["some calls succeeded and some failed", okCount > 0 && okCount < N, `${okCount} ok`],
    ["wasm memory growth < 1 MiB", wasmGrowth < WASM_BOUND, `${wasmGrowth} B`],
    [`JS heap growth < ${HEAP_BOUND_MIB} MiB`, heapGrowth < HEAP_BOUND_MIB * 1048576, `${mib(heapGrowth)} MiB`],
    ["no unhandled promise rejections", unhandled.length === 0, unhandled.length ? `${unhandled.length}: ${unhandled.slice(0, 2).join(" | ").slice(0, 400)}` : ""],
    ["no Timeout left active after the last call", timeouts === 0, `${timeouts} active`],
    ["the logger received debug lines", (logLevels.debug ?? 0) > 0, `${logLines} lines`],
    ["the canary appears in no log line, error or result", !failures.some((f) => f.startsWith("canary")), ""],
  ];
  let passed = settledOk, failed = N - settledOk;
  for (const [name, ok, detail] of checks) {
    console.log(`  ${ok ? "ok  " : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
    if (ok) passed++; else failed++;
  }
  for (const f of failures) console.log(`  FAIL ${f}`);
  console.log(`soak-child: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

let code = 1;
try { code = args.child ? await child() : await supervise(); }
catch (e) { console.error(`soak: harness error: ${e?.stack ?? e}`); console.log(args.child ? "soak-child: 0 passed, 1 failed" : "soak: 0 passed, 1 failed"); }
process.exit(code);
