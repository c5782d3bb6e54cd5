#!/usr/bin/env node
// agentwire end-to-end harness: installs the built package (pkg/) into a scratch app the way a
// user would, then runs the same scenarios (tests/e2e/scenarios.mjs) against the local platform
// server in Node, workerd, a Chromium page and an MV3 extension (service worker + popup).
//
//   node tests/e2e/run.mjs [--pkg DIR] [--only node,workerd,page,extension] [--keep]
//
// Prints one line per scenario, `runtime <name>: N passed, M failed` per runtime and finally
// `e2e: X passed, Y failed`; exits 1 if anything failed or any runtime ran zero scenarios.
// See tests/e2e/README.md.

import { spawn, execFile } from "node:child_process";
import { createServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { existsSync, readFileSync, statSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile, copyFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

const execFileP = promisify(execFile);
const E2E = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(E2E, "../..");
const OUT = path.join(E2E, "out");
const APP = path.join(OUT, "app");
const BIN = path.join(ROOT, "node_modules/.bin");
const CHROMIUM = process.env.AGENTWIRE_CHROMIUM || "/usr/bin/chromium";
const CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
  "--disable-background-networking", "--disable-component-update", "--no-first-run"];
const RUNTIMES = ["node", "workerd", "page", "extension"];
const RUNTIME_TIMEOUT_MS = 60_000;
const GLOBAL_TIMEOUT_MS = Number(process.env.E2E_GLOBAL_TIMEOUT_MS || 5 * 60_000);

// ------------------------------------------------------------------ arguments

function parseArgs(argv) {
  const args = { pkg: path.join(ROOT, "pkg"), only: RUNTIMES, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--pkg") args.pkg = path.resolve(argv[++i]);
    else if (a === "--only") args.only = argv[++i].split(",").map((s) => s.trim()).filter(Boolean);
    else if (a === "--keep") args.keep = true;
    else if (a === "-h" || a === "--help") {
      console.log("usage: node tests/e2e/run.mjs [--pkg DIR] [--only node,workerd,page,extension] [--keep]");
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  for (const r of args.only) if (!RUNTIMES.includes(r)) throw new Error(`unknown runtime ${r} (known: ${RUNTIMES.join(", ")})`);
  return args;
}

// ------------------------------------------------------------------ cleanup

const children = new Set();
const cleanups = [];
let cleaning = null;

function onCleanup(fn) {
  cleanups.push(fn);
}

async function cleanupAll() {
  if (!cleaning) {
    cleaning = (async () => {
      while (cleanups.length) {
        const fn = cleanups.pop();
        try {
          await Promise.race([fn(), new Promise((r) => setTimeout(r, 5_000))]);
        } catch (e) {
          console.error(`cleanup: ${e?.message ?? e}`);
        }
      }
      for (const child of children) killTree(child, "SIGKILL");
    })();
  }
  return cleaning;
}

function killTree(child, signal = "SIGTERM") {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // spawned detached: its own process group
  } catch {
    try { child.kill(signal); } catch { /* gone */ }
  }
}

/** Spawns a tracked child in its own process group; resolves with { code, signal, stdout, stderr }. */
function run(cmd, argv, { cwd, timeoutMs = RUNTIME_TIMEOUT_MS, env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd, env: env ?? process.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => { stdout += d; });
    child.stderr.on("data", (d) => { stderr += d; });
    const timer = setTimeout(() => {
      stderr += `\n[e2e] ${cmd} timed out after ${timeoutMs} ms; killed`;
      killTree(child, "SIGKILL");
    }, timeoutMs);
    child.on("error", (e) => { stderr += `\n[e2e] spawn error: ${e.message}`; });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Starts a long-running tracked child; returns it with accumulated output accessors. */
function startDaemon(cmd, argv, { cwd } = {}) {
  const child = spawn(cmd, argv, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const out = { text: "" };
  child.stdout.on("data", (d) => { out.text += d; });
  child.stderr.on("data", (d) => { out.text += d; });
  child.on("close", () => children.delete(child));
  child.output = () => out.text;
  child.stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => killTree(child, "SIGKILL"), 3_000);
    child.once("close", () => { clearTimeout(t); resolve(); });
    killTree(child, "SIGTERM");
  });
  return child;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tail(text, lines = 30) {
  return String(text).trim().split("\n").slice(-lines).map((l) => `      | ${l}`).join("\n");
}

// ------------------------------------------------------------------ reporting

const report = []; // { runtime, results: [{name, ok, detail, ms}], ms, error? }

function record(runtime, results, ms, error) {
  const list = Array.isArray(results) ? results : [];
  report.push({ runtime, results: list, ms, error });
  for (const r of list) {
    console.log(`  ${r.ok ? "ok  " : "FAIL"} [${runtime}] ${r.name}${r.ms !== undefined ? ` (${r.ms} ms)` : ""}${r.detail ? ` — ${r.detail}` : ""}`);
  }
  if (error) console.log(`  FAIL [${runtime}] runtime error: ${error}`);
  const passed = list.filter((r) => r.ok).length;
  const failed = list.length - passed;
  console.log(`runtime ${runtime}: ${passed} passed, ${failed} failed${list.length === 0 ? " (ran zero scenarios)" : ""} [${(ms / 1000).toFixed(1)} s]`);
}

async function timed(runtime, fn) {
  const t0 = Date.now();
  console.log(`\n== ${runtime}`);
  try {
    const out = await fn();
    // fn returns either an array of results, or { name: results } for several runtimes
    if (Array.isArray(out)) record(runtime, out, Date.now() - t0);
    else for (const [name, { results, ms, error }] of Object.entries(out)) record(name, results, ms ?? Date.now() - t0, error);
  } catch (e) {
    record(runtime, [], Date.now() - t0, e?.stack ?? String(e));
  }
}

// ------------------------------------------------------------------ esbuild

async function bundle(entry, outfile, flags) {
  const argv = [entry, "--bundle", "--format=esm", `--outfile=${outfile}`, "--log-level=warning", "--target=es2022", ...flags];
  const r = await run(path.join(BIN, "esbuild"), argv, { cwd: APP, timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`esbuild ${path.basename(entry)} failed (exit ${r.code}):\n${tail(r.stderr)}`);
  if (r.stderr.trim()) console.log(`  esbuild ${path.basename(entry)}:\n${tail(r.stderr, 10)}`);
  return outfile;
}

// ------------------------------------------------------------------ steps

async function installScratchApp(pkgDir) {
  if (!existsSync(path.join(pkgDir, "package.json"))) {
    throw new Error(`${pkgDir}/package.json does not exist: build the package first (scripts/build.sh)`);
  }
  await rm(APP, { recursive: true, force: true });
  await mkdir(path.join(APP, "e2e"), { recursive: true });
  await writeFile(path.join(APP, "package.json"), JSON.stringify({
    name: "agentwire-e2e-app", version: "0.0.0", private: true, type: "module",
  }, null, 2) + "\n");
  // Pack first, then install the tarball: exactly what a user gets from the registry, so a
  // file missing from "files" fails here rather than being papered over by a symlink.
  const packDir = path.join(OUT, "pack");
  await rm(packDir, { recursive: true, force: true });
  await mkdir(packDir, { recursive: true });
  const pack = await run("npm", ["pack", "--silent", "--pack-destination", packDir, pkgDir], { cwd: OUT, timeoutMs: 60_000 });
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${tail(pack.stderr + pack.stdout)}`);
  const tgz = (await readdir(packDir)).find((f) => f.endsWith(".tgz"));
  if (!tgz) throw new Error(`npm pack produced no tarball:\n${tail(pack.stdout)}`);
  const inst = await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", path.join(packDir, tgz)], { cwd: APP, timeoutMs: 90_000 });
  if (inst.code !== 0) throw new Error(`npm install failed:\n${tail(inst.stderr + inst.stdout)}`);
  // Entries and the shared scenario list live in the app, so "agentwire" resolves from its node_modules.
  const copies = [
    ["scenarios.mjs", "scenarios.mjs"], ["scenarios.mjs", "e2e/scenarios.mjs"],
    ["node/scenario-node.mjs", "scenario-node.mjs"], ["workerd/worker.mjs", "e2e/worker.mjs"],
    ["web/page.mjs", "e2e/page.mjs"], ["extension/sw.mjs", "e2e/sw.mjs"], ["extension/popup.mjs", "e2e/popup.mjs"],
  ];
  for (const [from, to] of copies) await copyFile(path.join(E2E, from), path.join(APP, to));
  return path.join(APP, "node_modules/agentwire");
}

/** Checks every condition of the installed package's exports map points at an existing file. */
function checkExports(installed) {
  const results = [];
  const check = (name, fn) => {
    try {
      results.push({ name, ok: true, detail: String(fn() ?? "") });
    } catch (e) {
      results.push({ name, ok: false, detail: e.message });
    }
  };
  const pj = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
  const exp = pj.exports ?? {};
  const target = (sub, cond) => {
    const entry = exp[sub];
    if (entry === undefined) throw new Error(`exports has no "${sub}"`);
    const file = typeof entry === "string" ? entry : entry[cond];
    if (typeof file !== "string") throw new Error(`exports["${sub}"] has no "${cond}" condition`);
    const abs = path.join(installed, file);
    if (!existsSync(abs) || !statSync(abs).isFile()) throw new Error(`exports["${sub}"].${cond} -> ${file}, which is not in the installed package`);
    return `${file} (${statSync(abs).size} B)`;
  };
  for (const cond of ["node", "workerd", "worker", "browser", "default", "types"]) {
    check(`exports["."].${cond} resolves to a file`, () => target(".", cond));
  }
  for (const cond of ["default", "types"]) check(`exports["./manual"].${cond} resolves to a file`, () => target("./manual", cond));
  check("agentwire_bg.wasm is installed and is WebAssembly", () => {
    const bytes = readFileSync(path.join(installed, "agentwire_bg.wasm"));
    if (bytes.length < 8 || bytes.readUInt32BE(0) !== 0x0061736d) throw new Error("agentwire_bg.wasm does not start with \\0asm");
    return `${bytes.length} B`;
  });
  check("every relative import of the installed entries exists", () => {
    const seen = new Set();
    const visit = (file) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, "utf8");
      for (const m of src.matchAll(/(?:import|export)\s[^'"]*?from\s*["'](\.{1,2}\/[^"']+)["']|import\s*["'](\.{1,2}\/[^"']+)["']/g)) {
        const spec = m[1] ?? m[2];
        const dep = path.resolve(path.dirname(file), spec);
        if (!existsSync(dep)) throw new Error(`${path.relative(installed, file)} imports ${spec}, which is missing`);
        if (dep.endsWith(".js")) visit(dep);
      }
    };
    for (const f of ["node.js", "workerd.js", "web.js", "manual.js"]) visit(path.join(installed, f));
    return `${seen.size} modules`;
  });
  return results;
}

// -------- (a) Node

async function runNode(platformUrl) {
  const r = await run(process.execPath, ["scenario-node.mjs", platformUrl], { cwd: APP, timeoutMs: 45_000 });
  const line = r.stdout.split("\n").find((l) => l.startsWith("__E2E_RESULTS__ "));
  if (!line) throw new Error(`node exited ${r.code ?? r.signal} without results:\n${tail(r.stderr + r.stdout)}`);
  if (r.stderr.trim()) console.log(`  node stderr:\n${tail(r.stderr, 15)}`);
  return JSON.parse(line.slice("__E2E_RESULTS__ ".length));
}

// -------- (b) workerd

async function runWorkerd(platformUrl, installed) {
  const dir = path.join(OUT, "workerd");
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const bundleFile = await bundle(path.join(APP, "e2e/worker.mjs"), path.join(dir, "worker.js"), [
    "--platform=neutral", "--conditions=workerd,worker,import", "--main-fields=module,main", "--external:*.wasm",
  ]);
  // The bundle keeps the package's `import wasmModule from "./agentwire_bg.wasm"`; name the wasm
  // module so that specifier resolves (relative to the worker module "worker.js").
  const src = await readFile(bundleFile, "utf8");
  const wasmImports = [...src.matchAll(/from\s*["']([^"']+\.wasm)["']/g)].map((m) => m[1]);
  if (wasmImports.length === 0) throw new Error("the workerd bundle imports no .wasm module (did the workerd condition resolve?)");
  const modules = [`(name = "worker.js", esModule = embed "worker.js")`];
  for (const spec of new Set(wasmImports)) {
    const name = path.posix.normalize(spec.replace(/^\.\//, ""));
    if (name.startsWith("..")) throw new Error(`the bundle imports ${spec}, outside the worker's directory`);
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await copyFile(path.join(installed, "agentwire_bg.wasm"), path.join(dir, name));
    modules.push(`(name = "${name}", wasm = embed "${name}")`);
  }
  const port = await freePort();
  const config = `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    (name = "net", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const mainWorker :Workerd.Worker = (
  modules = [
    ${modules.join(",\n    ")},
  ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "net",
);
`;
  await writeFile(path.join(dir, "config.capnp"), config);
  const workerd = startDaemon(path.join(BIN, "workerd"), ["serve", "config.capnp", "--verbose"], { cwd: dir });
  onCleanup(() => workerd.stop());
  try {
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (workerd.exitCode !== null || workerd.signalCode !== null) throw new Error(`workerd exited (${workerd.exitCode ?? workerd.signalCode}):\n${tail(workerd.output())}`);
      try {
        const r = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1_000) });
        if (r.ok) break;
      } catch { /* not up yet */ }
      if (Date.now() > deadline) throw new Error(`workerd did not answer on ${base} within 20 s:\n${tail(workerd.output())}`);
      await sleep(100);
    }
    const r = await fetch(`${base}/run?platform=${encodeURIComponent(platformUrl)}`, { signal: AbortSignal.timeout(45_000) });
    const text = await r.text();
    let body;
    try { body = JSON.parse(text); } catch { throw new Error(`workerd /run answered ${r.status} non-JSON: ${text.slice(0, 500)}\n${tail(workerd.output())}`); }
    if (!Array.isArray(body.results)) throw new Error(`workerd /run failed (${r.status}): ${body.error ?? text.slice(0, 500)}\n${tail(workerd.output())}`);
    if (body.results.some((x) => !x.ok) && workerd.output().trim()) console.log(`  workerd output:\n${tail(workerd.output(), 20)}`);
    return body.results;
  } finally {
    await workerd.stop();
  }
}

