// A plain page: imports "agentwire" (condition "browser": top-level await, so the module is
// ready when the import resolves, no init()). ?platform=<url> names the platform server.
import * as aw from "agentwire";
import { runScenarios } from "./scenarios.mjs";

const platformUrl = new URL(location.href).searchParams.get("platform");
try {
  const results = await runScenarios(aw, { platformUrl, runtime: "page", browser: true });
  window.__results = results;
  document.getElementById("out").textContent = JSON.stringify(results, null, 2);
} catch (e) {
  window.__results = { error: String(e && e.stack || e) };
}
