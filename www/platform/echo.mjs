// The deterministic echo model behind the three chat surfaces: it answers
// "echo: <last user message>" and streams it one word at a time.

import { randomBytes } from 'node:crypto';
import { hatz, openaiError, anthropicError } from './dialects.mjs';

const hex = (n) => randomBytes(n).toString('hex');

/** Split into words keeping trailing whitespace, so joining the pieces gives back the text. */
export function words(text) {
  const lead = /^\s*/.exec(text)[0];
  const rest = text.slice(lead.length).match(/\S+\s*/g) ?? [];
  if (rest.length === 0) return [text];
  rest[0] = lead + rest[0];
  return rest;
}

export const countTokens = (text) => (String(text).match(/\S+/g) ?? []).length;

/** Text of a message content: a string, or an array of {type, text} parts. */
function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (typeof p === 'string' ? p : p && typeof p.text === 'string' ? p.text : ''))
      .join('');
  }
  return '';
}

const isContent = (c) =>
  typeof c === 'string' || (Array.isArray(c) && c.every((p) => typeof p === 'string' || (p && typeof p === 'object')));

function lastUser(messages) {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') return contentText(messages[i].content);
  }
  return messages.length ? contentText(messages[messages.length - 1].content) : '';
}

/** Validate a `messages` array; returns a list of [locPath, msg, type]. */
function checkMessages(messages, loc = 'messages') {
  const errs = [];
  if (messages === undefined) return [[[loc], 'field required', 'value_error.missing']];
  if (!Array.isArray(messages)) return [[[loc], 'value is not a valid list', 'type_error.list']];
  if (messages.length === 0) return [[[loc], 'ensure this value has at least 1 items', 'value_error.list.min_items']];
  messages.forEach((m, i) => {
    if (!m || typeof m !== 'object' || Array.isArray(m)) {
      errs.push([[loc, i], 'value is not a valid dict', 'type_error.dict']);
      return;
    }
    if (m.role === undefined) errs.push([[loc, i, 'role'], 'field required', 'value_error.missing']);
    else if (typeof m.role !== 'string') errs.push([[loc, i, 'role'], 'str type expected', 'type_error.str']);
    if (m.content === undefined) errs.push([[loc, i, 'content'], 'field required', 'value_error.missing']);
    else if (!isContent(m.content)) errs.push([[loc, i, 'content'], 'str type expected', 'type_error.str']);
  });
  return errs;
}

function checkModel(model, errs) {
  if (model === undefined) errs.unshift([['model'], 'field required', 'value_error.missing']);
  else if (typeof model !== 'string' || model === '') errs.unshift([['model'], 'str type expected', 'type_error.str']);
}

function checkStream(stream, errs) {
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') {
    errs.push([['stream'], 'value could not be parsed to a boolean', 'type_error.bool']);
  }
}

// ---------------------------------------------------------------- validation per surface

/** Returns null when valid, else an error response {status, body} in the surface dialect. */
export function validateChat(body, surface) {
  const errs = checkMessages(body.messages);
  checkModel(body.model, errs);
  checkStream(body.stream, errs);
  return errs.length ? toDialect(surface, errs) : null;
}

export function validateResponses(body) {
  const errs = [];
  checkModel(body.model, errs);
  if (body.input === undefined) errs.push([['input'], 'field required', 'value_error.missing']);
  else if (typeof body.input !== 'string') {
    if (!Array.isArray(body.input)) errs.push([['input'], 'str type expected', 'type_error.str']);
    else errs.push(...checkMessages(body.input, 'input'));
  }
  checkStream(body.stream, errs);
  return errs.length ? toDialect('openai', errs) : null;
}

export function validateAnthropic(body) {
  const errs = checkMessages(body.messages);
  if (body.max_tokens === undefined) errs.unshift([['max_tokens'], 'field required', 'value_error.missing']);
  else if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) errs.unshift([['max_tokens'], 'Input should be a positive integer', 'type_error.integer']);
  checkModel(body.model, errs);
  checkStream(body.stream, errs);
  return errs.length ? toDialect('anthropic', errs) : null;
}

function toDialect(surface, errs) {
  if (surface === 'openai') {
    const [loc, msg, type] = errs[0];
    const param = loc.join('.');
    const missing = type === 'value_error.missing';
    return openaiError(422,
      missing ? `Missing required parameter: '${param}'.` : `Invalid value for '${param}': ${msg}.`,
      'invalid_request_error', missing ? 'missing_required_parameter' : 'invalid_value', param);
  }
  if (surface === 'anthropic') {
    const [loc, msg] = errs[0];
    return anthropicError(422, 'invalid_request_error', `${loc.join('.')}: ${msg === 'field required' ? 'Field required' : msg}`);
  }
  return hatz.validation(errs.map(([loc, msg, type]) => hatz.invalid(loc, msg, type)));
}

