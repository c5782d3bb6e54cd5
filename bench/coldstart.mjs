// Cold start. Node: fresh `node --input-type=module -e` processes time `await import(lib)` + the
// first construct with performance.now() (interleaved, median). workerd: time from spawning
// `workerd serve` to the first 200 from a worker that imports the library (vs an empty worker).
//   node coldstart.mjs [nodeRuns] [workerdRuns]
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, copyFileSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { BENCH, ROOT, OUT, emit, median, round } from "./lib.mjs";

const NODE_RUNS = Number(process.argv[2] || 15), WORKERD_RUNS = Number(process.argv[3] || 5);

const NODE_LIBS = {
  agentwire: `const m = await import("agentwire"); new m.AgentClient({ apiKey: "sk-test" });`,
  openai: `const m = await import("openai"); new m.default({ apiKey: "sk-test" });`,
  "@anthropic-ai/sdk": `const m = await import("@anthropic-ai/sdk"); new m.default({ apiKey: "sk-test" });`,
  ky: `const m = await import("ky"); m.default.create({ prefixUrl: "http://127.0.0.1:9" });`,
  "ai + @ai-sdk/openai": `const a = await import("ai"); const o = await import("@ai-sdk/openai"); o.createOpenAI({ apiKey: "sk-test" }).chat("m");`,
  "(empty module)": `await import("data:text/javascript,export default 1");`,
};

function nodeOnce(code) {
  const src = `const t0 = performance.now(); ${code} const t1 = performance.now(); console.log(JSON.stringify({ ms: t1 - t0 }));`;
  const t0 = performance.now();
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", src], { cwd: BENCH }).toString();
  return { ms: JSON.parse(out.trim().split("\n").pop()).ms, wallMs: performance.now() - t0 };
}

const node = Object.fromEntries(Object.keys(NODE_LIBS).map((n) => [n, { ms: [], wallMs: [] }]));
const names = Object.keys(NODE_LIBS);
for (const n of names) nodeOnce(NODE_LIBS[n]); // warm the OS file cache
for (let r = 0; r < NODE_RUNS; r++) {
  for (let j = 0; j < names.length; j++) {
    const n = names[(r + j) % names.length];
    const x = nodeOnce(NODE_LIBS[n]);
    node[n].ms.push(x.ms); node[n].wallMs.push(x.wallMs);
  }
}

// ---- workerd
const WD = path.join(OUT, "workerd");
mkdirSync(WD, { recursive: true });
const esbuild = path.join(ROOT, "node_modules/.bin/esbuild");
const workerd = path.join(ROOT, "node_modules/.bin/workerd");
const WORKERS = {
  "(empty worker)": `export default { fetch() { return new Response("ok"); } };`,
  agentwire: `import { AgentClient } from "agentwire";\nconst c = new AgentClient({ apiKey: "sk-test" });\nexport default { fetch() { return new Response(String(!!c)); } };`,
  openai: `import OpenAI from "openai";\nconst c = new OpenAI({ apiKey: "sk-test" });\nexport default { fetch() { return new Response(String(!!c)); } };`,
};
const freePort = () => new Promise((res, rej) => { const s = createServer(); s.once("error", rej); s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => res(port)); }); });
const configs = {};
for (const [name, src] of Object.entries(WORKERS)) {
  const dir = path.join(WD, name.replace(/\W+/g, "_"));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "entry.mjs"), src);
  execFileSync(esbuild, ["entry.mjs", "--bundle", "--format=esm", "--minify", "--outfile=worker.js", "--log-level=error", "--target=es2022",
    "--platform=neutral", "--conditions=workerd,worker,import", "--main-fields=module,main", "--external:*.wasm", `--resolve-extensions=.mjs,.js`],
  { cwd: dir }); // bench/out/workerd/<name>/ resolves packages from bench/node_modules
  const bundle = readFileSync(path.join(dir, "worker.js"), "utf8");
  const modules = [`(name = "worker.js", esModule = embed "worker.js")`];
  for (const spec of new Set([...bundle.matchAll(/from\s*["']([^"']+\.wasm)["']/g)].map((m) => m[1]))) {
    const file = spec.replace(/^\.\//, "");
    copyFileSync(path.join(ROOT, "pkg/agentwire_bg.wasm"), path.join(dir, file));
    modules.push(`(name = "${file}", wasm = embed "${file}")`);
  }
  configs[name] = { dir, modules, bundleBytes: bundle.length };
}

async function workerdOnce(name) {
  const { dir, modules } = configs[name];
  const port = await freePort();
  writeFileSync(path.join(dir, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = ( modules = [ ${modules.join(", ")} ], compatibilityDate = "2025-01-01" );
`);
  const t0 = performance.now();
  const child = spawn(workerd, ["serve", "config.capnp"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let err = ""; child.stderr.on("data", (d) => { err += d; });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited: ${err}`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
        if (r.status === 200 && (await r.text()) !== "") return performance.now() - t0;
      } catch { /* not up yet */ }
      if (performance.now() - t0 > 20_000) throw new Error(`workerd did not answer within 20 s: ${err}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await new Promise((r) => { if (child.exitCode !== null) return r(); child.once("exit", r); child.kill("SIGTERM"); });
  }
}
const wd = Object.fromEntries(Object.keys(WORKERS).map((n) => [n, []]));
const wnames = Object.keys(WORKERS);
for (const n of wnames) await workerdOnce(n);
for (let r = 0; r < WORKERD_RUNS; r++) for (let j = 0; j < wnames.length; j++) { const n = wnames[(r + j) % wnames.length]; wd[n].push(await workerdOnce(n)); }

emit({
  nodeRuns: NODE_RUNS, workerdRuns: WORKERD_RUNS,
  node: Object.fromEntries(names.map((n) => [n, { importAndConstructMs: round(median(node[n].ms), 1), processWallMs: round(median(node[n].wallMs), 1), runs: node[n].ms.map((x) => round(x, 1)) }])),
  workerd: Object.fromEntries(wnames.map((n) => [n, { firstResponseMs: round(median(wd[n]), 1), overEmptyMs: round(median(wd[n]) - median(wd["(empty worker)"]), 1), bundleBytes: configs[n].bundleBytes, runs: wd[n].map((x) => round(x, 1)) }])),
});
