// Cloudflare Workers (workerd): imports "agentwire" through the installed package (condition
// "workerd"; the package statically imports ./agentwire_bg.wasm, which the capnp config
// provides as a wasm module). GET /run?platform=<url> runs the scenarios and answers JSON.
import * as aw from "agentwire";
import { runScenarios } from "./scenarios.mjs";

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    if (url.pathname !== "/run") return new Response("not found", { status: 404 });
    const platformUrl = url.searchParams.get("platform");
    if (!platformUrl) return new Response("missing ?platform=", { status: 400 });
    try {
      const results = await runScenarios(aw, { platformUrl, runtime: "workerd" });
      return Response.json({ userAgent: globalThis.navigator?.userAgent, results });
    } catch (e) {
      return Response.json({ error: String(e && e.stack || e) }, { status: 500 });
    }
  },
};
