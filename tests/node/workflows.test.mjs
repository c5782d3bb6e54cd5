// Workflows (run, poll, wait, resume, failures, presigned output URLs) and file uploads.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as aw from "../../pkg/node.js";
import { startPlatform } from "../../www/platform/server.mjs";

const KEY = "test-workflows-5b7e";
let p;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function client(extra = {}) {
  return new aw.AgentClient({ baseUrl: p.url, apiKey: KEY, retryBaseDelayMs: 10, retryMaxDelayMs: 50, ...extra });
}
const FAST = { pollIntervalMs: 40, maxPollIntervalMs: 80 };

async function rejects(promise) {
  try { await promise; } catch (e) { return e; }
  assert.fail("expected the call to reject");
}

// A high limit: the default 100 requests/min per key would pace the fast polls below.
before(async () => { p = await startPlatform({ port: 0, rateLimit: { limit: 100_000, windowMs: 60_000 } }); });
after(async () => { await p.close(); });

describe("runAndWait", () => {
  test("steps-3-ms-100 completes with 3 step outputs; onProgress sees stepsDone increase", async () => {
    const progress = [];
    const job = await client().workflows.runAndWait("steps-3-ms-100", { topic: "x" }, { ...FAST, onProgress: (pr) => progress.push(pr) });
    assert.equal(job.status, "complete");
    assert.equal(job.step_outputs.length, 3);
    for (const s of job.step_outputs) {
      assert.equal(s.status, "complete");
      assert.match(String(s.output_data), /Step \d output/);
    }
    assert.ok(job.meta && job.meta.requestId, "the final job carries meta");
    assert.ok(progress.length >= 2, `onProgress called ${progress.length} times`);
    const done = progress.map((x) => x.stepsDone);
    for (let i = 1; i < done.length; i++) assert.ok(done[i] >= done[i - 1], `stepsDone never decreases: ${done}`);
    assert.ok(done.at(-1) === 3 && done[0] < 3, `stepsDone increased to 3: ${done}`);
    assert.equal(progress.at(-1).totalSteps, 3);
    assert.equal(progress.at(-1).jobId, job.job_id);
    assert.equal(progress.at(-1).status, "complete");
    const elapsed = progress.map((x) => x.elapsedMs);
    assert.deepEqual([...elapsed].sort((a, b) => a - b), elapsed);
  });

  test("a throwing onProgress does not stop the wait", async () => {
    const job = await client().workflows.runAndWait("steps-1-ms-50-pending-ms-0", {}, { ...FAST, onProgress: () => { throw new Error("boom"); } });
    assert.equal(job.status, "complete");
  });

  test("run + get + wait separately", async () => {
    const c = client();
    const run = await c.workflows.run("steps-2-ms-50-pending-ms-0", { a: 1 });
    assert.match(run.jobId, /^[0-9a-f-]{36}$/);
    assert.ok(run.meta.requestId);
    const first = await c.workflows.get(run.jobId);
    assert.equal(first.job_id, run.jobId);
    assert.ok(["pending", "running", "complete"].includes(first.status));
    const job = await c.workflows.wait(run.jobId, FAST);
    assert.equal(job.status, "complete");
    assert.equal(job.step_outputs.length, 2);
  });

  test("fail-at-2 → job_failed with details.jobId and details.stepId", async () => {
    const e = await rejects(client().workflows.runAndWait("steps-3-ms-50-pending-ms-0-fail-at-2", {}, FAST));
    assert.ok(e instanceof aw.AgentError);
    assert.equal(e.kind, "job_failed");
    assert.equal(e.retryable, false);
    assert.match(e.details.jobId, /^[0-9a-f-]{36}$/);
    assert.ok(e.details.stepId, "details.stepId");
    assert.ok(e.message.includes(e.details.jobId));
    assert.ok(e.message.includes(e.details.stepId));
    assert.equal(e.code, "STEP_FAILED");
    // The step id is the failed one in the job
    const job = await client().workflows.get(e.details.jobId);
    const failed = job.step_outputs.find((s) => s.status === "failed");
    assert.equal(failed.step_id, e.details.stepId);
    const report = client().supportReport(e);
    assert.ok(report.text.includes(e.details.jobId), "the support report names the job");
  });

  test("stays-pending with timeoutMs 800 → timeout whose details.jobId can be resumed", async () => {
    const c = client();
    const t0 = Date.now();
    const e = await rejects(c.workflows.runAndWait("stays-pending", {}, { ...FAST, timeoutMs: 800 }));
    const elapsed = Date.now() - t0;
    assert.equal(e.kind, "timeout");
    assert.match(e.details.jobId, /^[0-9a-f-]{36}$/);
    assert.ok(elapsed >= 700 && elapsed < 1500, `elapsed ${elapsed}`);
    // Resuming with the same id polls the same job (still pending → times out again).
    const n = p.log.length;
    const e2 = await rejects(c.workflows.wait(e.details.jobId, { ...FAST, timeoutMs: 200 }));
    assert.equal(e2.kind, "timeout");
    assert.ok(p.log.slice(n).every((r) => r.path === `/v1/workflows/${e.details.jobId}`));
  });

  test("resume after a wait timeout: steps-1-ms-1500 times out at 300 ms, then completes", async () => {
    const c = client();
    const { jobId } = await c.workflows.run("steps-1-ms-1500", {});
    const e = await rejects(c.workflows.wait(jobId, { ...FAST, timeoutMs: 300 }));
    assert.equal(e.kind, "timeout");
    assert.equal(e.details.jobId, jobId);
    const job = await c.workflows.wait(e.details.jobId, { pollIntervalMs: 100, maxPollIntervalMs: 200, timeoutMs: 5000 });
    assert.equal(job.status, "complete");
    assert.equal(job.job_id, jobId);
  });

  test("a wait timeout is always the resumable WORKFLOW_WAIT_TIMEOUT (never the poll's DEADLINE_EXCEEDED)", async () => {
    const c = client();
    const seen = [];
    for (let i = 0; i < 8; i++) {
      const { jobId } = await c.workflows.run("stays-pending", {});
      const e = await rejects(c.workflows.wait(jobId, { timeoutMs: 150 + (i % 4) * 7, pollIntervalMs: 20, maxPollIntervalMs: 40 }));
      seen.push(`${e.code} retryable=${e.retryable} lastStatus=${e.details && e.details.lastStatus} resumeAdvice=${e.advice.includes(jobId)}`);
    }
    const bad = seen.filter((s) => s !== "WORKFLOW_WAIT_TIMEOUT retryable=true lastStatus=pending resumeAdvice=true");
    assert.deepEqual(bad, [], `inconsistent wait timeouts: ${JSON.stringify(seen)}`);
  });

  test("job-not-found → not_found", async () => {
    const c = client();
    const { jobId } = await c.workflows.run("steps-1-ms-50", {});
    const e = await rejects(c.workflows.get(jobId, { headers: { "x-agentwire-fault": "job-not-found" } }));
    assert.equal(e.kind, "not_found");
    assert.equal(e.status, 404);
    const e2 = await rejects(c.workflows.wait("00000000-0000-0000-0000-000000000000", FAST));
    assert.equal(e2.kind, "not_found");
    assert.equal(e2.details.jobId, "00000000-0000-0000-0000-000000000000");
  });

  test("poll-429;times=1;retry-after=1 mid-poll → still completes, elapsed ≥ 1 s", async () => {
    const c = client({ headers: { "x-agentwire-fault": "poll-429;times=1;retry-after=1" } });
    const t0 = Date.now();
    const job = await c.workflows.runAndWait("steps-1-ms-20-pending-ms-0", {}, FAST);
    const elapsed = Date.now() - t0;
    assert.equal(job.status, "complete");
    assert.ok(elapsed >= 980, `elapsed ${elapsed}`);
    assert.ok(p.log.some((r) => r.status === 429 && r.route === "workflows.get"));
  });

  test("poll-503 mid-poll → still completes", async () => {
    const c = client({ headers: { "x-agentwire-fault": "poll-503;times=2" } });
    const job = await c.workflows.runAndWait("steps-1-ms-20-pending-ms-0", {}, FAST);
    assert.equal(job.status, "complete");
  });

  test("credit-overage on run → quota, not retried", async () => {
    const n = p.log.length;
    const e = await rejects(client().workflows.runAndWait("steps-1", {}, { ...FAST, headers: { "x-agentwire-fault": "credit-overage" } }));
    assert.equal(e.kind, "quota");
    assert.equal(e.status, 429);
    assert.equal(e.retryable, false);
    assert.equal(p.log.length - n, 1);
  });

  test("a 500 on run is not re-sent (paid); a 503 is", async () => {
    let n = p.log.length;
    const e = await rejects(client().workflows.run("steps-1", {}, { headers: { "x-agentwire-fault": "status-500;times=1;id=wf500" } }));
    assert.equal(e.kind, "server");
    assert.equal(p.log.length - n, 1);
    n = p.log.length;
    const r = await client().workflows.run("steps-1", {}, { headers: { "x-agentwire-fault": "status-503;times=1;id=wf503" } });
    assert.equal(r.meta.attempts, 2);
    assert.equal(p.log.length - n, 2);
  });

  test("abort mid-poll → aborted, no request after the abort", async () => {
    const c = client();
    const ac = new AbortController();
    const { jobId } = await c.workflows.run("stays-pending", {});
    let abortedAt, countAtAbort;
    setTimeout(() => { abortedAt = Date.now(); countAtAbort = p.log.length; ac.abort(); }, 250);
    const e = await rejects(c.workflows.wait(jobId, { ...FAST, signal: ac.signal }));
    assert.equal(e.kind, "aborted");
    assert.ok(Date.now() - abortedAt < 200, `settled ${Date.now() - abortedAt} ms after abort`);
    const right = p.log.length;
    assert.ok(right - countAtAbort <= 0, "nothing sent after the abort");
    await sleep(500);
    assert.equal(p.log.length, right, "still nothing 500 ms later");
  });

  test("abort during a poll request (hang) → aborted", async () => {
    const c = client({ headers: { "x-agentwire-fault": "hang" } });
    const ac = new AbortController();
    const plain = client();
    const { jobId } = await plain.workflows.run("stays-pending", {});
    setTimeout(() => ac.abort(), 200);
    const e = await rejects(c.workflows.wait(jobId, { ...FAST, signal: ac.signal }));
    assert.equal(e.kind, "aborted");
  });
});

