// MV3 extension service worker: module service workers may not use top-level await, so this
// imports "agentwire/manual" and initialises inside the handler (`await init()` /
// `AgentClient.create()`). The harness calls self.__runScenarios(url) via worker.evaluate().
import * as aw from "agentwire/manual";
import { runScenarios } from "./scenarios.mjs";

// Before any init(): a synchronous call must fail with a clear NOT_INITIALISED AgentError.
let preInit;
try {
  const value = aw.parseError(500, {}, "early");
  preInit = { threw: false, value: String(value && value.kind) };
} catch (e) {
  preInit = { threw: true, isAgentError: aw.isAgentError(e), code: e && e.code, message: String(e && e.message) };
}

self.__runScenarios = (platformUrl) =>
  runScenarios(aw, { platformUrl, runtime: "extension-sw", browser: true, manual: true, preInit });

self.addEventListener("install", () => self.skipWaiting());
