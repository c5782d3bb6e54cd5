// Node ESM: the module is compiled synchronously at import, so nothing needs `init()`.
import { readFileSync } from "node:fs";
import * as glue from "./agentwire.js";
import { createApi, AgentError, isAgentError, VERSION } from "./api.js";

glue.initSync({ module: readFileSync(new URL("./agentwire_bg.wasm", import.meta.url)) });
const api = createApi(glue, () => Promise.resolve(), () => true);

export const { AgentClient, AgentStream, SseDecoder, parseError, parseErrorResponse, supportReport } = api;
export { AgentError, isAgentError, VERSION };
/** Already initialised in Node; kept so code can call it in every runtime. */
export async function init() {}
