// The playground page (www/) in headless Debian Chromium, driven by playwright-core, against the
// local platform; plus the one-command demo (scripts/demo.sh --no-wait).
//
//   node --test tests/playground/
//
// Needs the built package (scripts/build.sh) and /usr/bin/chromium. Never downloads a browser.
// Writes tests/playground/out/playground.png.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

import { startPlayground } from "../../www/serve.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const OUT = path.join(HERE, "out");
const CHROMIUM = process.env.AGENTWIRE_CHROMIUM || "/usr/bin/chromium";
const KEY = "test-playground-key-7f3a9c";

const require = createRequire(path.join(ROOT, "package.json"));
const { chromium } = require("playwright-core");

let pg, browser, page;
const pageErrors = [];

before(async () => {
  assert.ok(existsSync(path.join(ROOT, "pkg/web.js")), "pkg/ is missing: run scripts/build.sh first");
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/setup.sh`);
  mkdirSync(OUT, { recursive: true });
  pg = await startPlayground({ port: 0, platformPort: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  // The browser logs every non-2xx fetch as "Failed to load resource"; the faults cause those on purpose.
  page.on("console", (m) => { if (m.type() === "error" && !/^Failed to load resource: the server responded with a status of (4|5)\d\d/.test(m.text())) pageErrors.push(m.text()); });
  await page.goto(pg.url);
  await page.waitForSelector("body[data-ready='1']", { timeout: 20_000 });
  await page.fill("#apiKey", KEY);
});

after(async () => {
  await browser?.close().catch(() => {});
  await pg?.close();
});

test("server: content types, config and no path escapes", async () => {
  const wasm = await fetch(new URL("/pkg/agentwire_bg.wasm", pg.url));
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers.get("content-type"), "application/wasm");
  await wasm.arrayBuffer();
  const js = await fetch(new URL("/pkg/web.js", pg.url));
  assert.match(js.headers.get("content-type"), /^text\/javascript/);
  await js.text();
  const cfg = await (await fetch(new URL("/config.json", pg.url))).json();
  assert.equal(cfg.platformUrl, pg.platformUrl);
  for (const p of ["/pkg/../Cargo.toml", "/pkg/%2e%2e/Cargo.toml", "/platform/server.mjs", "/serve.mjs", "/../README.md"]) {
    const r = await fetch(new URL(p, pg.url));
    assert.equal(r.status, 404, p);
    await r.text();
  }
});

test("page loads with the platform URL filled in and the key only in memory", async () => {
  assert.equal(await page.inputValue("#baseUrl"), pg.platformUrl);
  assert.ok(!page.url().includes(KEY));
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes(KEY), "the key must not be stored unless remember is ticked");
  await page.check("#remember");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("agentwire.playground.apiKey")), KEY);
  await page.uncheck("#remember");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("agentwire.playground.apiKey")), null);
  assert.match(await page.textContent("#settings .note"), /dangerouslyAllowBrowser/);
});

for (const surface of ["hatz", "openai", "anthropic"]) {
  test(`chat streams on the ${surface} surface`, async () => {
    await page.selectOption("#surface", surface);
    await page.fill("#chatPrompt", `hello from ${surface} one two three`);
    await page.click("#chatSend");
    // Tokens arrive one by one: a partial answer is visible while the stream is still open.
    const partial = await page.waitForFunction(() => {
      const text = document.getElementById("chatOut").textContent;
      return document.getElementById("chatMeta").textContent.includes("streaming") && text.length > 0 && text;
    }, null, { timeout: 10_000, polling: 10 }).then((h) => h.jsonValue());
    await page.waitForFunction(() => document.getElementById("chatMeta").textContent.includes("done"), null, { timeout: 15_000 });
    const final = (await page.textContent("#chatOut")).trim();
    assert.equal(final, `echo: hello from ${surface} one two three`);
    assert.ok(partial.length < final.length && final.startsWith(partial), `saw a partial answer first (${JSON.stringify(partial)})`);
    const meta = await page.textContent("#chatMeta");
    assert.match(meta, /request id \S+/);
    assert.match(meta, /attempts 1/);
  });
}

test("workflow runs to completion with a progress bar and a step timeline", async () => {
  await page.fill("#wfApp", "steps-4-ms-400");
  await page.click("#wfRun");
  await page.waitForFunction(() => /complete ·/.test(document.getElementById("wfMeta").textContent), null, { timeout: 20_000 });
  assert.equal(await page.textContent("#wfPct"), "100%");
  assert.equal(await page.getAttribute("#wfBar", "aria-valuenow"), "100");
  const steps = await page.$$eval("#wfSteps li", (lis) => lis.map((li) => li.textContent));
  assert.equal(steps.length, 4);
  steps.forEach((s, i) => { assert.match(s, /^complete/); assert.match(s, new RegExp(`Step ${i + 1}`)); });
});

test("a 429 through the fault picker is retried, logged live, and then succeeds", async () => {
  await page.selectOption("#surface", "hatz");
  await page.selectOption("#faultName", "rate-limit");
  assert.match(await page.inputValue("#faultSpec"), /^rate-limit;retry-after=1;times=1;id=\w+$/);
  await page.click("#faultSend");
  await page.waitForFunction(() => document.getElementById("faultResult").dataset.done === "1", null, { timeout: 20_000 });
  const log = await page.textContent("#faultLog");
  assert.match(log, / 429 attempt=1/);
  assert.match(log, /retry .*attempt=1 waitMs=\d+ kind=rate_limited/);
  assert.match(log, / 200 attempt=2/);
  assert.ok(!log.includes(KEY), "the key must never reach the log");
  const result = await page.textContent("#faultResult");
  assert.match(result, /^echo: one two three four five six/);
  assert.match(result, /attempts 2/);
});

test("a 503 twice then success; a mid-stream error is shown as a typed error", async () => {
  await page.selectOption("#faultName", "status-503");
  await page.click("#faultSend");
  await page.waitForFunction(() => document.getElementById("faultResult").dataset.done === "1", null, { timeout: 20_000 });
  assert.match(await page.textContent("#faultResult"), /attempts 3/);

  await page.selectOption("#faultName", "mid-stream-error");
  assert.equal(await page.isChecked("#faultStream"), true);
  await page.click("#faultSend");
  await page.waitForFunction(() => document.getElementById("faultResult").dataset.done === "1", null, { timeout: 20_000 });
  const result = await page.textContent("#faultResult");
  assert.match(result, /^stream/m, result);
  assert.match(result, /advice: /);
});

test("error inspector classifies a Zazmic 429 and the support report holds no key", async () => {
  await page.fill("#inStatus", "429");
  await page.fill("#inHeaders", "Retry-After: 45\nX-Request-ID: req_zz_1");
  await page.fill("#inBody", '{"error":"Rate limit exceeded","message":"You have exceeded the rate limit of 10 requests per minute","statusCode":429,"details":{"retryAfter":45}}');
  await page.click("#inParse");
  const field = (k) => page.textContent(`#inFields dd[data-field='${k}']`);
  assert.equal(await field("kind"), "rate_limited");
  assert.equal(await field("retryAfterMs"), "45000");
  assert.equal(await field("retryable"), "true");
  assert.equal(await field("vendorFormat"), "zazmic");
  assert.equal(await field("requestId"), "req_zz_1");
  assert.match(await field("advice"), /\w{10,}/);
  const report = await page.textContent("#inReport");
  assert.match(report, /agentwire support report/);
  assert.match(report, /rate_limited/);
  assert.ok(!report.includes(KEY), "the support report must not contain the key");
  assert.ok(!report.toLowerCase().includes("test-playground"), "no part of the key either");
});

