// The error model's JS API: parseError, parseErrorResponse, AgentError, isAgentError and
// supportReport, with bodies taken from the platform documents (seeds).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as aw from "../../pkg/node.js";

const SECRET = "sk-test-errors-0a9b8c7d6e5f";

function assertShape(e) {
  assert.ok(e instanceof aw.AgentError, "instanceof AgentError");
  assert.ok(e instanceof Error, "instanceof Error");
  assert.equal(e.name, "AgentError");
  assert.equal(typeof e.stack, "string");
  assert.ok(e.stack.length > 0);
  assert.equal(aw.isAgentError(e), true);
  assert.equal(typeof e.message, "string");
  assert.ok(e.message.length > 0);
  assert.equal(typeof e.retryable, "boolean");
  assert.ok(Array.isArray(e.fieldErrors));
  assert.equal(typeof e.advice, "string");
  assert.equal(typeof e.vendorFormat, "string");
}

describe("parseError inputs", () => {
  const body = JSON.stringify({ detail: "Invalid API key" });
  const cases = {
    "Headers + string": [new Headers({ "x-request-id": "req-h1" }), body],
    "plain object + string": [{ "X-Request-ID": "req-h1" }, body],
    "plain object + Uint8Array": [{ "x-request-id": "req-h1" }, new TextEncoder().encode(body)],
    "Headers + ArrayBuffer": [new Headers({ "x-request-id": "req-h1" }), new TextEncoder().encode(body).buffer],
    "array-valued header": [{ "x-request-id": ["req-h1"] }, body],
  };
  for (const [name, [headers, b]] of Object.entries(cases)) {
    test(name, () => {
      const e = aw.parseError(401, headers, b);
      assertShape(e);
      assert.equal(e.kind, "authentication");
      assert.equal(e.status, 401);
      assert.equal(e.requestId, "req-h1");
      assert.equal(e.message, "Invalid API key");
      assert.equal(e.retryable, false);
    });
  }

  test("null/undefined bodies and empty headers never throw", () => {
    for (const b of [null, undefined, "", new Uint8Array(0)]) {
      const e = aw.parseError(500, {}, b);
      assertShape(e);
      assert.equal(e.kind, "server");
      assert.equal(e.retryable, true);
    }
  });

  test("garbage bodies never throw", () => {
    for (const b of ["{", "[1,2", "\u0000\uFFFF", new Uint8Array([0xff, 0xfe, 0x00, 0x80]), "x".repeat(100_000), "{\"detail\":{\"detail\":{\"detail\":null}}}"]) {
      const e = aw.parseError(400, { "content-type": "application/json" }, b);
      assertShape(e);
      assert.ok(e.message.length <= 2000, `message bounded (${e.message.length})`);
    }
  });

  test("a status that is not a number is a TypeError", () => {
    assert.throws(() => aw.parseError("abc", {}, ""), TypeError);
    assert.throws(() => aw.parseError(70000, {}, ""), TypeError);
  });
});

