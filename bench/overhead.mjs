// Per-request overhead: sequential requests against bench/server.mjs (a separate process), in
// interleaved blocks (every block runs every library once, in a rotated order).
//   node overhead.mjs URL [blocks] [perBlock]
import { AgentClient, isAgentError } from "agentwire";
import OpenAI from "openai";
import ky from "ky";
import { CHAT, KEY, emit, median, round } from "./lib.mjs";

const [url, blocksArg, perArg] = process.argv.slice(2);
const BLOCKS = Number(blocksArg || 15), PER = Number(perArg || 300);
const body = JSON.stringify(CHAT);
const endpoint = `${url}/v1/chat/completions`;

const aw = new AgentClient({ baseUrl: url, apiKey: KEY, auth: "bearer", maxRetries: 0 });
const oa = new OpenAI({ baseURL: `${url}/v1`, apiKey: KEY, maxRetries: 0 });
const kyc = ky.create({ retry: 0, headers: { authorization: `Bearer ${KEY}` } });

function libs(mode) {
  const h = mode === "429" ? { "x-bench": "429" } : {};
  const expectErr = mode === "429";
  const check = (isErr) => { if (isErr !== expectErr) throw new Error(`unexpected ${isErr ? "error" : "success"} in ${mode}`); };
  return {
    "raw fetch": async () => {
      const res = await fetch(endpoint, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, ...h }, body });
      const data = await res.json();
      if (!res.ok) { const e = new Error(data?.error?.message ?? `HTTP ${res.status}`); e.status = res.status; check(true); return e; }
      check(false); return data;
    },
    "agentwire chat.completions": async () => {
      try { const r = await aw.chat.completions(CHAT, { headers: h }); check(false); return r; }
      catch (e) { if (!isAgentError(e)) throw e; check(true); return e; }
    },
    "agentwire request": async () => {
      try { const r = await aw.request({ method: "POST", path: "/v1/chat/completions", body: CHAT, headers: h }); check(false); return r; }
      catch (e) { if (!isAgentError(e)) throw e; check(true); return e; }
    },
    openai: async () => {
      try { const r = await oa.chat.completions.create(CHAT, { headers: h }); check(false); return r; }
      catch (e) { if (!(e instanceof OpenAI.APIError)) throw e; check(true); return e; }
    },
    ky: async () => {
      try { const r = await kyc.post(endpoint, { json: CHAT, headers: h }).json(); check(false); return r; }
      catch (e) { if (e.name !== "HTTPError") throw e; await e.response.json(); check(true); return e; }
    },
  };
}

const result = {};
for (const mode of ["200", "429"]) {
  const L = libs(mode);
  const names = Object.keys(L);
  for (const n of names) for (let i = 0; i < 200; i++) await L[n](); // warm-up (JIT, sockets)
  const per = Object.fromEntries(names.map((n) => [n, []]));
  for (let b = 0; b < BLOCKS; b++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(b + j) % names.length];
      const f = L[n];
      const t0 = performance.now();
      for (let i = 0; i < PER; i++) await f();
      per[n].push(((performance.now() - t0) * 1000) / PER);
    }
  }
  result[mode] = Object.fromEntries(names.map((n) => [n, { usMedian: round(median(per[n]), 1), usMin: round(Math.min(...per[n]), 1), usMax: round(Math.max(...per[n]), 1), blocks: per[n].map((x) => round(x, 1)) }]));
}
emit({ blocks: BLOCKS, perBlock: PER, result });
