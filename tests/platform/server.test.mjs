// Tests of the local platform server itself: node --test tests/platform/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import http from 'node:http';

import { startPlatform } from '../../www/platform/server.mjs';
import { findFault, listFaults } from '../../www/platform/faults.mjs';

const SERVER = fileURLToPath(new URL('../../www/platform/server.mjs', import.meta.url));
const KEY = 'test-s3cr3t-key-0123456789';
const H = { 'X-API-Key': KEY, 'content-type': 'application/json' };

async function withPlatform(opts, fn) {
  if (typeof opts === 'function') [opts, fn] = [{}, opts];
  const p = await startPlatform({ port: 0, ...opts });
  try {
    return await fn(p);
  } finally {
    await p.close();
  }
}

const post = (p, path, body, headers = H) =>
  fetch(p.url + path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

const chatBody = (content, extra = {}) => ({ model: 'hatz-echo', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content }], ...extra });

/** Parse an SSE text into [{event, data}] (accepts LF or CRLF). */
function parseSse(text) {
  const events = [];
  for (const block of text.replace(/\r\n/g, '\n').split('\n\n')) {
    if (!block.trim()) continue;
    const e = { event: 'message', data: '' };
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) e.event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    e.data = data.join('\n');
    events.push(e);
  }
  return events;
}

const json = (e) => JSON.parse(e.data);

async function pollUntil(p, jobId, statuses, headers = H, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await fetch(`${p.url}/v1/workflows/${jobId}`, { headers });
    assert.equal(r.status, 200);
    const job = await r.json();
    if (statuses.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job stuck in ${job.status}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

// ---------------------------------------------------------------- process / CLI

test('CLI prints exactly one ready line and serves', async () => {
  const child = spawn(process.execPath, [SERVER, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    await new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve();
      });
      child.once('exit', () => reject(new Error('server exited')));
    });
    const m = /^agentwire-platform listening on (http:\/\/127\.0\.0\.1:(\d+))\n$/.exec(out);
    assert.ok(m, `unexpected stdout ${JSON.stringify(out)}`);
    const r = await fetch(`${m[1]}/__health`);
    assert.deepEqual(await r.json(), { ok: true });
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});

test('refuses non-loopback hosts', async () => {
  await assert.rejects(startPlatform({ port: 0, host: '0.0.0.0' }), /loopback/);
});

// ---------------------------------------------------------------- CORS

