// Shared by the browser tests: Debian's Chromium through playwright-core, a fresh profile per run, log in,
// screenshots, and failing loudly. Every script reads its inputs from the environment ConsoleBrowserIT sets:
// SF_URL (the sensor's base URL), SF_USER / SF_PASSWORD, SF_INSTRUMENT (…), SF_SCREENSHOTS (a directory, optional).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const journal = [];

export const base = () => env('SF_URL').replace(/\/$/, '');

/** Runs body(context, browser) in a fresh Chromium profile; exits 1 with the error on any failure. */
export async function run(name, body, viewport = { width: 1280, height: 800 }) {
  const profile = mkdtempSync(join(tmpdir(), 'sf-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: ARGS, viewport,
    });
    context.setDefaultTimeout(30_000);
    const errors = [];
    context.on('weberror', (e) => errors.push(String(e.error())));
    // Kept for the evidence of a failure: the pages' warnings, failed requests, error answers.
    context.on('console', (m) => { if (m.type() !== 'log') journal.push(`console ${m.type()}: ${m.text()}`); });
    context.on('requestfailed', (r) => journal.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
    context.on('response', (r) => { if (r.status() >= 400) journal.push(`answer ${r.status()}: ${r.request().method()} ${r.url()}`); });
    await body(context);
    if (errors.length) throw new Error(`uncaught errors in the page: ${errors.join('; ')}`);
    console.log(`OK ${name}`);
  } catch (e) {
    console.error(`FAILED ${name}: ${e && e.stack ? e.stack : e}`);
    process.exitCode = 1;
    if (context) await evidence(context, name);
  } finally {
    if (context) await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Opens the console and logs in through its form, as a person would; answers the page. */
export async function login(context, user = env('SF_USER'), password = env('SF_PASSWORD')) {
  const page = context.pages()[0] || await context.newPage();
  await page.goto(`${base()}/`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('whoami').waitFor();
  const who = await page.getByTestId('whoami').textContent();
  if (!who.startsWith(user)) throw new Error(`logged in as ${who}, not ${user}`);
  return page;
}

/** What each page showed when a script failed: its URL and text on stdout, a screenshot under SF_FAILURES. */
async function evidence(context, name) {
  console.error(`--- what the browser saw:\n${journal.slice(-50).join('\n')}`);
  const dir = process.env.SF_FAILURES;
  let i = 0;
  for (const page of context.pages()) {
    i++;
    try {
      console.error(`--- page ${i}: ${page.url()}\n${(await page.locator('body').innerText()).slice(0, 4000)}`);
      if (dir) {
        mkdirSync(dir, { recursive: true });
        await page.screenshot({ path: join(dir, `${name}-${i}.png`), fullPage: true });
      }
    } catch (err) {
      console.error(`--- page ${i}: no evidence (${err})`);
    }
  }
}

export async function screenshot(page, name) {
  const dir = process.env.SF_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  console.log(`screenshot ${name}.png`);
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** The Overview's row of an Instrument. */
export const row = (page, id) => page.locator(`tr[data-instrument="${id}"]`);