// -------- static file server for the page

const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm", ".json": "application/json", ".map": "application/json" };

async function serveStatic(dir) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, "http://x");
      const rel = decodeURIComponent(url.pathname).replace(/^\/+/, "") || "index.html";
      const file = path.resolve(dir, rel);
      if (!file.startsWith(dir + path.sep)) { res.writeHead(403).end(); return; }
      const body = await readFile(file);
      res.writeHead(200, { "content-type": MIME[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise((resolve, reject) => { server.once("error", reject); server.listen(0, "127.0.0.1", resolve); });
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }) };
}

async function loadPlaywright() {
  const mod = await import(pathToFileURL(path.join(ROOT, "node_modules/playwright-core/index.mjs")).href);
  return mod.chromium ?? mod.default?.chromium;
}

function watchPage(page, sink) {
  page.on("console", (m) => sink.push(`console.${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => sink.push(`pageerror: ${e?.stack ?? e}`));
  page.on("requestfailed", (r) => sink.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
}

async function pageResults(page, url, logs, label) {
  const resp = await page.goto(url, { waitUntil: "load", timeout: 15_000 });
  if (resp && !resp.ok()) throw new Error(`${label}: ${url} answered ${resp.status()}`);
  // An uncaught error usually means the module (top-level await init) failed and results will
  // never come: give it 3 s more, then fail instead of waiting out the whole timeout.
  let onError;
  const crashed = new Promise((_, reject) => {
    onError = () => setTimeout(() => reject(new Error("an uncaught page error and no results 3 s later")), 3_000);
    page.once("pageerror", onError);
  });
  crashed.catch(() => {});
  try {
    await Promise.race([
      page.waitForFunction(() => window.__results !== undefined, null, { timeout: 40_000, polling: 100 }),
      crashed,
    ]);
  } catch (e) {
    throw new Error(`${label}: no window.__results (${e.message.split("\n")[0]})\n${tail(logs.join("\n"))}`);
  } finally {
    page.off("pageerror", onError);
  }
  const results = await page.evaluate(() => window.__results);
  if (!Array.isArray(results)) throw new Error(`${label}: ${results?.error ?? JSON.stringify(results)}\n${tail(logs.join("\n"))}`);
  if (results.some((r) => !r.ok) && logs.length) console.log(`  ${label} console:\n${tail(logs.join("\n"), 15)}`);
  return results;
}

// -------- (c) Chromium page

async function runPage(platformUrl, installed) {
  const dir = path.join(OUT, "web");
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await bundle(path.join(APP, "e2e/page.mjs"), path.join(dir, "page.js"), ["--platform=browser"]);
  await copyFile(path.join(installed, "agentwire_bg.wasm"), path.join(dir, "agentwire_bg.wasm"));
  await copyFile(path.join(E2E, "web/index.html"), path.join(dir, "index.html"));
  const site = await serveStatic(dir);
  onCleanup(site.close);
  const chromium = await loadPlaywright();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROME_ARGS, timeout: 30_000 });
  onCleanup(() => browser.close());
  try {
    const page = await browser.newPage();
    const logs = [];
    watchPage(page, logs);
    return await pageResults(page, `${site.url}/index.html?platform=${encodeURIComponent(platformUrl)}`, logs, "page");
  } finally {
    await browser.close().catch(() => {});
    await site.close();
  }
}

// -------- (d) MV3 extension

async function runExtension(platformUrl, installed) {
  const dir = path.join(OUT, "extension");
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // The service worker: "agentwire/manual" (no top-level await); the popup: "agentwire".
  await bundle(path.join(APP, "e2e/sw.mjs"), path.join(dir, "sw.js"), ["--platform=browser"]);
  await bundle(path.join(APP, "e2e/popup.mjs"), path.join(dir, "popup.js"), ["--platform=browser"]);
  for (const f of ["manifest.json", "popup.html"]) await copyFile(path.join(E2E, "extension", f), path.join(dir, f));
  await copyFile(path.join(installed, "agentwire_bg.wasm"), path.join(dir, "agentwire_bg.wasm"));

  const out = {};
  const t0 = Date.now();
  const profile = await mkdtemp(path.join(tmpdir(), "agentwire-e2e-profile-"));
  onCleanup(() => rm(profile, { recursive: true, force: true }));
  const chromium = await loadPlaywright();
  // New headless (Chromium >= 132's --headless) loads extensions; Playwright's default
  // --disable-extensions would switch them off, so it is dropped.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: ["--disable-extensions"],
    args: [...CHROME_ARGS, `--disable-extensions-except=${dir}`, `--load-extension=${dir}`],
    timeout: 30_000,
  });
  onCleanup(() => context.close());
  try {
    let [worker] = context.serviceWorkers().filter((w) => w.url().startsWith("chrome-extension://"));
    if (!worker) {
      worker = await context.waitForEvent("serviceworker", {
        timeout: 15_000, predicate: (w) => w.url().startsWith("chrome-extension://"),
      }).catch((e) => { throw new Error(`the extension's service worker never started (${e.message.split("\n")[0]}); check chrome://extensions errors`); });
    }
    const extId = new URL(worker.url()).host;
    console.log(`  extension ${extId} service worker ${worker.url()}`);
    try {
      const results = await worker.evaluate(async (url) => {
        if (typeof self.__runScenarios !== "function") return { error: "self.__runScenarios is not defined: sw.js did not finish evaluating" };
        return self.__runScenarios(url);
      }, platformUrl);
      if (!Array.isArray(results)) throw new Error(results?.error ?? JSON.stringify(results));
      out["extension-sw"] = { results, ms: Date.now() - t0 };
    } catch (e) {
      out["extension-sw"] = { results: [], ms: Date.now() - t0, error: e?.message ?? String(e) };
    }
    const t1 = Date.now();
    try {
      const page = await context.newPage();
      const logs = [];
      watchPage(page, logs);
      const results = await pageResults(page, `chrome-extension://${extId}/popup.html?platform=${encodeURIComponent(platformUrl)}`, logs, "popup");
      out["extension-popup"] = { results, ms: Date.now() - t1 };
    } catch (e) {
      out["extension-popup"] = { results: [], ms: Date.now() - t1, error: e?.message ?? String(e) };
    }
  } finally {
    await context.close().catch(() => {});
  }
  return out;
}