describe("outputUrl", () => {
  test("returns a URL and expiresIn; the URL serves the step output", async () => {
    const c = client();
    const job = await c.workflows.runAndWait("steps-2-ms-20-pending-ms-0", { q: "hi" }, FAST);
    const step = job.step_outputs[1];
    const out = await c.workflows.outputUrl(job.job_id, step.step_id, { expiresIn: 600 });
    assert.match(out.url, /^http:\/\/127\.0\.0\.1:\d+\/__files\/.+X-Amz-Signature=/);
    assert.equal(out.expiresIn, 600);
    assert.ok(out.meta.requestId);
    const body = await (await fetch(out.url)).text();
    assert.equal(body, step.output_data);
    const def = await c.workflows.outputUrl(job.job_id, step.step_id);
    assert.equal(def.expiresIn, 3600);
  });

  test("unknown step → not_found", async () => {
    const c = client();
    const job = await c.workflows.runAndWait("steps-1-ms-20-pending-ms-0", {}, FAST);
    const e = await rejects(c.workflows.outputUrl(job.job_id, "no-such-step"));
    assert.equal(e.kind, "not_found");
  });
});

describe("files", () => {
  test("upload a Uint8Array, then use its fileUuid as a workflow input", async () => {
    const c = client();
    const bytes = new TextEncoder().encode("name,score\nada,10\n");
    const up = await c.files.upload(bytes, { filename: "report.csv", contentType: "text/csv" });
    assert.match(up.fileUuid, /^[0-9a-f-]{36}$/);
    assert.equal(up.filename, "report.csv");
    assert.equal(up.size, bytes.length);
    assert.ok(up.meta.requestId);
    const job = await c.workflows.runAndWait("steps-2-ms-20-pending-ms-0", { report_file: up.fileUuid }, FAST);
    assert.equal(job.status, "complete");
    assert.match(job.step_outputs[0].output_data, /report\.csv/);
    assert.match(job.step_outputs[0].output_data, new RegExp(`${bytes.length} bytes`));
    assert.match(job.step_outputs[0].output_data, /report_file/);
  });

  test("upload a Blob (binary-safe), scope fields", async () => {
    const c = client();
    const data = new Uint8Array(256).map((_, i) => i);
    const up = await c.files.upload(new Blob([data], { type: "application/octet-stream" }), { filename: "all-bytes.bin", scopeType: "workflow", scopeId: "abc" });
    assert.ok(up.fileUuid);
    assert.equal(up.size, 256);
    const job = await c.workflows.runAndWait("steps-1-ms-20-pending-ms-0", { doc: up.fileUuid }, FAST);
    assert.match(job.step_outputs[0].output_data, /all-bytes\.bin/);
  });

  test("upload an ArrayBuffer", async () => {
    const up = await client().files.upload(new TextEncoder().encode("x").buffer, { filename: "x.txt" });
    assert.equal(up.size, 1);
  });

  test("empty file → validation EMPTY_FILE, nothing sent", async () => {
    const n = p.log.length;
    for (const f of [new Uint8Array(0), new Blob([])]) {
      const e = await rejects(client().files.upload(f));
      assert.ok(e instanceof aw.AgentError);
      assert.equal(e.kind, "validation");
      assert.equal(e.code, "EMPTY_FILE");
    }
    assert.equal(p.log.length, n);
  });

  test("file over maxUploadBytes → FILE_TOO_LARGE without any request", async () => {
    const n = p.log.length;
    const e = await rejects(client({ maxUploadBytes: 1000 }).files.upload(new Uint8Array(1001)));
    assert.equal(e.kind, "validation");
    assert.equal(e.code, "FILE_TOO_LARGE");
    assert.equal(p.log.length, n);
    const ok = await client({ maxUploadBytes: 1000 }).files.upload(new Uint8Array(1000).fill(65));
    assert.equal(ok.size, 1000);
  });

  test("not a file → validation INVALID_FILE", async () => {
    const e = await rejects(client().files.upload("just a string"));
    assert.equal(e.kind, "validation");
    assert.equal(e.code, "INVALID_FILE");
  });

  test("server-side 413 (over the platform's limit) → an AgentError with status 413", async () => {
    const q = await startPlatform({ port: 0, fileSizeLimit: 100 });
    try {
      const c = new aw.AgentClient({ baseUrl: q.url, apiKey: KEY, retryBaseDelayMs: 10, retryMaxDelayMs: 50 });
      const e = await rejects(c.files.upload(new Uint8Array(500)));
      assert.ok(e instanceof aw.AgentError);
      assert.equal(e.status, 413);
      assert.equal(e.retryable, false);
      assert.equal(q.log.length, 1);
    } finally { await q.close(); }
  });
});