// ---------------------------------------------------------------- answers

/** Compute the echo answer for a validated request. */
export function answer(surface, route, body, { emoji = false } = {}) {
  let prompt;
  let promptTokens;
  if (route === 'openai.responses') {
    if (typeof body.input === 'string') {
      prompt = body.input;
      promptTokens = countTokens(prompt);
    } else {
      prompt = lastUser(body.input);
      promptTokens = body.input.reduce((n, m) => n + countTokens(contentText(m.content)), 0);
    }
  } else {
    prompt = lastUser(body.messages);
    promptTokens = body.messages.reduce((n, m) => n + countTokens(contentText(m.content)), 0);
  }
  const text = `echo: ${prompt}${emoji ? ' 🚀✨ done' : ''}`;
  return { text, model: body.model, promptTokens, completionTokens: countTokens(text) };
}

/**
 * The full JSON response and the stream events for an answer.
 * Stream events: { event?: string, data: object|string, kind: 'pre'|'delta'|'post' }.
 */
export function render(route, a, now = Date.now()) {
  const created = Math.floor(now / 1000);
  const pieces = words(a.text);
  if (route === 'hatz.chat' || route === 'openai.chat') {
    const id = `chatcmpl-${hex(12)}`;
    const usage = { prompt_tokens: a.promptTokens, completion_tokens: a.completionTokens, total_tokens: a.promptTokens + a.completionTokens };
    const json = {
      id, object: 'chat.completion', created, model: a.model,
      choices: [{ index: 0, message: { role: 'assistant', content: a.text }, finish_reason: 'stop' }],
      usage,
    };
    const chunk = (delta, finish) => ({
      id, object: 'chat.completion.chunk', created, model: a.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const events = pieces.map((w) => ({ data: chunk({ content: w }, null), kind: 'delta' }));
    events.push({ data: { ...chunk({}, 'stop'), usage }, kind: 'post' });
    events.push({ data: '[DONE]', kind: 'post' });
    return { json, events };
  }
  if (route === 'openai.responses') {
    const id = `resp_${hex(16)}`;
    const msgId = `msg_${hex(16)}`;
    const usage = { input_tokens: a.promptTokens, output_tokens: a.completionTokens, total_tokens: a.promptTokens + a.completionTokens };
    const json = {
      id, object: 'response', created_at: created, status: 'completed', model: a.model,
      output: [{
        type: 'message', id: msgId, status: 'completed', role: 'assistant',
        content: [{ type: 'output_text', text: a.text, annotations: [] }],
      }],
      output_text: a.text,
      usage,
    };
    let seq = 0;
    const ev = (event, data, kind) => ({ event, data: { type: event, sequence_number: seq++, ...data }, kind });
    const events = [
      ev('response.created', { response: { ...json, status: 'in_progress', output: [], output_text: '', usage: null } }, 'pre'),
      ...pieces.map((w) => ev('response.output_text.delta', { item_id: msgId, output_index: 0, content_index: 0, delta: w }, 'delta')),
      ev('response.output_text.done', { item_id: msgId, output_index: 0, content_index: 0, text: a.text }, 'post'),
      ev('response.completed', { response: json }, 'post'),
    ];
    return { json, events };
  }
  // anthropic.messages
  const id = `msg_${hex(12)}`;
  const json = {
    id, type: 'message', role: 'assistant', model: a.model,
    content: [{ type: 'text', text: a.text }],
    stop_reason: 'end_turn', stop_sequence: null,
    usage: { input_tokens: a.promptTokens, output_tokens: a.completionTokens },
  };
  const events = [
    { event: 'message_start', data: { type: 'message_start', message: { ...json, content: [], stop_reason: null, usage: { input_tokens: a.promptTokens, output_tokens: 1 } } }, kind: 'pre' },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, kind: 'pre' },
    { event: 'ping', data: { type: 'ping' }, kind: 'pre' },
    ...pieces.map((w) => ({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: w } }, kind: 'delta' })),
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 }, kind: 'post' },
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: a.completionTokens } }, kind: 'post' },
    { event: 'message_stop', data: { type: 'message_stop' }, kind: 'post' },
  ];
  return { json, events };
}
