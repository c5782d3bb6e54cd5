#!/usr/bin/env node
// A terminal tour of agentwire against a platform (the local fake by default).
//
//   node scripts/tour.mjs [PLATFORM_URL]        (or AGENTWIRE_PLATFORM_URL=...)
//
// With no URL it starts the local platform in-process. Uses a throw-away `test-` key: no real
// key is needed. Exits 0 when every step behaved as expected, 1 otherwise.

import * as aw from "../pkg/node.js";

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = paint("1"), dim = paint("2"), green = paint("32"), red = paint("31"), yellow = paint("33");

let stepNo = 0;
const heading = (title) => console.log(`\n${bold(`── ${++stepNo}. ${title} `.padEnd(72, "─"))}`);
const kv = (k, v) => console.log(`   ${dim(k.padEnd(13))}${v}`);
const indent = (text) => text.split("\n").map((l) => `   │ ${l}`).join("\n");
const metaLine = (m) => `request id ${m.requestId} · attempts ${m.attempts} · status ${m.status} · ${m.durationMs} ms${m.waitedMs ? ` · waited ${m.waitedMs} ms` : ""}`;

let failures = 0;
function expect(cond, what) {
  if (!cond) { failures++; console.log(`   ${red("✗ unexpected:")} ${what}`); }
}

let platform = null;
let baseUrl = process.argv[2] || process.env.AGENTWIRE_PLATFORM_URL;
if (!baseUrl) {
  const { startPlatform } = await import("../www/platform/server.mjs");
  platform = await startPlatform({ port: 0 });
  baseUrl = platform.url;
}
const KEY = "test-tour-key";

console.log(bold(`agentwire ${aw.VERSION} — a tour`));
console.log(dim(`platform ${baseUrl} · key test-… (throw-away; any test- key works on the local platform)`));

// Retry lines from the client's own logger, shown as they happen.
const logger = {
  info: (m) => { if (/ retry /.test(m)) console.log(`   ${yellow("↻")} ${dim(m)}`); },
  warn: (m) => console.log(`   ${yellow("!")} ${dim(m)}`),
  error: (m) => console.log(`   ${red("!")} ${dim(m)}`),
};
const client = new aw.AgentClient({ baseUrl, apiKey: KEY, allowInsecureHttp: true, logger, logLevel: "info" });
const messages = (content) => [{ role: "user", content }];

