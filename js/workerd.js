// Cloudflare Workers: workerd forbids compiling wasm from bytes, so the module is imported
// statically (the bundler or wrangler turns it into a WebAssembly.Module) and instantiated here.
import wasmModule from "./agentwire_bg.wasm";
import * as glue from "./agentwire.js";
import { createApi, AgentError, isAgentError, VERSION } from "./api.js";

glue.initSync({ module: wasmModule });
const api = createApi(glue, () => Promise.resolve(), () => true);

export const { AgentClient, AgentStream, SseDecoder, parseError, parseErrorResponse, supportReport } = api;
export { AgentError, isAgentError, VERSION };
export async function init() {}
