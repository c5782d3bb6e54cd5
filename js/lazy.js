// Shared by the browser entries: one lazy initialisation that every async call awaits.
import * as glue from "./agentwire.js";
import { createApi } from "./api.js";

let ready = false;
let pending = null;

/**
 * Instantiates the module once. Accepts a `WebAssembly.Module`, bytes, a URL or a Response;
 * by default it fetches `agentwire_bg.wasm` next to this file.
 */
export function init(input) {
  if (ready) return Promise.resolve();
  if (!pending) {
    const source = input ?? new URL("./agentwire_bg.wasm", import.meta.url);
    pending = glue.default({ module_or_path: source }).then(() => { ready = true; }, (e) => { pending = null; throw e; });
  }
  return pending;
}

/** Synchronous instantiation from a compiled `WebAssembly.Module` (extension service workers, tests). */
export function initSync(module) {
  if (!ready) { glue.initSync({ module }); ready = true; }
}

export const api = createApi(glue, () => init(), () => ready);