test("screenshot, and no page errors", async () => {
  await page.click("[data-example='fastapi422']");
  assert.match(await page.textContent("#inFields dd[data-field='fieldErrors']"), /body\.messages|messages/);
  await page.screenshot({ path: path.join(OUT, "playground.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling on a phone-sized screen (overflow ${overflow}px)`);
  await page.screenshot({ path: path.join(OUT, "playground-narrow.png"), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(pageErrors, []);
});

test("scripts/demo.sh --no-wait builds, serves, runs the tour and exits 0", { timeout: 600_000 }, async () => {
  const child = spawn("bash", [path.join(ROOT, "scripts/demo.sh"), "--no-wait"], {
    cwd: ROOT, env: { ...process.env, DEMO_PORT: "0", DEMO_PLATFORM_PORT: "0" }, stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => { out += d; });
  child.stderr.on("data", (d) => { out += d; });
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.equal(code, 0, out.slice(-3000));
  assert.match(out, /playground: http:\/\/127\.0\.0\.1:\d+\//);
  for (const heading of ["1. A chat", "2. A streamed chat", "3. A workflow", "4. Failures"]) assert.ok(out.includes(heading), `missing ${heading}\n${out.slice(-3000)}`);
  assert.match(out, /kind\s+quota/);
  assert.match(out, /Tour complete/);
});