test('CORS preflight and CORS on errors', async () => {
  await withPlatform(async (p) => {
    const r = await fetch(`${p.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-api-key, content-type, x-agentwire-fault, anthropic-version' },
    });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const allow = r.headers.get('access-control-allow-headers');
    for (const h of ['authorization', 'x-api-key', 'content-type', 'x-request-id', 'x-agentwire-fault', 'idempotency-key', 'anthropic-version']) {
      assert.ok(allow.includes(h), `allow-headers lacks ${h}`);
    }
    const methods = r.headers.get('access-control-allow-methods');
    for (const m of ['GET', 'POST', 'OPTIONS']) assert.ok(methods.includes(m));
    const expose = r.headers.get('access-control-expose-headers');
    for (const h of ['x-request-id', 'retry-after', 'retry-after-ms', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-balance', 'x-cost']) {
      assert.ok(expose.includes(h), `expose-headers lacks ${h}`);
    }
    assert.ok(r.headers.get('x-request-id'));

    const e = await post(p, '/v1/chat/completions', chatBody('x'), { 'content-type': 'application/json' });
    assert.equal(e.status, 401);
    assert.equal(e.headers.get('access-control-allow-origin'), '*');
    assert.ok(e.headers.get('access-control-expose-headers').includes('x-request-id'));
  });
});

// ---------------------------------------------------------------- surfaces

test('Hatz chat completion JSON shape and platform headers', async () => {
  await withPlatform(async (p) => {
    const r = await post(p, '/v1/chat/completions', chatBody('hello big world'));
    assert.equal(r.status, 200);
    const b = await r.json();
    assert.equal(b.object, 'chat.completion');
    assert.equal(b.model, 'hatz-echo');
    assert.equal(typeof b.id, 'string');
    assert.equal(typeof b.created, 'number');
    assert.deepEqual(b.choices, [{ index: 0, message: { role: 'assistant', content: 'echo: hello big world' }, finish_reason: 'stop' }]);
    assert.equal(b.usage.total_tokens, b.usage.prompt_tokens + b.usage.completion_tokens);
    assert.equal(r.headers.get('x-ratelimit-limit'), '100');
    assert.equal(r.headers.get('x-ratelimit-remaining'), '99');
    assert.match(r.headers.get('x-ratelimit-reset'), /^\d{10}$/);
    assert.ok(r.headers.get('x-balance'));
    assert.ok(r.headers.get('x-cost'));
    const r2 = await post(p, '/v1/chat/completions', chatBody('again'));
    assert.equal(r2.headers.get('x-ratelimit-remaining'), '98');
    assert.ok(Number(r2.headers.get('x-balance')) < Number(r.headers.get('x-balance')));
  });
});

test('Hatz chat stream: one chunk per word, finish chunk, [DONE]', async () => {
  await withPlatform(async (p) => {
    const r = await post(p, '/v1/chat/completions', chatBody('the quick brown fox', { stream: true }));
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/event-stream/);
    assert.ok(r.headers.get('x-request-id'));
    const events = parseSse(await r.text());
    assert.equal(events.at(-1).data, '[DONE]');
    const chunks = events.slice(0, -1).map(json);
    for (const c of chunks) assert.equal(c.object, 'chat.completion.chunk');
    const deltas = chunks.filter((c) => c.choices[0].delta.content !== undefined);
    assert.equal(deltas.length, 5);
    assert.equal(deltas.map((c) => c.choices[0].delta.content).join(''), 'echo: the quick brown fox');
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
  });
});

test('OpenAI responses JSON and stream', async () => {
  await withPlatform(async (p) => {
    const h = { Authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    const r = await post(p, '/v1/openai/responses', { model: 'gpt-x', input: 'ping pong' }, h);
    assert.equal(r.status, 200);
    const b = await r.json();
    assert.equal(b.object, 'response');
    assert.equal(b.status, 'completed');
    assert.equal(b.output[0].type, 'message');
    assert.equal(b.output[0].role, 'assistant');
    assert.deepEqual(b.output[0].content.map(({ type, text }) => ({ type, text })), [{ type: 'output_text', text: 'echo: ping pong' }]);
    assert.equal(b.output_text, 'echo: ping pong');
    assert.ok(b.usage);

    const arr = await post(p, '/v1/openai/responses', { model: 'gpt-x', input: [{ role: 'user', content: 'from array' }] }, h);
    assert.equal((await arr.json()).output_text, 'echo: from array');

    const s = await post(p, '/v1/openai/responses', { model: 'gpt-x', input: 'one two three', stream: true }, h);
    const events = parseSse(await s.text());
    assert.equal(events[0].event, 'response.created');
    const deltas = events.filter((e) => e.event === 'response.output_text.delta').map(json);
    assert.equal(deltas[0].type, 'response.output_text.delta');
    assert.equal(deltas.map((d) => d.delta).join(''), 'echo: one two three');
    const done = events.at(-1);
    assert.equal(done.event, 'response.completed');
    assert.equal(json(done).response.output_text, 'echo: one two three');
  });
});

test('Anthropic messages JSON and stream with the named event sequence', async () => {
  await withPlatform(async (p) => {
    const body = { model: 'claude-x', max_tokens: 64, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi there' }] }] };
    const r = await post(p, '/v1/anthropic/messages', body, { 'x-api-key': KEY, 'content-type': 'application/json' });
    assert.equal(r.status, 200);
    const b = await r.json();
    assert.equal(b.type, 'message');
    assert.equal(b.role, 'assistant');
    assert.deepEqual(b.content, [{ type: 'text', text: 'echo: hi there' }]);
    assert.equal(b.stop_reason, 'end_turn');
    assert.equal(typeof b.usage.input_tokens, 'number');
    assert.equal(typeof b.usage.output_tokens, 'number');

    const s = await post(p, '/v1/anthropic/messages', { ...body, stream: true }, { Authorization: `Bearer ${KEY}` });
    const events = parseSse(await s.text());
    const names = [...new Set(events.map((e) => e.event))];
    assert.deepEqual(names, ['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    const text = events.filter((e) => e.event === 'content_block_delta').map((e) => json(e).delta.text).join('');
    assert.equal(text, 'echo: hi there');
    assert.deepEqual(json(events.find((e) => e.event === 'content_block_delta')).delta.type, 'text_delta');
  });
});

test('validation errors in each dialect', async () => {
  await withPlatform(async (p) => {
    const h = await post(p, '/v1/chat/completions', { model: 'm' });
    assert.equal(h.status, 422);
    assert.deepEqual(await h.json(), { detail: [{ loc: ['body', 'messages'], msg: 'field required', type: 'value_error.missing' }] });

    const o = await post(p, '/v1/openai/responses', { model: 'm' });
    assert.equal(o.status, 422);
    const ob = await o.json();
    assert.equal(ob.error.type, 'invalid_request_error');
    assert.equal(ob.error.param, 'input');
    assert.ok('code' in ob.error);

    const a = await post(p, '/v1/anthropic/messages', { model: 'm', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(a.status, 422);
    const ab = await a.json();
    assert.equal(ab.type, 'error');
    assert.equal(ab.error.type, 'invalid_request_error');
    assert.match(ab.error.message, /max_tokens/);

    const bad = await post(p, '/v1/chat/completions', '{not json');
    assert.equal(bad.status, 422);
    assert.ok(Array.isArray((await bad.json()).detail));
  });
});

// ---------------------------------------------------------------- auth

test('auth: missing and wrong keys per dialect, header rules per surface', async () => {
  await withPlatform(async (p) => {
    const ct = { 'content-type': 'application/json' };
    const ant = { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] };

    let r = await post(p, '/v1/chat/completions', chatBody('x'), ct);
    assert.equal(r.status, 401);
    assert.equal(typeof (await r.json()).detail, 'string');
    r = await post(p, '/v1/chat/completions', chatBody('x'), { ...ct, 'X-API-Key': 'live-wrong-key' });
    assert.equal(r.status, 401);
    assert.deepEqual(await r.json(), { detail: 'Invalid API key' });
    // Hatz REST requires X-API-Key: Bearer is refused there.
    r = await post(p, '/v1/workflows/run', { app_id: 'a', inputs: {} }, { ...ct, Authorization: `Bearer ${KEY}` });
    assert.equal(r.status, 401);

    r = await post(p, '/v1/openai/responses', { model: 'm', input: 'x' }, ct);
    assert.equal(r.status, 401);
    let b = await r.json();
    assert.equal(b.error.type, 'invalid_request_error');
    r = await post(p, '/v1/openai/responses', { model: 'm', input: 'x' }, { ...ct, Authorization: 'Bearer nope' });
    assert.equal(r.status, 401);
    assert.equal((await r.json()).error.code, 'invalid_api_key');
    r = await post(p, '/v1/openai/responses', { model: 'm', input: 'x' }, { ...ct, Authorization: 'Basic dGVzdC14Onk=' });
    assert.equal(r.status, 401);

    r = await post(p, '/v1/anthropic/messages', ant, ct);
    assert.equal(r.status, 401);
    b = await r.json();
    assert.deepEqual(b, { type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' } });
    r = await post(p, '/v1/anthropic/messages', ant, { ...ct, 'x-api-key': 'wrong' });
    assert.equal(r.status, 401);

    // valid forms
    for (const key of ['test-a', 'sk-test-b']) {
      assert.equal((await post(p, '/v1/anthropic/messages', ant, { ...ct, Authorization: `Bearer ${key}` })).status, 200);
      assert.equal((await post(p, '/v1/openai/responses', { model: 'm', input: 'x' }, { ...ct, 'X-API-Key': key })).status, 200);
      assert.equal((await post(p, '/v1/chat/completions', chatBody('x'), { ...ct, 'X-API-Key': key })).status, 200);
    }
  });
});

test('keys in the query string are refused and the key is never echoed anywhere', async () => {
  await withPlatform(async (p) => {
    const seen = [];
    const collect = async (r) => {
      seen.push(await r.text());
      for (const [k, v] of r.headers) seen.push(`${k}: ${v}`);
      return r;
    };
    for (const param of ['api_key', 'key', 'token']) {
      const r = await collect(await fetch(`${p.url}/v1/chat/completions?${param}=${KEY}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chatBody('x')) }));
      assert.equal(r.status, 400);
    }
    const q = await fetch(`${p.url}/v1/openai/responses?key=${KEY}`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` }, body: '{}' });
    assert.equal(q.status, 400);
    const qb = await q.json();
    assert.match(qb.error.message, /header/i);
    seen.push(JSON.stringify(qb));

    // Various responses with the key in headers, including errors and streams.
    await collect(await post(p, '/v1/chat/completions', chatBody('x')));
    await collect(await post(p, '/v1/chat/completions', chatBody('x', { stream: true })));
    await collect(await post(p, '/v1/chat/completions', { model: 'm' }));
    await collect(await post(p, '/v1/openai/responses', { model: 'm', input: 'x' }, { Authorization: `Bearer ${KEY}` }));
    await collect(await post(p, '/v1/anthropic/messages', {}, { 'x-api-key': KEY }));
    await collect(await post(p, '/v1/chat/completions', chatBody('x'), { ...H, 'x-agentwire-fault': 'dialect-agntix-UNAUTHORIZED' }));
    await collect(await post(p, '/v1/chat/completions', chatBody('x'), { 'X-API-Key': 'test-fault-no-such-fault-' + KEY }));
    const wrong = 'live-secret-abcdef';
    await collect(await post(p, '/v1/chat/completions', chatBody('x'), { 'X-API-Key': wrong }));
    await collect(await post(p, '/v1/openai/responses', {}, { Authorization: `Bearer ${wrong}` }));

    const log = await collect(await fetch(`${p.url}/__log`));
    assert.equal(log.status, 200);
    const all = seen.join('\n') + JSON.stringify(p.log);
    assert.ok(!all.includes(KEY), 'key leaked');
    assert.ok(!all.includes(wrong), 'wrong key leaked');
    assert.ok(!all.includes('s3cr3t'), 'key fragment leaked');
    const entry = p.log.find((e) => e.auth === 'bearer');
    assert.equal(entry.headers.authorization, 'Bearer');
    const xk = p.log.find((e) => e.auth === 'x-api-key');
    assert.equal(xk.headers['x-api-key'], '[redacted]');
    assert.ok(p.log.some((e) => e.auth === 'query' && e.query.key === '[redacted]'));
  });
});

// ---------------------------------------------------------------- request ids

test('X-Request-ID echoed when valid, generated otherwise, on every kind of response', async () => {
  await withPlatform(async (p) => {
    const id = 'client-id_1.2:3';
    let r = await post(p, '/v1/chat/completions', chatBody('x'), { ...H, 'X-Request-ID': id });
    assert.equal(r.headers.get('x-request-id'), id);
    r = await post(p, '/v1/chat/completions', chatBody('x', { stream: true }), { ...H, 'X-Request-ID': id });
    assert.equal(r.headers.get('x-request-id'), id);
    await r.text();
    r = await post(p, '/v1/chat/completions', {}, { 'X-Request-ID': id });
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('x-request-id'), id);
    for (const bad of ['has space', 'x'.repeat(129), 'caf\u00e9', 'a/b', '']) {
      r = await post(p, '/v1/chat/completions', chatBody('x'), { ...H, 'X-Request-ID': bad });
      assert.match(r.headers.get('x-request-id'), /^req_[0-9a-f]{32}$/);
    }
    r = await post(p, '/v1/chat/completions', chatBody('x'));
    assert.match(r.headers.get('x-request-id'), /^req_[0-9a-f]+$/);
    r = await post(p, '/v1/chat/completions', chatBody('x'), { ...H, 'X-Request-ID': id, 'x-agentwire-fault': 'dialect-agntix-409' });
    assert.equal(r.status, 409);
    assert.deepEqual((await r.json()).error.requestId, id);
    assert.equal(p.log.at(-1).requestId, id);
  });
});

// ---------------------------------------------------------------- workflows

test('workflow runs through pending → running → complete with the seed 002 job shape', async () => {
  await withPlatform(async (p) => {
    const run = await post(p, '/v1/workflows/run', { app_id: 'steps-2-ms-150-pending-ms-100', inputs: { topic: 'ml' } });
    assert.equal(run.status, 200);
    const { status, job_id } = await run.json();
    assert.equal(status, 'Workflow Job Invoked');
    assert.match(job_id, /^[0-9a-f-]{36}$/);

    const first = await (await fetch(`${p.url}/v1/workflows/${job_id}`, { headers: H })).json();
    assert.equal(first.status, 'pending');
    const running = await pollUntil(p, job_id, ['running']);
    assert.equal(running.step_outputs[0].status, 'running');
    const job = await pollUntil(p, job_id, ['complete', 'failed']);
    assert.equal(job.status, 'complete');
    for (const k of ['job_id', 'app_id', 'tenant_id', 'user_id', 'created_at', 'updated_at', 'start_time', 'end_time', 'number_of_steps', 'status', 'user_inputs', 'app_data', 'step_outputs']) {
      assert.ok(k in job, `job lacks ${k}`);
    }
    assert.equal(job.number_of_steps, 2);
    assert.deepEqual(job.user_inputs, { topic: 'ml' });
    assert.equal(job.step_outputs.length, 2);
    for (const s of job.step_outputs) {
      assert.deepEqual(Object.keys(s).sort(), ['created_at', 'duration', 'end_time', 'job_id', 'output_data', 'output_type', 'payload', 'start_time', 'status', 'step_id', 'step_type', 'updated_at']);
      assert.equal(s.status, 'complete');
      assert.equal(s.job_id, job_id);
      assert.equal(s.duration, s.end_time - s.start_time);
    }
    assert.match(job.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const missing = await fetch(`${p.url}/v1/workflows/00000000-0000-0000-0000-000000000000`, { headers: H });
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { detail: 'Job not found' });
  });
});

test('workflow fail-at-K fails the job with STEP_FAILED; stays-pending stays pending', async () => {
  await withPlatform(async (p) => {
    const { job_id } = await (await post(p, '/v1/workflows/run', { app_id: 'steps-3-ms-20-pending-ms-0-fail-at-2', inputs: {} })).json();
    const job = await pollUntil(p, job_id, ['complete', 'failed']);
    assert.equal(job.status, 'failed');
    assert.equal(job.error.code, 'STEP_FAILED');
    assert.match(job.error.message, /^Step 2 failed: /);
    assert.equal(job.step_outputs.length, 2);
    assert.equal(job.step_outputs[1].status, 'failed');
    assert.match(job.step_outputs[1].output_data, /Step 2 failed/);

    const pend = await (await post(p, '/v1/workflows/run', { app_id: 'stays-pending', inputs: {} })).json();
    await new Promise((r) => setTimeout(r, 250));
    const pj = await (await fetch(`${p.url}/v1/workflows/${pend.job_id}`, { headers: H })).json();
    assert.equal(pj.status, 'pending');

    const bad = await post(p, '/v1/workflows/run', { inputs: {} });
    assert.equal(bad.status, 422);
    assert.deepEqual(await bad.json(), { detail: [{ loc: ['body', 'app_id'], msg: 'field required', type: 'value_error.missing' }] });
  });
});

test('presigned URL serves the step output; bad signature and unknown ids refused', async () => {
  await withPlatform(async (p) => {
    const { job_id } = await (await post(p, '/v1/workflows/run', { app_id: 'steps-1-ms-10-pending-ms-0', inputs: { a: 'b' } })).json();
    const job = await pollUntil(p, job_id, ['complete']);
    const step = job.step_outputs[0];
    const r = await post(p, '/v1/workflows/presigned-url', { job_id, step_id: step.step_id, expires_in: 60 });
    assert.equal(r.status, 200);
    const b = await r.json();
    assert.equal(b.expires_in, 60);
    assert.match(b.url, new RegExp(`^${p.url}/__files/[0-9a-f]+\\?X-Amz-Signature=[0-9a-f]+$`));
    const file = await fetch(b.url);
    assert.equal(file.status, 200);
    assert.equal(await file.text(), step.output_data);
    assert.equal(file.headers.get('access-control-allow-origin'), '*');

    const forged = await fetch(b.url.replace(/Signature=.*/, 'Signature=deadbeef'));
    assert.equal(forged.status, 403);
    const dflt = await (await post(p, '/v1/workflows/presigned-url', { job_id, step_id: step.step_id })).json();
    assert.equal(dflt.expires_in, 3600);

    const noJob = await post(p, '/v1/workflows/presigned-url', { job_id: 'nope', step_id: step.step_id });
    assert.equal(noJob.status, 404);
    assert.deepEqual(await noJob.json(), { detail: 'Job not found' });
    const noStep = await post(p, '/v1/workflows/presigned-url', { job_id, step_id: 'nope' });
    assert.equal(noStep.status, 404);
    assert.equal(typeof (await noStep.json()).detail, 'string');
  });
});

test('upload (binary multipart) then a workflow with the file as input', async () => {
  await withPlatform({ fileSizeLimit: 4096 }, async (p) => {
    const bytes = new Uint8Array(512);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 256; // includes CR, LF, '-' and NUL
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'text/csv' }), 'report.csv');
    form.append('scope_type', 'workflow');
    form.append('scope_id', '5ae6e9dd-0296-4409-8fe4-1fc646bb22f7');
    const r = await fetch(`${p.url}/v1/files/upload`, { method: 'POST', headers: { 'X-API-Key': KEY }, body: form });
    assert.equal(r.status, 200);
    const up = await r.json();
    assert.match(up.file_uuid, /^[0-9a-f-]{36}$/);
    assert.equal(up.filename, 'report.csv');
    assert.equal(up.size, 512);
    assert.equal(up.content_type, 'text/csv');

    const { job_id } = await (await post(p, '/v1/workflows/run', { app_id: 'steps-2-ms-10-pending-ms-0', inputs: { report_file: up.file_uuid, style: 'exec' } })).json();
    const job = await pollUntil(p, job_id, ['complete']);
    assert.match(job.step_outputs[0].output_data, /report\.csv/);
    assert.match(job.step_outputs[0].output_data, /512 bytes/);

    const noFile = new FormData();
    noFile.append('scope_type', 'workflow');
    const m = await fetch(`${p.url}/v1/files/upload`, { method: 'POST', headers: { 'X-API-Key': KEY }, body: noFile });
    assert.equal(m.status, 422);
    assert.deepEqual(await m.json(), { detail: [{ loc: ['body', 'file'], msg: 'field required', type: 'value_error.missing' }] });

    const big = new FormData();
    big.append('file', new Blob([new Uint8Array(5000)]), 'big.bin');
    const t = await fetch(`${p.url}/v1/files/upload`, { method: 'POST', headers: { 'X-API-Key': KEY }, body: big });
    assert.equal(t.status, 413);
    assert.deepEqual(await t.json(), { detail: 'File too large' });
  });
});

// ---------------------------------------------------------------- faults

const faulted = (p, fault, path = '/v1/chat/completions', body = chatBody('x'), headers = H) =>
  post(p, path, body, { ...headers, 'x-agentwire-fault': fault });

test('rate-limit fault in all its Retry-After forms', async () => {
  await withPlatform(async (p) => {
    let r = await faulted(p, 'rate-limit;retry-after=3');
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '3');
    assert.equal(r.headers.get('x-ratelimit-limit'), '10');
    assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
    assert.match(r.headers.get('x-ratelimit-reset'), /^\d+$/);
    assert.deepEqual(await r.json(), { error: 'Rate limit exceeded', message: 'You have exceeded the rate limit of 10 requests per minute', statusCode: 429, details: { retryAfter: 3 } });

    r = await faulted(p, 'rate-limit;retry-after-ms=250');
    assert.equal(r.headers.get('retry-after-ms'), '250');
    assert.equal(r.headers.get('retry-after'), null);

    r = await faulted(p, 'rate-limit;retry-after-date=7');
    const date = Date.parse(r.headers.get('date'));
    const ra = Date.parse(r.headers.get('retry-after'));
    assert.ok(Number.isFinite(ra), 'Retry-After is an HTTP-date');
    assert.equal(ra - date, 7000);

    r = await faulted(p, 'rate-limit;no-retry-after');
    assert.equal(r.headers.get('retry-after'), null);
    assert.equal(r.headers.get('retry-after-ms'), null);
    assert.equal((await r.json()).details, undefined);

    r = await faulted(p, 'rate-limit;body-retry-after=9');
    assert.equal(r.headers.get('retry-after'), null);
    assert.equal((await r.json()).details.retryAfter, 9);
  });
});

test('times/id counting: first N requests with an id fail, later ones succeed', async () => {
  await withPlatform(async (p) => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await faulted(p, 'status-503;times=2;id=abc')).status);
    assert.deepEqual(statuses, [503, 503, 200, 200]);
    // another id has its own counter
    assert.equal((await faulted(p, 'status-503;times=1;id=other')).status, 503);
    // generic body in each dialect
    const o = await faulted(p, 'status-500', '/v1/openai/responses', { model: 'm', input: 'x' });
    assert.equal(o.status, 500);
    assert.equal((await o.json()).error.type, 'server_error');
    const a = await faulted(p, 'status-502', '/v1/anthropic/messages', {});
    assert.equal((await a.json()).type, 'error');
    const h = await faulted(p, 'status-504');
    assert.deepEqual(await h.json(), { detail: 'Gateway Timeout' });
    p.reset();
    assert.equal((await faulted(p, 'status-503;times=2;id=abc')).status, 503, 'reset clears counters');
  });
});

test('key-bound faults, header precedence, unknown faults and /__faults', async () => {
  await withPlatform(async (p) => {
    let r = await post(p, '/v1/chat/completions', chatBody('x'), { 'X-API-Key': 'test-fault-status-502' });
    assert.equal(r.status, 502);
    r = await post(p, '/v1/chat/completions', chatBody('x'), { 'X-API-Key': 'test-fault-status-502', 'x-agentwire-fault': 'credit-overage' });
    assert.equal(r.status, 429);
    assert.deepEqual(await r.json(), { detail: 'Workflows have been rate limited for your organization due to a credit overage.' });
    r = await faulted(p, 'no-such-fault');
    assert.equal(r.status, 400);
    const list = await (await fetch(`${p.url}/__faults`)).json();
    const names = list.faults.map((f) => f.name);
    for (const n of ['rate-limit', 'credit-overage', 'insufficient-balance', 'heylock-balance', 'html-502', 'text-503', 'storm', 'slow-headers', 'slow-body', 'hang', 'reset', 'truncated-stream', 'mid-stream-error', 'anthropic-stream-error', 'stall-stream', 'crlf-stream', 'job-not-found', 'poll-429', 'poll-503', 'status-503', 'dialect-zazmic-500', 'dialect-heylock-400-invalid-json', 'dialect-agntix-SESSION_NOT_FOUND', 'dialect-openai-429-quota', 'dialect-anthropic-529', 'dialect-hatz-422']) {
      assert.ok(names.includes(n), `missing ${n}`);
    }
    for (const f of list.faults) assert.ok(f.description, `${f.name} lacks a description`);
    for (const f of listFaults()) assert.ok(findFault(f.name.toLowerCase()), `${f.name} is listed but not accepted`);
    assert.ok(list.patterns.some((x) => x.pattern === 'status-<code>'));
    assert.ok(findFault('mid-stream-error-insufficient_balance'));
    assert.ok(findFault('dialect-agntix-session_expired'));
  });
});

test('vendor dialect faults match the seed documents', async () => {
  await withPlatform(async (p) => {
    const cases = [
      ['dialect-zazmic-500', 500, { error: 'Internal Server Error', message: 'An unexpected error occurred. Please try again.', statusCode: 500 }],
      ['dialect-zazmic-503', 503, { error: 'Service Unavailable', message: 'Service is temporarily unavailable. Please try again later.', statusCode: 503 }],
      ['insufficient-balance', 403, { error: 'Insufficient balance', message: 'Your balance ($5.00) is insufficient for this task ($10.00). Please add credits.', statusCode: 403 }],
      ['heylock-balance', 402, { error: 'INSUFFICIENT_BALANCE', message: 'Balance is exhausted.' }],
      ['dialect-heylock-502', 502, { error: 'EXTERNAL_SERVICE', message: 'Upstream dependency issue.' }],
      ['dialect-heylock-400-missing-agent-key', 400, { error: 'MISSING_AGENT_KEY', message: 'Authorization header missing.' }],
      ['dialect-openai-429-quota', 429, { error: { message: 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } }],
      ['dialect-anthropic-529', 529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }],
      ['dialect-hatz-404', 404, { detail: 'Job not found' }],
      ['dialect-hatz-422', 422, { detail: [{ loc: ['body', 'messages'], msg: 'field required', type: 'value_error.missing' }] }],
    ];
    for (const [fault, status, body] of cases) {
      const r = await faulted(p, fault);
      assert.equal(r.status, status, fault);
      assert.deepEqual(await r.json(), body, fault);
    }
    const ag = await post(p, '/v1/chat/completions', chatBody('x'), { ...H, 'x-agentwire-fault': 'dialect-agntix-session-not-found', 'X-Request-ID': 'rq1' });
    assert.equal(ag.status, 404);
    assert.deepEqual(await ag.json(), { error: { code: 'SESSION_NOT_FOUND', message: 'The session you requested does not exist or has expired.', requestId: 'rq1' } });
    const rate = await faulted(p, 'dialect-openai-429-rate');
    assert.equal(rate.headers.get('retry-after-ms'), '1000');
    assert.equal((await rate.json()).error.code, 'rate_limit_exceeded');
    assert.equal(rate.headers.get('x-ratelimit-remaining-requests'), '0');
  });
});

test('html-502, text-503 and storm', async () => {
  await withPlatform(async (p) => {
    let r = await faulted(p, 'html-502');
    assert.equal(r.status, 502);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.equal(await r.text(), '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>');
    r = await faulted(p, 'text-503');
    assert.equal(r.status, 503);
    assert.match(r.headers.get('content-type'), /^text\/plain/);
    assert.equal(await r.text(), 'upstream connect error or disconnect/reset before headers. reset reason: overflow');
    const run1 = [];
    for (let i = 0; i < 8; i++) run1.push((await faulted(p, 'storm')).status);
    for (const s of run1) assert.ok([500, 502, 503, 504].includes(s));
    assert.ok(new Set(run1).size > 1, 'storm varies');
    p.reset();
    const run2 = [];
    for (let i = 0; i < 8; i++) run2.push((await faulted(p, 'storm')).status);
    assert.deepEqual(run2, run1, 'storm is deterministic');
  });
});

test('reset destroys the socket; hang never answers but close() still returns', async () => {
  const p = await startPlatform({ port: 0 });
  try {
    await assert.rejects(faulted(p, 'reset'), TypeError);
    const t0 = Date.now();
    await assert.rejects(fetch(p.url + '/v1/chat/completions', { method: 'POST', headers: { ...H, 'x-agentwire-fault': 'hang' }, body: JSON.stringify(chatBody('x')), signal: AbortSignal.timeout(150) }));
    // a second hanging request stays open until close()
    post(p, '/v1/chat/completions', chatBody('x'), { ...H, 'x-agentwire-fault': 'hang' }).catch(() => {});
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(Date.now() - t0 >= 140);
    assert.ok(p.log.some((e) => e.fault === 'hang' && e.status === null));
  } finally {
    const t = Date.now();
    await p.close(); // the other hanging request is still open
    assert.ok(Date.now() - t < 1000);
  }
});

test('slow-headers and slow-body delay the response', async () => {
  await withPlatform(async (p) => {
    let t0 = Date.now();
    let r = await faulted(p, 'slow-headers;ms=150');
    assert.ok(Date.now() - t0 >= 140);
    assert.equal(r.status, 200);
    await r.json();

    t0 = Date.now();
    const parts = [];
    const status = await new Promise((resolve, reject) => {
      const u = new URL(p.url + '/v1/chat/completions');
      const req = http.request(u, { method: 'POST', headers: { ...H, 'x-agentwire-fault': 'slow-body;ms=150' } }, (res) => {
        res.on('data', (d) => parts.push([Date.now() - t0, d.toString()]));
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end(JSON.stringify(chatBody('slow body please')));
    });
    assert.equal(status, 200);
    assert.ok(parts.length >= 2, 'body arrives in pieces');
    assert.ok(parts.at(-1)[0] - parts[0][0] >= 140);
    assert.equal(JSON.parse(parts.map((x) => x[1]).join('')).choices[0].message.content, 'echo: slow body please');
  });
});

test('stream faults: truncated-stream, mid-stream-error, codes, anthropic-stream-error', async () => {
  await withPlatform(async (p) => {
    const words = 'a b c d e f g h';
    let r = await faulted(p, 'truncated-stream', '/v1/chat/completions', chatBody(words, { stream: true }));
    let events = parseSse(await r.text());
    assert.ok(events.length >= 1 && events.length < 9);
    assert.ok(!events.some((e) => e.data === '[DONE]'));
    assert.ok(!events.some((e) => e.data.includes('"finish_reason":"stop"')));

    r = await faulted(p, 'truncated-stream', '/v1/anthropic/messages', { model: 'm', max_tokens: 9, stream: true, messages: [{ role: 'user', content: words }] });
    events = parseSse(await r.text());
    assert.ok(!events.some((e) => e.event === 'message_stop'));

    r = await faulted(p, 'mid-stream-error', '/v1/chat/completions', chatBody(words, { stream: true }));
    events = parseSse(await r.text());
    assert.equal(events.length, 3);
    assert.equal(events[2].event, 'error');
    const err = json(events[2]);
    assert.equal(err.type, 'error');
    assert.deepEqual(err.error, { code: 'STREAM_ERROR', message: 'Streaming connection failed' });
    assert.ok(!Number.isNaN(Date.parse(err.timestamp)));

    r = await faulted(p, 'mid-stream-error-insufficient-balance', '/v1/openai/responses', { model: 'm', input: words, stream: true });
    events = parseSse(await r.text());
    assert.deepEqual(json(events.at(-1)).error, { code: 'INSUFFICIENT_BALANCE', message: 'Insufficient balance to complete this request' });

    r = await faulted(p, 'anthropic-stream-error', '/v1/anthropic/messages', { model: 'm', max_tokens: 9, stream: true, messages: [{ role: 'user', content: words }] });
    events = parseSse(await r.text());
    assert.equal(events.at(-1).event, 'error');
    assert.deepEqual(json(events.at(-1)), { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    assert.equal(events.filter((e) => e.event === 'content_block_delta').length, 2);

    // a stream fault on a non-stream request is ignored (and not counted)
    r = await faulted(p, 'truncated-stream');
    assert.equal(r.status, 200);
  });
});

test('crlf-stream splits inside UTF-8 and CRLF; stall-stream pauses after the first chunk', async () => {
  await withPlatform(async (p) => {
    const reads = [];
    await new Promise((resolve, reject) => {
      const req = http.request(new URL(p.url + '/v1/chat/completions'), { method: 'POST', headers: { ...H, 'x-agentwire-fault': 'crlf-stream' } }, (res) => {
        res.on('data', (d) => reads.push(Buffer.from(d)));
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(JSON.stringify(chatBody('emoji please', { stream: true })));
    });
    const all = Buffer.concat(reads);
    const text = all.toString('utf8');
    assert.ok(text.includes('\r\n\r\n'));
    assert.ok(!/[^\r]\n/.test(text), 'every LF is preceded by CR');
    // at least one read ends in the middle of a multi-byte character
    assert.ok(reads.some((b) => {
      try { new TextDecoder('utf-8', { fatal: true }).decode(b); return false; } catch { return true; }
    }), 'no read split a UTF-8 sequence');
    const events = parseSse(text);
    assert.equal(events.at(-1).data, '[DONE]');
    const joined = events.slice(0, -1).map(json).map((c) => c.choices[0].delta.content ?? '').join('');
    assert.ok(/🚀/u.test(joined));
    assert.ok(joined.startsWith('echo: emoji please'));

    const t0 = Date.now();
    const r = await faulted(p, 'stall-stream;ms=200', '/v1/chat/completions', chatBody('a b c', { stream: true }));
    const body = await r.text();
    assert.ok(Date.now() - t0 >= 190);
    assert.ok(body.includes('[DONE]'));
  });
});

test('workflow faults: job-not-found, poll-429 with Retry-After, poll-503, credit-overage on run', async () => {
  await withPlatform(async (p) => {
    const { job_id } = await (await post(p, '/v1/workflows/run', { app_id: 'steps-1-ms-10-pending-ms-0', inputs: {} })).json();
    const get = (fault) => fetch(`${p.url}/v1/workflows/${job_id}`, { headers: fault ? { ...H, 'x-agentwire-fault': fault } : H });
    let r = await get('job-not-found');
    assert.equal(r.status, 404);
    assert.deepEqual(await r.json(), { detail: 'Job not found' });
    const s = [];
    for (let i = 0; i < 3; i++) {
      r = await get('poll-429;times=2;retry-after=2');
      s.push([r.status, r.headers.get('retry-after')]);
      await r.text();
    }
    assert.deepEqual(s, [[429, '2'], [429, '2'], [200, null]]);
    r = await get('poll-503;times=1');
    assert.equal(r.status, 503);
    r = await get('poll-503;times=1');
    assert.equal(r.status, 200);
    r = await post(p, '/v1/workflows/run', { app_id: 'x', inputs: {} }, { ...H, 'x-agentwire-fault': 'credit-overage' });
    assert.equal(r.status, 429);
    // poll faults ignore the run POST
    r = await post(p, '/v1/workflows/run', { app_id: 'x', inputs: {} }, { ...H, 'x-agentwire-fault': 'poll-429' });
    assert.equal(r.status, 200);
  });
});

test('per-key rate limiting from options and from x-agentwire-ratelimit', async () => {
  await withPlatform({ rateLimit: { limit: 2, windowMs: 300 } }, async (p) => {
    const s = [];
    for (let i = 0; i < 3; i++) {
      const r = await post(p, '/v1/chat/completions', chatBody('x'));
      s.push([r.status, r.headers.get('x-ratelimit-remaining')]);
      if (r.status === 429) {
        const b = await r.json();
        assert.equal(b.error, 'Rate limit exceeded');
        assert.equal(b.statusCode, 429);
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
      }
    }
    assert.deepEqual(s, [[200, '1'], [200, '0'], [429, '0']]);
    // another key has its own window
    assert.equal((await post(p, '/v1/chat/completions', chatBody('x'), { ...H, 'X-API-Key': 'test-other' })).status, 200);
    await new Promise((r) => setTimeout(r, 320));
    assert.equal((await post(p, '/v1/chat/completions', chatBody('x'))).status, 200);
  });
  await withPlatform(async (p) => {
    const h = { ...H, 'x-agentwire-ratelimit': 'limit=3;window-ms=1000' };
    const s = [];
    for (let i = 0; i < 4; i++) s.push((await post(p, '/v1/chat/completions', chatBody('x'), h)).status);
    assert.deepEqual(s, [200, 200, 200, 429]);
  });
});

test('request log, /__log and /__reset', async () => {
  await withPlatform(async (p) => {
    await post(p, '/v1/chat/completions', chatBody('logged'), { ...H, 'X-Request-ID': 'log-1' });
    await fetch(`${p.url}/v1/chat/completions`, { method: 'OPTIONS' });
    assert.equal(p.log.length, 2);
    const [e] = p.log;
    assert.equal(e.method, 'POST');
    assert.equal(e.path, '/v1/chat/completions');
    assert.equal(e.requestId, 'log-1');
    assert.equal(e.auth, 'x-api-key');
    assert.equal(e.status, 200);
    assert.ok(e.bodySize > 0);
    assert.ok(!Number.isNaN(Date.parse(e.time)));
    const remote = await (await fetch(`${p.url}/__log`)).json();
    assert.equal(remote.length, 2);
    assert.equal(remote[0].requestId, 'log-1');
    const rr = await fetch(`${p.url}/__reset`, { method: 'POST' });
    assert.equal(rr.status, 200);
    assert.equal(p.log.length, 0);
    assert.deepEqual(await (await fetch(`${p.url}/__log`)).json(), []);
  });
});

test('unknown routes and wrong methods', async () => {
  await withPlatform(async (p) => {
    let r = await post(p, '/v1/nope', {});
    assert.equal(r.status, 404);
    assert.deepEqual(await r.json(), { detail: 'Not Found' });
    r = await fetch(`${p.url}/v1/chat/completions`, { headers: H });
    assert.equal(r.status, 405);
    r = await fetch(`${p.url}/v1/openai/nope`, { headers: { Authorization: `Bearer ${KEY}` } });
    assert.equal(r.status, 404);
    assert.equal((await r.json()).error.type, 'invalid_request_error');
  });
});

test('close() ends open keep-alive sockets and hanging streams promptly', async () => {
  const p = await startPlatform({ port: 0 });
  const agent = new http.Agent({ keepAlive: true });
  await new Promise((resolve) => {
    http.get(`${p.url}/__health`, { agent }, (res) => { res.resume(); res.on('end', resolve); });
  });
  const stalled = fetch(p.url + '/v1/chat/completions', { method: 'POST', headers: { ...H, 'x-agentwire-fault': 'stall-stream;ms=60000' }, body: JSON.stringify(chatBody('a b c', { stream: true })) })
    .then((r) => r.text()).catch((e) => e);
  await new Promise((r) => setTimeout(r, 100));
  const t0 = Date.now();
  await p.close();
  assert.ok(Date.now() - t0 < 1000);
  const result = await stalled;
  assert.ok(result instanceof Error || !String(result).includes('[DONE]'));
  agent.destroy();
});
