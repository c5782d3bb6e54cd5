#!/usr/bin/env node
// agentwire fault matrix: every fault the local platform can inject × every surface where it
// applies, in Node (in this process) and in workerd (a bundled worker running the same
// tests/matrix/matrix.mjs), both against one in-process platform server.
//
//   node tests/matrix/run.mjs [--pkg DIR] [--only node,workerd] [--filter REGEX] [--verbose]
//   (--filter keeps only cells whose "fault [variant] × surface" matches; for debugging)
//
// The package is copied from pkg/ (or --pkg) into tests/matrix/out/app/node_modules/agentwire
// first, so a concurrent scripts/build.sh cannot change it mid-run. Prints one line per cell
// group (fault × variant, one column per surface), `matrix <runtime>: N passed, M failed` and
// `matrix: X passed, Y failed`; exits 1 on any failure. Node also checks that no promise
// rejection went unhandled and that no Timeout is left active once the platform is closed;
// the worker reports `unhandledrejection` events. Bounded to 85 s overall.

import { spawn } from "node:child_process";
import { createServer as createNetServer } from "node:net";
import { existsSync } from "node:fs";
import { cp, mkdir, rm, writeFile, readFile, copyFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const OUT = path.join(HERE, "out");
const APP = path.join(OUT, "app");
const BIN = path.join(ROOT, "node_modules/.bin");
const GLOBAL_TIMEOUT_MS = 85_000;

const args = { pkg: path.join(ROOT, "pkg"), only: ["node", "workerd"], verbose: false, filter: "" };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === "--pkg") args.pkg = path.resolve(process.argv[++i]);
  else if (a === "--only") args.only = process.argv[++i].split(",").filter(Boolean);
  else if (a === "--verbose" || a === "-v") args.verbose = true;
  else if (a === "--filter") args.filter = process.argv[++i];
  else { console.error(`usage: node tests/matrix/run.mjs [--pkg DIR] [--only node,workerd] [--filter REGEX] [--verbose]`); process.exit(2); }
}

// Unhandled rejections anywhere in this process (the Node matrix runs here).
const unhandled = [];
process.on("unhandledRejection", (reason) => { unhandled.push(String(reason?.stack ?? reason)); });

const children = new Set();
function killTree(child, signal = "SIGTERM") {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(-child.pid, signal); } catch { try { child.kill(signal); } catch { /* gone */ } }
}
const globalTimer = setTimeout(() => {
  console.log(`matrix: global timeout (${GLOBAL_TIMEOUT_MS / 1000} s); killing everything`);
  for (const c of children) killTree(c, "SIGKILL");
  console.log("matrix: 0 passed, 1 failed");
  process.exit(1);
}, GLOBAL_TIMEOUT_MS);
globalTimer.unref();

