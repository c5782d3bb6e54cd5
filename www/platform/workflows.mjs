// Fake Hatz workflow jobs (seed 002). A job's state is computed from the clock on every
// poll, so nothing runs in the background and closing the server leaves no timers behind.

import { randomUUID } from 'node:crypto';

export const WORKFLOW_DEFAULTS = { pendingMs: 200, steps: 3, stepMs: 300 };

/**
 * Read the behaviour conventions out of an app_id:
 *   steps-N            N steps            steps-N-ms-M   N steps of M ms each
 *   pending-ms-P       P ms pending       fail-at-K      step K fails
 *   never-finishes     last step runs forever
 *   stays-pending      job never leaves pending
 */
export function appConfig(appId, defaults = WORKFLOW_DEFAULTS) {
  const cfg = { ...WORKFLOW_DEFAULTS, ...defaults, failAt: null, neverFinishes: false, staysPending: false };
  const id = String(appId).toLowerCase();
  let m;
  if ((m = /steps-(\d+)(?:-ms-(\d+))?/.exec(id))) {
    cfg.steps = clamp(Number(m[1]), 1, 50);
    if (m[2] !== undefined) cfg.stepMs = clamp(Number(m[2]), 0, 600000);
  }
  if ((m = /pending-ms-(\d+)/.exec(id))) cfg.pendingMs = clamp(Number(m[1]), 0, 600000);
  if ((m = /fail-at-(\d+)/.exec(id))) cfg.failAt = clamp(Number(m[1]), 1, 50);
  if (cfg.failAt !== null && cfg.failAt > cfg.steps) cfg.steps = cfg.failAt;
  if (id.includes('never-finishes')) cfg.neverFinishes = true;
  if (id.includes('stays-pending')) cfg.staysPending = true;
  return cfg;
}

function clamp(n, lo, hi) {
  return Math.min(hi, Math.max(lo, Number.isFinite(n) ? n : lo));
}

export function createJob({ appId, inputs, isDraft, userId, files, defaults, now = Date.now() }) {
  const cfg = appConfig(appId, defaults);
  // File inputs: any input value that is the uuid of an uploaded file.
  const fileInputs = [];
  for (const [name, value] of Object.entries(inputs)) {
    if (typeof value === 'string' && files.has(value)) fileInputs.push({ input: name, ...files.get(value) });
  }
  return {
    job_id: randomUUID(),
    app_id: String(appId),
    tenant_id: 'tenant_local0001',
    user_id: userId,
    createdMs: now,
    cfg,
    inputs,
    isDraft: Boolean(isDraft),
    fileInputs,
    stepIds: Array.from({ length: cfg.steps }, () => randomUUID()),
  };
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function stepOutput(job, i) {
  if (i === 1 && job.fileInputs.length > 0) {
    const files = job.fileInputs
      .map((f) => `file "${f.filename}" (${f.size} bytes, ${f.content_type}) from input "${f.input}"`)
      .join('; ');
    return `Step 1 output: read ${files}.`;
  }
  const inputs = Object.entries(job.inputs).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
  return `Step ${i} output: ${job.app_id} processed ${inputs || 'no inputs'}.`;
}

function failureMessage(job, k) {
  return `Step ${k} failed: simulated failure requested by app_id "${job.app_id}"`;
}

/** The job object exactly as GET /v1/workflows/{job_id} returns it, at time `now`. */
export function jobView(job, now = Date.now()) {
  const { cfg } = job;
  const runStart = job.createdMs + cfg.pendingMs;
  const steps = [];
  let status = 'pending';
  let endTime = null;
  let updated = job.createdMs;
  let error;
  if (!cfg.staysPending && now >= runStart) {
    status = 'running';
    updated = runStart;
    for (let i = 1; i <= cfg.steps; i++) {
      const start = runStart + (i - 1) * cfg.stepMs;
      const end = start + cfg.stepMs;
      if (now < start) break;
      const runsForever = cfg.neverFinishes && i === cfg.steps;
      const done = !runsForever && now >= end;
      const failed = done && cfg.failAt === i;
      const step = {
        step_id: job.stepIds[i - 1],
        job_id: job.job_id,
        step_type: 'prompt',
        status: failed ? 'failed' : done ? 'complete' : 'running',
        output_type: 'dump',
        created_at: iso(start),
        updated_at: iso(done ? end : start),
        start_time: start,
        end_time: done ? end : null,
        duration: done ? end - start : null,
        output_data: failed ? `Error: ${failureMessage(job, i)}` : done ? stepOutput(job, i) : null,
        payload: {},
      };
      steps.push(step);
      updated = done ? end : start;
      if (failed) {
        status = 'failed';
        endTime = end;
        error = { code: 'STEP_FAILED', message: failureMessage(job, i) };
        break;
      }
      if (!done) break;
      if (i === cfg.steps) {
        status = 'complete';
        endTime = end;
      }
    }
  }
  const view = {
    job_id: job.job_id,
    app_id: job.app_id,
    tenant_id: job.tenant_id,
    user_id: job.user_id,
    created_at: iso(job.createdMs),
    updated_at: iso(updated),
    start_time: status === 'pending' ? null : runStart,
    end_time: endTime,
    number_of_steps: cfg.steps,
    status,
    user_inputs: job.inputs,
    app_data: job.isDraft ? { is_draft_app: true } : {},
    step_outputs: steps,
  };
  if (error) view.error = error;
  return view;
}
