// workerd entry for the fault matrix: bundled by tests/matrix/run.mjs with esbuild (condition
// "workerd"); GET /run?platform=<url> runs tests/matrix/matrix.mjs and answers its results as
// JSON, with every unhandled promise rejection seen while it ran.
import * as aw from "agentwire";
import { runMatrix } from "./matrix.mjs";

const unhandled = [];
addEventListener("unhandledrejection", (event) => {
  const r = event.reason;
  unhandled.push(String((r && (r.stack || r.message)) || r));
});

/**
 * Control probe, no agentwire involved: read a stalled stream with plain fetch and abort it
 * mid-read, as a stream idle timeout does. workerd itself reports an `unhandledrejection`
 * (AbortError) for this even though every promise the code sees is handled; the count per abort
 * tells the harness how many such events the matrix's idle-timeout cells may produce.
 */
async function controlProbe(platformUrl) {
  const before = unhandled.length;
  const ac = new AbortController();
  const r = await fetch(`${platformUrl}/v1/chat/completions`, { method: "POST", signal: ac.signal,
    headers: { "x-api-key": "test-matrix-control", "content-type": "application/json", "x-agentwire-fault": "stall-stream;ms=900" },
    body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "a b c d" }] }) });
  const reader = r.body.getReader();
  reader.closed.catch(() => {});
  await reader.read();
  const t = setTimeout(() => ac.abort(), 100);
  try { for (;;) { if ((await reader.read()).done) break; } } catch { /* the abort */ }
  clearTimeout(t);
  reader.cancel().catch(() => {});
  await new Promise((res) => setTimeout(res, 50));
  const events = unhandled.splice(before);
  return { perAbort: events.length, events };
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    if (url.pathname !== "/run") return new Response("not found", { status: 404 });
    const platformUrl = url.searchParams.get("platform");
    try {
      const control = await controlProbe(platformUrl);
      const out = await runMatrix(aw, { platformUrl, runtime: "workerd", filter: url.searchParams.get("filter") || undefined });
      // Let rejections that surface a turn later be reported too.
      await new Promise((r) => setTimeout(r, 50));
      return Response.json({ userAgent: globalThis.navigator?.userAgent, ...out, unhandled, control });
    } catch (e) {
      return Response.json({ error: String((e && e.stack) || e), unhandled }, { status: 500 });
    }
  },
};
