// MV3 extension popup page: imports "agentwire" (browser condition, top-level await is fine
// in extension pages). ?platform=<url> names the platform server.
import * as aw from "agentwire";
import { runScenarios } from "./scenarios.mjs";

const platformUrl = new URL(location.href).searchParams.get("platform");
try {
  const results = await runScenarios(aw, { platformUrl, runtime: "extension-popup", browser: true });
  window.__results = results;
  document.getElementById("out").textContent = JSON.stringify(results, null, 2);
} catch (e) {
  window.__results = { error: String(e && e.stack || e) };
}
