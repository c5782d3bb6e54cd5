// Browsers and bundlers: top-level await, so the module is ready when the import resolves.
// Service workers may not use top-level await: they import "agentwire/manual" instead.
import { api, init, initSync } from "./lazy.js";
export { AgentError, isAgentError, VERSION } from "./api.js";

await init();

export const { AgentClient, AgentStream, SseDecoder, parseError, parseErrorResponse, supportReport } = api;
export { init, initSync };
