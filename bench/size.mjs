// Bundle size: what a browser user ships for one chat call. esbuild --bundle --minify
// --format=esm --platform=browser of bench/size/<lib>.mjs; agentwire's .wasm is fetched at run
// time (not bundled) and counted separately. Raw and gzip -9 (zlib level 9).
import { execFileSync } from "node:child_process";
import { readFileSync, mkdirSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { BENCH, ROOT, OUT, emit } from "./lib.mjs";

const dir = path.join(OUT, "size");
mkdirSync(dir, { recursive: true });
const esbuild = path.join(ROOT, "node_modules/.bin/esbuild");
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const LIBS = { agentwire: "agentwire.mjs", openai: "openai.mjs", "@anthropic-ai/sdk": "anthropic.mjs", ky: "ky.mjs", "ai + @ai-sdk/openai": "ai.mjs" };
const result = {};
for (const [name, entry] of Object.entries(LIBS)) {
  const outfile = path.join(dir, entry.replace(/\.mjs$/, ".js"));
  execFileSync(esbuild, [path.join(BENCH, "size", entry), "--bundle", "--minify", "--format=esm", "--platform=browser", "--target=es2022", `--outfile=${outfile}`, "--log-level=error"], { cwd: BENCH });
  const js = readFileSync(outfile);
  const r = { jsRaw: js.length, jsGz: gz(js), wasmRaw: 0, wasmGz: 0 };
  if (name === "agentwire") {
    if (js.includes("agentwire_bg.wasm") === false) throw new Error("the agentwire bundle does not reference agentwire_bg.wasm");
    const wasm = readFileSync(path.join(ROOT, "pkg/agentwire_bg.wasm"));
    r.wasmRaw = wasm.length; r.wasmGz = gz(wasm);
  }
  r.totalRaw = r.jsRaw + r.wasmRaw; r.totalGz = r.jsGz + r.wasmGz;
  result[name] = r;
}
emit({ result });
