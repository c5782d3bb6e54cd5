// No top-level await (extension and other service workers). Async calls initialise lazily;
// synchronous ones (parseError, new AgentClient, new SseDecoder) need `await init()` or
// `AgentClient.create()` first, and say so if they come too early.
import { api, init, initSync } from "./lazy.js";
export { AgentError, isAgentError, VERSION } from "./api.js";

export const { AgentClient, AgentStream, SseDecoder, parseError, parseErrorResponse, supportReport } = api;
export { init, initSync };
