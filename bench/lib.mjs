// Shared helpers: statistics, the server child process, JSON output.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(BENCH, "..");
export const OUT = path.join(BENCH, "out");

export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
export const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Starts bench/server.mjs in its own process; resolves { url, stop }. */
export function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(BENCH, "server.mjs")], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.on("error", reject);
    child.on("exit", (c) => reject(new Error(`bench server exited early (${c})`)));
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\S+)/);
      if (m) resolve({ url: m[1], pid: child.pid, stop: () => new Promise((r) => { child.removeAllListeners("exit"); child.once("exit", r); child.kill("SIGTERM"); }) });
    });
  });
}

/** Child scripts print their result as the last stdout line, prefixed with RESULT. */
export function emit(obj) { console.log("RESULT " + JSON.stringify(obj)); }

export const CHAT = { model: "bench-model", messages: [{ role: "user", content: "hello" }] };
export const KEY = "sk-test-bench";
