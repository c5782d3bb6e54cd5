// Loopback HTTP server for the benchmarks, run in its own process so the client's measurements
// do not share an event loop with it. Prints "bench-server listening on http://127.0.0.1:PORT".
//
// Every POST answers a small OpenAI-style chat completion (keep-alive), unless the request header
// `x-bench` selects something else:
//   429          429 OpenAI-style rate-limit error (Retry-After: 1)
//   500          500 OpenAI-style server error
//   hang         headers never sent; the client is expected to abort
// Requests whose JSON body has "stream": true get an SSE chat stream of `x-bench-events` (default
// 20) chunks written in 4 pieces, then `data: [DONE]`; with `x-bench`:
//   stream-cut   half the events, then the socket is destroyed
//   stream-error half the events, then `event: error` and the end
//   stream-stall one event, then nothing (the client is expected to close/abort)
import http from "node:http";

const BODY = JSON.stringify({
  id: "chatcmpl-bench", object: "chat.completion", created: 1700000000, model: "bench-model",
  choices: [{ index: 0, message: { role: "assistant", content: "echo: hello" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
});
const E429 = JSON.stringify({ error: { message: "Rate limit reached for requests", type: "requests", param: null, code: "rate_limit_exceeded" } });
const E500 = JSON.stringify({ error: { message: "The server had an error while processing your request.", type: "server_error", param: null, code: null } });
const chunk = (i) => `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","choices":[{"index":0,"delta":{"content":"word${i} "},"finish_reason":null}]}\n\n`;

const server = http.createServer((req, res) => {
  const parts = [];
  req.on("data", (d) => parts.push(d));
  req.on("end", () => {
    const mode = req.headers["x-bench"] || "";
    const body = Buffer.concat(parts).toString();
    const stream = body.includes('"stream":true');
    if (mode === "hang") return; // the client aborts; the socket closes with it
    if (mode === "429") {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "1", "x-request-id": "req_bench" });
      return res.end(E429);
    }
    if (mode === "500") {
      res.writeHead(500, { "content-type": "application/json", "x-request-id": "req_bench" });
      return res.end(E500);
    }
    if (!stream) {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(BODY), "x-request-id": "req_bench" });
      return res.end(BODY);
    }
    const n = Number(req.headers["x-bench-events"] || 20);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "x-request-id": "req_bench" });
    if (mode === "stream-stall") { res.write(chunk(0)); return; }
    const upto = mode === "stream-cut" || mode === "stream-error" ? n >> 1 : n;
    let text = "";
    for (let i = 0; i < upto; i++) text += chunk(i);
    const q = Math.ceil(text.length / 4);
    const pieces = [text.slice(0, q), text.slice(q, 2 * q), text.slice(2 * q, 3 * q), text.slice(3 * q)];
    let k = 0;
    const next = () => {
      if (res.destroyed) return;
      if (k < pieces.length) { res.write(pieces[k++]); return setImmediate(next); }
      if (mode === "stream-cut") return res.destroy();
      if (mode === "stream-error") return res.end(`event: error\ndata: {"type":"error","error":{"code":"STREAM_ERROR","message":"Streaming connection failed"}}\n\n`);
      res.end("data: [DONE]\n\n");
    };
    next();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
  console.log(`bench-server listening on http://127.0.0.1:${server.address().port}`);
});
for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