try {
  heading("A chat (Hatz native, /v1/chat/completions)");
  const reply = await client.chat.completions({ model: "gpt-4o", messages: messages("What does agentwire do?") });
  kv("answer", reply.choices[0].message.content);
  kv("meta", metaLine(reply.meta));
  if (reply.meta.usage) kv("usage", Object.entries(reply.meta.usage).filter(([k]) => /balance|cost/.test(k)).map(([k, v]) => `${k}=${v}`).join(" "));
  expect(reply.choices[0].message.content.startsWith("echo:"), "chat answer");

  heading("A streamed chat (Anthropic messages), token by token");
  const stream = await client.anthropic.messages({ model: "claude", max_tokens: 256, stream: true,
    messages: messages("tokens arrive one at a time as the server sends them") }, { headers: { "x-agentwire-delay-ms": "60" } });
  process.stdout.write("   ");
  let streamed = "", deltas = 0;
  for await (const ev of stream) {
    if (ev.type === "content_block_delta" && ev.delta?.text) { process.stdout.write(green(ev.delta.text)); streamed += ev.delta.text; deltas++; }
  }
  process.stdout.write("\n");
  kv("deltas", String(deltas));
  kv("meta", metaLine(stream.meta));
  expect(deltas > 3 && streamed.startsWith("echo:"), "streamed text");

  heading("A workflow, run to completion");
  const width = 30;
  let last = "";
  const bar = (done, total, status) => {
    const n = total ? Math.round((width * done) / total) : 0;
    return `   [${"#".repeat(n)}${".".repeat(width - n)}] ${String(done).padStart(2)}/${total} ${status}`;
  };
  const job = await client.workflows.runAndWait("steps-4-ms-400", { topic: "machine learning" }, {
    pollIntervalMs: 250, maxPollIntervalMs: 800,
    onProgress: (p) => {
      const line = bar(p.stepsDone, p.totalSteps, p.status);
      if (line === last) return;
      last = line;
      if (process.stdout.isTTY) process.stdout.write(`\r${line}   `); else console.log(line);
    },
  });
  if (process.stdout.isTTY) process.stdout.write("\n");
  kv("job", `${job.job_id} · ${job.status}`);
  for (const s of job.step_outputs ?? []) kv(`  ${s.step_id.slice(0, 8)}…`, `${s.status} · ${s.duration} ms · ${String(s.output_data).slice(0, 60)}`);
  expect(job.status === "complete", "workflow status");

  heading("Failures: a 503 that is retried, then succeeds");
  const id = Math.random().toString(36).slice(2, 8);
  const ok = await client.chat.completions({ model: "gpt-4o", messages: messages("worth the wait") },
    { headers: { "x-agentwire-fault": `status-503;times=2;id=${id}` } });
  kv("answer", ok.choices[0].message.content);
  kv("meta", metaLine(ok.meta));
  expect(ok.meta.attempts === 3, "two retries");

  heading("Failures: a credit overage on a workflow run (not retried: paid work)");
  try {
    await client.workflows.run("steps-2", { topic: "ml" }, { headers: { "x-agentwire-fault": "credit-overage" } });
    expect(false, "the run should have failed");
  } catch (e) {
    if (!aw.isAgentError(e)) throw e;
    kv("kind", e.kind);
    kv("status", String(e.status));
    kv("retryable", String(e.retryable));
    kv("message", e.message);
    kv("advice", e.advice);
    console.log(`   ${dim("support report (safe to paste into a ticket):")}`);
    const report = client.supportReport(e, { endpoint: "/v1/workflows/run" }).text;
    console.log(dim(indent(report)));
    expect(e.kind === "quota", "kind quota");
    expect(!report.includes(KEY), "the support report must not contain the key");
  }

  heading("Failures: a stream cut by an error event");
  let partial = "";
  try {
    const s = await client.chat.completions({ model: "gpt-4o", stream: true, messages: messages("one two three four") },
      { headers: { "x-agentwire-fault": "mid-stream-error" } });
    for await (const ev of s) partial += ev.choices?.[0]?.delta?.content ?? "";
    expect(false, "the stream should have failed");
  } catch (e) {
    if (!aw.isAgentError(e)) throw e;
    kv("received", JSON.stringify(partial));
    kv("kind", `${e.kind}${e.code ? ` (${e.code})` : ""}`);
    kv("advice", e.advice);
    expect(e.kind === "stream", "kind stream");
  }

  heading("Failures: any error body, classified offline with parseError");
  const parsed = aw.parseError(429, { "Retry-After": "45" },
    '{"error":"Rate limit exceeded","message":"You have exceeded the rate limit of 10 requests per minute","statusCode":429,"details":{"retryAfter":45}}');
  kv("kind", parsed.kind);
  kv("vendorFormat", parsed.vendorFormat);
  kv("retryAfterMs", String(parsed.retryAfterMs));
  kv("advice", parsed.advice);
  expect(parsed.kind === "rate_limited" && parsed.retryAfterMs === 45000, "parsed Zazmic 429");
} catch (e) {
  failures++;
  console.error(red(`\nThe tour stopped on an unexpected error:`));
  console.error(aw.isAgentError(e) ? `${e.kind}: ${e.message}\n${e.advice}` : e);
} finally {
  await platform?.close();
}

console.log();
if (failures) { console.log(red(bold(`Tour finished with ${failures} unexpected result(s).`))); process.exit(1); }
console.log(green(bold("Tour complete: every step behaved as expected.")));
