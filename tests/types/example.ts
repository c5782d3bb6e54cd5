// Compiled with `tsc --strict` in the test command: the declared API must type-check as users
// write it, and misuse must be rejected (the @ts-expect-error lines fail the build if accepted).
import {
  AgentClient, AgentError, isAgentError, parseError, parseErrorResponse, supportReport, SseDecoder,
  type ErrorKind, type Meta, type WorkflowJob, type HatzChatChunk, type AnthropicStreamEvent,
} from "agentwire";

async function main(): Promise<void> {
  const client = new AgentClient({ apiKey: "test-key-123456", baseUrl: "http://127.0.0.1:8787", timeoutMs: 10_000, logLevel: "info", logger: console });
  const controller = new AbortController();

  const reply = await client.chat.completions({ model: "m", messages: [{ role: "user", content: "hi" }] }, { signal: controller.signal });
  const text: string | null | undefined = reply.choices[0]?.message.content;
  const meta: Meta = reply.meta;
  const attempts: number = meta.attempts;

  const stream = await client.chat.completions({ model: "m", messages: [{ role: "user", content: "hi" }], stream: true });
  for await (const chunk of stream) {
    const c: HatzChatChunk = chunk;
    const delta: string | null | undefined = c.choices[0]?.delta.content;
    void delta;
  }
  const anth = await client.anthropic.messagesStream({ model: "claude", max_tokens: 100, messages: [{ role: "user", content: "hi" }] });
  for await (const ev of anth) {
    const e: AnthropicStreamEvent = ev;
    if (e.type === "content_block_delta") void e.delta?.text;
  }
  const rs: ReadableStream<unknown> = (await client.openai.responsesStream({ model: "m", input: "hi" })).toReadableStream();
  const full: string = await (await client.openai.responsesStream({ model: "m", input: "hi" })).text();

  const job: WorkflowJob = await client.workflows.runAndWait("app", { topic: "x" }, {
    pollIntervalMs: 1000,
    onProgress: (p) => { const pct: number = p.stepsDone / Math.max(1, p.totalSteps); void pct; },
  });
  const status: string = job.status;
  const { fileUuid } = await client.files.upload(new Uint8Array([1, 2, 3]), { filename: "a.csv", scopeType: "workflow" });
  await client.workflows.run("app", { report_file: fileUuid });
  const { url, expiresIn } = await client.workflows.outputUrl(job.job_id, "step-1", { expiresIn: 60 });

  const raw = await client.request<{ ok: boolean }>({ method: "GET", path: "/v1/whatever", query: { page: 2 } });
  const ok: boolean = raw.data.ok;

  try {
    await client.request({ path: "/v1/x" });
  } catch (e: unknown) {
    if (isAgentError(e)) {
      const kind: ErrorKind = e.kind;
      const retryAfter: number | undefined = e.retryAfterMs;
      const report = client.supportReport(e, { model: "m", streaming: false });
      const reportText: string = report.text;
      if (kind === "rate_limited" || kind === "quota") void retryAfter;
      void reportText;
    }
  }

  const parsed: AgentError = parseError(429, { "retry-after": "2" }, "{}");
  const fromHeaders: AgentError = parseError(500, new Headers({ "x-request-id": "r1" }), new Uint8Array());
  const fromResponse: AgentError = await parseErrorResponse(new Response("{}", { status: 503 }));
  const generic = supportReport(new Error("boom"), { secrets: ["k"], endpoint: "/v1/x" });
  const events = new SseDecoder().push("data: {}\n\n");
  const first: string | undefined = events[0]?.data;

  // @ts-expect-error: an unknown kind is not an ErrorKind
  const badKind: ErrorKind = "teapot";
  // @ts-expect-error: auth schemes are a closed set (Basic auth is never sent)
  new AgentClient({ auth: "basic" });
  // @ts-expect-error: the key has no getter
  void client.apiKey;
  // @ts-expect-error: anthropic messages need max_tokens
  await client.anthropic.messages({ model: "c", messages: [] });

  void [text, attempts, rs, full, status, url, expiresIn, ok, parsed, fromHeaders, fromResponse, generic, first, badKind];
}

void main;