function run(cmd, argv, { cwd, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => { stdout += d; });
    child.stderr.on("data", (d) => { stderr += d; });
    const timer = setTimeout(() => killTree(child, "SIGKILL"), timeoutMs);
    child.on("close", (code) => { clearTimeout(timer); children.delete(child); resolve({ code, stdout, stderr }); });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tail = (t, n = 20) => String(t).trim().split("\n").slice(-n).map((l) => `      | ${l}`).join("\n");

async function preparePackage() {
  if (!existsSync(path.join(args.pkg, "package.json"))) throw new Error(`${args.pkg}/package.json missing: run scripts/build.sh first`);
  await rm(APP, { recursive: true, force: true });
  await mkdir(path.join(APP, "node_modules"), { recursive: true });
  await cp(args.pkg, path.join(APP, "node_modules/agentwire"), { recursive: true });
  await writeFile(path.join(APP, "package.json"), JSON.stringify({ name: "agentwire-matrix-app", private: true, type: "module" }));
  await copyFile(path.join(HERE, "matrix.mjs"), path.join(APP, "matrix.mjs"));
  await copyFile(path.join(HERE, "worker.mjs"), path.join(APP, "worker.mjs"));
}

// ---------------------------------------------------------------- workerd

async function runWorkerd(platformUrl) {
  const dir = path.join(OUT, "workerd");
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const b = await run(path.join(BIN, "esbuild"), [path.join(APP, "worker.mjs"), "--bundle", "--format=esm", `--outfile=${path.join(dir, "worker.js")}`,
    "--log-level=warning", "--target=es2022", "--platform=neutral", "--conditions=workerd,worker,import", "--main-fields=module,main", "--external:*.wasm"], { cwd: APP });
  if (b.code !== 0) throw new Error(`esbuild failed:\n${tail(b.stderr)}`);
  const src = await readFile(path.join(dir, "worker.js"), "utf8");
  const wasm = [...new Set([...src.matchAll(/from\s*["']([^"']+\.wasm)["']/g)].map((m) => m[1]))];
  if (wasm.length === 0) throw new Error("the workerd bundle imports no .wasm module");
  const modules = [`(name = "worker.js", esModule = embed "worker.js")`];
  for (const spec of wasm) {
    const name = path.posix.normalize(spec.replace(/^\.\//, ""));
    await copyFile(path.join(APP, "node_modules/agentwire/agentwire_bg.wasm"), path.join(dir, name));
    modules.push(`(name = "${name}", wasm = embed "${name}")`);
  }
  const port = await freePort();
  await writeFile(path.join(dir, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .mainWorker), (name = "net", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const mainWorker :Workerd.Worker = (
  modules = [ ${modules.join(", ")} ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "net",
);
`);
  const child = spawn(path.join(BIN, "workerd"), ["serve", "config.capnp", "--verbose"], { cwd: dir, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let output = "";
  child.stdout.on("data", (d) => { output += d; });
  child.stderr.on("data", (d) => { output += d; });
  const closed = new Promise((r) => child.on("close", () => { children.delete(child); r(); }));
  try {
    const base = `http://127.0.0.1:${port}`;
    const until = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited:\n${tail(output)}`);
      try { if ((await fetch(`${base}/health`, { signal: AbortSignal.timeout(1000) })).ok) break; } catch { /* not up */ }
      if (Date.now() > until) throw new Error(`workerd did not start:\n${tail(output)}`);
      await sleep(100);
    }
    const r = await fetch(`${base}/run?platform=${encodeURIComponent(platformUrl)}&filter=${encodeURIComponent(args.filter)}`, { signal: AbortSignal.timeout(70_000) });
    const text = await r.text();
    let body;
    try { body = JSON.parse(text); } catch { throw new Error(`workerd answered ${r.status}: ${text.slice(0, 400)}\n${tail(output)}`); }
    if (!Array.isArray(body.results)) throw new Error(`workerd matrix failed: ${body.error}\n${tail(output)}`);
    if (args.verbose && output.trim()) console.log(`  workerd output:\n${tail(output)}`);
    return body;
  } finally {
    killTree(child, "SIGTERM");
    const t = setTimeout(() => killTree(child, "SIGKILL"), 3000);
    await closed;
    clearTimeout(t);
  }
}

// ---------------------------------------------------------------- reporting

function printRuntime(runtime, out, extra) {
  console.log(`\n== ${runtime} (${out.cells ?? 0} cells, ${((out.ms ?? 0) / 1000).toFixed(1)} s)`);
  for (const r of out.results.filter((r) => r.group === "catalogue")) console.log(`  ${r.ok ? "ok  " : "FAIL"} ${r.name}: ${r.detail}`);
  for (const { group, cells } of out.groups ?? []) {
    const ok = cells.every((c) => c.ok);
    const cols = cells.map((c) => `${c.surface}:${c.outcome}/${c.attempts}${c.ok ? "" : "✗"}`).join(" ");
    console.log(`  ${ok ? "ok  " : "FAIL"} ${group.padEnd(48)} ${cols}`);
    for (const c of cells) if (!c.ok) console.log(`         ${c.surface}: ${c.problems.join("; ")}`);
  }
  for (const e of extra) console.log(`  ${e.ok ? "ok  " : "FAIL"} ${e.name}${e.detail ? `: ${e.detail}` : ""}`);
  const all = [...out.results, ...extra];
  const passed = all.filter((r) => r.ok).length;
  console.log(`matrix ${runtime}: ${passed} passed, ${all.length - passed} failed`);
  return { passed, failed: all.length - passed };
}

// ---------------------------------------------------------------- main

async function main() {
  const t0 = Date.now();
  await preparePackage();
  const aw = await import(pathToFileURL(path.join(APP, "node_modules/agentwire/node.js")).href);
  const { startPlatform } = await import(pathToFileURL(path.join(ROOT, "www/platform/server.mjs")).href);
  const { runMatrix } = await import(pathToFileURL(path.join(APP, "matrix.mjs")).href);

  const countTimeouts = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  const baseline = countTimeouts();
  const platform = await startPlatform({ port: 0, host: "127.0.0.1", rateLimit: { limit: 1_000_000, windowMs: 60_000 } });
  console.log(`platform: ${platform.url}; package: ${args.pkg}`);

  const tasks = {};
  if (args.only.includes("workerd")) tasks.workerd = runWorkerd(platform.url).then((v) => ({ v }), (e) => ({ e }));
  if (args.only.includes("node")) tasks.node = runMatrix(aw, { platformUrl: platform.url, runtime: "node", filter: args.filter || undefined }).then((v) => ({ v }), (e) => ({ e }));
  const settled = {};
  for (const [k, p] of Object.entries(tasks)) settled[k] = await p;
  await platform.close();
  // Give settled work one macrotask to release its timers, then look for leftovers.
  await sleep(20);
  const lingering = countTimeouts() - baseline;
  const resources = process.getActiveResourcesInfo();

  let passed = 0, failed = 0;
  for (const runtime of args.only) {
    const s = settled[runtime];
    if (!s || s.e) {
      console.log(`\n== ${runtime}\n  FAIL runtime error: ${s?.e?.stack ?? s?.e ?? "not run"}`);
      console.log(`matrix ${runtime}: 0 passed, 1 failed`);
      failed++;
      continue;
    }
    const extra = [];
    if (runtime === "node") {
      extra.push({ name: "no unhandled rejections", ok: unhandled.length === 0, detail: unhandled.length ? unhandled.slice(0, 3).join(" | ") : "" });
      extra.push({ name: "no Timeout left active after the matrix (platform closed)", ok: lingering <= 0,
        detail: `baseline ${baseline}, now ${baseline + lingering} Timeout; active: ${resources.join(", ") || "none"}` });
    } else {
      // workerd reports an unhandledrejection (AbortError) by itself when a fetch body being read
      // is aborted (control probe in worker.mjs, no agentwire involved). Each stream idle
      // timeout does exactly that, so those cells may add `perAbort` AbortErrors each; anything
      // else, or more, fails.
      const idleCells = s.v.results.filter((r) => / × stream-/.test(r.name) && r.name.startsWith("stall-stream")).length;
      const allowed = (s.v.control?.perAbort ?? 0) * idleCells;
      const foreign = s.v.unhandled.filter((u) => !/^AbortError: The operation was aborted/.test(u));
      const ok = foreign.length === 0 && s.v.unhandled.length <= allowed;
      extra.push({ name: "no unhandledrejection events in the worker beyond workerd's own", ok,
        detail: `${s.v.unhandled.length} event(s); control probe without agentwire: ${s.v.control?.perAbort} AbortError per aborted body read × ${idleCells} idle-timeout cells = ${allowed} allowed` +
          (ok ? "" : `: ${(args.verbose ? s.v.unhandled : s.v.unhandled.slice(0, 3)).join(" | ")}`) });
      extra.push({ name: "ran in workerd", ok: s.v.userAgent === "Cloudflare-Workers", detail: `navigator.userAgent ${s.v.userAgent}` });
    }
    const r = printRuntime(runtime, s.v, extra);
    passed += r.passed; failed += r.failed;
  }
  const skipped = (settled.node?.v ?? settled.workerd?.v)?.skipped ?? [];
  if (skipped.length) {
    const byFault = new Map();
    for (const s of skipped) { const k = `${s.fault}|${s.reason}`; byFault.set(k, [...(byFault.get(k) ?? []), s.surface]); }
    const lines = [...byFault].map(([k, surfaces]) => { const [f, reason] = k.split("|"); return `${f} × ${surfaces.join(",")} (${reason})`; });
    console.log(`\nnot applicable (${skipped.length} fault × surface pairs): ${lines.join("; ")}`);
  }
  console.log(`\nmatrix: ${passed} passed, ${failed} failed [${((Date.now() - t0) / 1000).toFixed(1)} s]`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

let code = 1;
try { code = await main(); } catch (e) { console.error(`matrix: harness error: ${e?.stack ?? e}`); console.log("matrix: 0 passed, 1 failed"); }
for (const c of children) killTree(c, "SIGKILL");
clearTimeout(globalTimer);
process.exit(code);