// ------------------------------------------------------------------ main

async function main() {
  const args = parseArgs(process.argv.slice(2));
  await mkdir(OUT, { recursive: true });
  const t0 = Date.now();

  const { startPlatform } = await import(pathToFileURL(path.join(ROOT, "www/platform/server.mjs")).href);
  const platform = await startPlatform({ port: 0, host: "127.0.0.1" });
  onCleanup(() => platform.close());
  console.log(`platform: ${platform.url}`);

  let installed = null;
  await timed("package", async () => {
    installed = await installScratchApp(args.pkg);
    return checkExports(installed);
  });

  for (const runtime of args.only) {
    if (!installed) {
      record(runtime, [], 0, "skipped: the package could not be installed");
      continue;
    }
    if (runtime === "node") await timed("node", () => runNode(platform.url));
    if (runtime === "workerd") await timed("workerd", () => runWorkerd(platform.url, installed));
    if (runtime === "page") await timed("page", () => runPage(platform.url, installed));
    if (runtime === "extension") await timed("extension", () => runExtension(platform.url, installed));
  }

  let passed = 0;
  let failed = 0;
  const empty = [];
  for (const { runtime, results, error } of report) {
    passed += results.filter((r) => r.ok).length;
    failed += results.filter((r) => !r.ok).length;
    if (results.length === 0 || error) empty.push(runtime);
  }
  // A runtime that ran nothing (or died part-way) counts as a failure of its own.
  failed += empty.length;
  console.log(`\ntimings: ${report.map((r) => `${r.runtime} ${(r.ms / 1000).toFixed(1)} s`).join(", ")}; total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (empty.length) console.log(`runtimes that ran no scenarios or errored: ${empty.join(", ")}`);
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

const globalTimer = setTimeout(async () => {
  console.log(`\ne2e: global timeout (${GLOBAL_TIMEOUT_MS / 1000} s) reached; killing everything`);
  await Promise.race([cleanupAll(), sleep(10_000)]);
  for (const child of children) killTree(child, "SIGKILL");
  console.log("e2e: 0 passed, 1 failed");
  process.exit(1);
}, GLOBAL_TIMEOUT_MS);

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, async () => {
    console.log(`\ne2e: ${sig}; cleaning up`);
    await Promise.race([cleanupAll(), sleep(10_000)]);
    process.exit(130);
  });
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(`e2e: harness error: ${e?.stack ?? e}`);
  console.log("e2e: 0 passed, 1 failed");
  code = 1;
} finally {
  await cleanupAll();
  clearTimeout(globalTimer);
}
process.exit(code);