describe("seed examples", () => {
  test("Zazmic 429 with Retry-After: 45 → rate_limited, retryAfterMs 45000", () => {
    const e = aw.parseError(429, { "Retry-After": "45", "X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1642252800" },
      '{ "error": "Rate limit exceeded", "message": "You have exceeded the rate limit of 10 requests per minute", "statusCode": 429, "details": { "retryAfter": 45 } }');
    assertShape(e);
    assert.equal(e.kind, "rate_limited");
    assert.equal(e.retryAfterMs, 45000);
    assert.equal(e.retryable, true);
    assert.equal(e.vendorFormat, "zazmic");
    assert.equal(e.rateLimit.limit, 10);
    assert.equal(e.rateLimit.remaining, 0);
    assert.equal(e.rateLimit.resetAt, 1642252800000);
    assert.match(e.message, /rate limit of 10 requests per minute/);
  });

  test("Zazmic 429 with only details.retryAfter → retryAfterMs 45000", () => {
    const e = aw.parseError(429, {}, '{"error":"Rate limit exceeded","message":"slow down","statusCode":429,"details":{"retryAfter":45}}');
    assert.equal(e.retryAfterMs, 45000);
  });

  test("Zazmic 403 insufficient balance → quota, not retryable", () => {
    const e = aw.parseError(403, {}, '{ "error": "Insufficient balance", "message": "Your balance ($5.00) is insufficient for this task ($10.00). Please add credits.", "statusCode": 403 }');
    assert.equal(e.kind, "quota");
    assert.equal(e.retryable, false);
  });

  test("Heylock 400 MISSING_AGENT_KEY → authentication", () => {
    const e = aw.parseError(400, {}, '{"error":"MISSING_AGENT_KEY","message":"Authorization header missing."}');
    assertShape(e);
    assert.equal(e.kind, "authentication");
    assert.equal(e.code, "MISSING_AGENT_KEY");
    assert.equal(e.vendorFormat, "heylock");
    assert.equal(e.retryable, false);
  });

  test("Heylock 402 INSUFFICIENT_BALANCE → quota", () => {
    const e = aw.parseError(402, { "X-Balance": "0.00" }, '{"error":"INSUFFICIENT_BALANCE","message":"Balance is exhausted."}');
    assert.equal(e.kind, "quota");
    assert.equal(e.retryable, false);
  });

  test("Agntix SESSION_EXPIRED → session_expired with the body's requestId", () => {
    const e = aw.parseError(410, {}, '{"error":{"code":"SESSION_EXPIRED","message":"The session is past its inactivity window","requestId":"req_01J2K"}}');
    assertShape(e);
    assert.equal(e.kind, "session_expired");
    assert.equal(e.code, "SESSION_EXPIRED");
    assert.equal(e.requestId, "req_01J2K");
    assert.equal(e.vendorFormat, "agntix");
  });

  test("Hatz credit overage 429 → quota, not retryable", () => {
    const e = aw.parseError(429, { "content-type": "application/json" }, '{"detail":"Workflows have been rate limited for your organization due to a credit overage."}');
    assertShape(e);
    assert.equal(e.kind, "quota");
    assert.equal(e.retryable, false);
    assert.equal(e.vendorFormat, "hatz_detail");
  });

  test("FastAPI 422 → validation with fieldErrors path body.messages", () => {
    const e = aw.parseError(422, {}, '{"detail":[{"loc":["body","messages"],"msg":"field required","type":"value_error.missing"}]}');
    assertShape(e);
    assert.equal(e.kind, "validation");
    assert.equal(e.vendorFormat, "fastapi_validation");
    assert.deepEqual(e.fieldErrors.map((f) => f.path), ["body.messages"]);
    assert.equal(e.fieldErrors[0].message, "field required");
    assert.match(e.message, /body\.messages/);
  });

  test("HTML 502 → '502 Bad Gateway' without markup", () => {
    const e = aw.parseError(502, { "content-type": "text/html" }, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>");
    assertShape(e);
    assert.equal(e.message, "502 Bad Gateway");
    assert.ok(!/[<>]/.test(e.message));
    assert.equal(e.vendorFormat, "html");
    assert.equal(e.retryable, true);
  });

  test("empty 503 → unavailable", () => {
    const e = aw.parseError(503, {}, "");
    assertShape(e);
    assert.equal(e.kind, "unavailable");
    assert.equal(e.vendorFormat, "empty");
    assert.equal(e.retryable, true);
  });

  test("OpenAI insufficient_quota 429 → quota; rate_limit_exceeded 429 → rate_limited", () => {
    const q = aw.parseError(429, {}, '{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}');
    assert.equal(q.kind, "quota");
    assert.equal(q.vendorFormat, "openai");
    const r = aw.parseError(429, { "retry-after-ms": "1000" }, '{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}');
    assert.equal(r.kind, "rate_limited");
    assert.equal(r.retryAfterMs, 1000);
  });

  test("Anthropic 529 overloaded → unavailable, retryable", () => {
    const e = aw.parseError(529, {}, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');
    assert.equal(e.kind, "unavailable");
    assert.equal(e.retryable, true);
    assert.equal(e.vendorFormat, "anthropic");
  });

  test("a key echoed in an error body is not carried into the error", () => {
    const e = aw.parseError(401, {}, JSON.stringify({ detail: `Invalid API key ${SECRET}` }));
    const r = aw.supportReport(e, { secrets: [SECRET] });
    assert.ok(!JSON.stringify(r).includes(SECRET));
  });
});

describe("parseErrorResponse", () => {
  test("reads a Response", async () => {
    const res = new Response('{"error":"Rate limit exceeded","message":"slow down","statusCode":429,"details":{"retryAfter":45}}',
      { status: 429, headers: { "Retry-After": "45", "X-Request-ID": "req-resp-1", "content-type": "application/json" } });
    const e = await aw.parseErrorResponse(res);
    assertShape(e);
    assert.equal(e.kind, "rate_limited");
    assert.equal(e.retryAfterMs, 45000);
    assert.equal(e.requestId, "req-resp-1");
    assert.equal(e.status, 429);
  });

  test("an HTML Response and an empty one", async () => {
    const h = await aw.parseErrorResponse(new Response("<html><title>502 Bad Gateway</title></html>", { status: 502, headers: { "content-type": "text/html" } }));
    assert.equal(h.message, "502 Bad Gateway");
    const empty = await aw.parseErrorResponse(new Response(null, { status: 503 }));
    assert.equal(empty.kind, "unavailable");
  });

  test("maxBytes cuts a huge body without failing", async () => {
    const big = JSON.stringify({ detail: "x".repeat(1_000_000) });
    const e = await aw.parseErrorResponse(new Response(big, { status: 500 }), { maxBytes: 1024 });
    assertShape(e);
    assert.equal(e.kind, "server");
  });
});

describe("AgentError and isAgentError", () => {
  test("constructed directly", () => {
    const e = new aw.AgentError({ kind: "conflict", message: "already exists", status: 409, code: "DUP" });
    assertShape(e);
    assert.equal(e.kind, "conflict");
    assert.equal(e.vendorFormat, "client");
    const j = JSON.parse(JSON.stringify(e));
    assert.equal(j.name, "AgentError");
    assert.equal(j.message, "already exists");
    assert.equal(j.kind, "conflict");
    assert.equal(j.status, 409);
  });

  test("an unknown kind becomes unknown", () => {
    assert.equal(new aw.AgentError({ kind: "nope", message: "m" }).kind, "unknown");
  });

  test("isAgentError", () => {
    assert.equal(aw.isAgentError(new Error("x")), false);
    assert.equal(aw.isAgentError(null), false);
    assert.equal(aw.isAgentError("AgentError"), false);
    assert.equal(aw.isAgentError({ name: "AgentError", kind: "server" }), true, "structural check (other realms)");
    assert.equal(aw.isAgentError({ name: "AgentError", kind: "bogus" }), false);
  });
});

describe("supportReport", () => {
  test("returns {text, json} with the request id and no secret", () => {
    const e = aw.parseError(500, { "X-Request-ID": "req-support-77" }, JSON.stringify({ detail: `boom with Bearer ${SECRET}` }));
    const r = aw.supportReport(e, { secrets: [SECRET], endpoint: "/v1/chat/completions", method: "POST", model: "m", streaming: false });
    assert.equal(typeof r.text, "string");
    assert.equal(typeof r.json, "object");
    assert.ok(r.text.includes("req-support-77"));
    assert.ok(JSON.stringify(r.json).includes("req-support-77"));
    assert.ok(r.text.includes("/v1/chat/completions"));
    assert.ok(!r.text.includes(SECRET));
    assert.ok(!JSON.stringify(r.json).includes(SECRET));
    assert.ok(r.text.includes("agentwire"));
  });

  test("plain Errors and strings are reported too", () => {
    const r = aw.supportReport(new Error("something odd"), { requestId: "req-x-1" });
    assert.ok(r.text.includes("req-x-1"));
    const s = aw.supportReport("just text");
    assert.equal(typeof s.text, "string");
  });

  test("a client's report removes that client's key", () => {
    const c = new aw.AgentClient({ baseUrl: "http://127.0.0.1:9", apiKey: SECRET });
    const e = new aw.AgentError({ kind: "server", message: `leaked ${SECRET}`, requestId: "req-c-1" });
    for (const r of [c.supportReport(e), aw.supportReport(e, { client: c })]) {
      assert.ok(!JSON.stringify(r).includes(SECRET));
      assert.ok(r.text.includes("req-c-1"));
    }
  });
});

describe("SseDecoder", () => {
  test("decodes events split across chunks and CRLF", () => {
    const d = new aw.SseDecoder();
    const a = d.push("event: ping\r\ndata: {\"a\"");
    const b = d.push(":1}\r\n\r\nid: 7\ndata: x\n\n");
    const all = [...a, ...b];
    assert.deepEqual(all.map((e) => e.data), ['{"a":1}', "x"]);
    assert.equal(all[0].event, "ping");
    assert.equal(d.lastEventId, "7");
    assert.equal(d.finish(), false);
    d.push("data: cut");
    assert.equal(d.finish(), true);
  });
});
