// Browser test of the web console (web/console.h): a real Chromium, driven by puppeteer-core with
// the keyboard only, against the real ledgerd in local mode.
//
//   node tests/browser/console_test.mjs --ledgerd build/services/ledgerd \
//       --ledgerctl build/cli/ledgerctl --work-dir "$(mktemp -d)" --node-modules web/node_modules
//
// It signs in, opens an engagement and records a session, an insight, a decision and feedback
// through the forms (Tab to each field, type, Enter on the button); submits a session without a
// title and checks the refusal is explained beside the Title field with nothing written; reads
// the assurance report (and its standalone HTML, also as a browser enforcing the console's CSP
// shows it), the trace from the decision to the people, and the audit page. Every page is checked
// with axe-core (WCAG 2.0/2.1 A and AA, 2.2 AA) and screenshotted into WORK_DIR/screenshots/;
// every form's selects must offer words, not enum codes.
//
// Prints one line per check ("PASS name" / "FAIL name: why"), then "N passed, M failed". Exit
// status: 0 when every check passed, 1 when one failed, 2 when the test could not be set up
// (no Chromium, ledgerd did not start). Only 127.0.0.1 is contacted; ledgerd is always stopped;
// the whole run ends by itself within 150 s.
//
// Needs node 18+, /usr/bin/chromium, and web/node_modules (puppeteer-core, axe-core: npm ci in
// web/).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { check, expect, fail, pass, results } from './checks.mjs';
import {
  checkChoicesInWords, checkZipDownload, enterAndWait, fillForm, financialYear, followLink, h1,
  summaryValue, tableRows, tabToId, tabToLink, tabToSubmit,
} from './keyboard.mjs';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_SETUP = 2;
const GLOBAL_TIMEOUT_MS = 150_000;
const START_TIMEOUT_MS = 60_000;
const CHROMIUM = '/usr/bin/chromium';
const ORGANISATION = 'QWE';
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// ---------------------------------------------------------------------------------------------
// Arguments, results, cleanup.

function parseArguments(argv) {
  const options = {};
  for (let i = 0; i < argv.length; ++i) {
    const match = /^--(ledgerd|ledgerctl|work-dir|node-modules)(?:=(.*))?$/.exec(argv[i]);
    if (!match) throw new Error(`unknown argument ${argv[i]}`);
    options[match[1]] = match[2] ?? argv[++i];
  }
  for (const name of ['ledgerd', 'ledgerctl', 'work-dir', 'node-modules']) {
    if (!options[name]) throw new Error(`--${name} is required`);
  }
  return options;
}

let workRoot = '';
let ledgerctlPath = '';
let ledgerd = null;  // the child process
let browser = null;
let ledgerdExited = false;

function killLedgerdNow() {
  if (ledgerd && !ledgerdExited) {
    try { ledgerd.kill('SIGKILL'); } catch { /* already gone */ }
  }
  try { browser?.process()?.kill('SIGKILL'); } catch { /* already gone */ }
}

async function stopLedgerd() {
  if (!ledgerd || ledgerdExited) return;
  const exited = new Promise((resolve) => ledgerd.once('exit', resolve));
  ledgerd.kill('SIGTERM');
  const timer = new Promise((resolve) => setTimeout(resolve, 5000, 'timeout'));
  if ((await Promise.race([exited, timer])) === 'timeout' && !ledgerdExited) {
    ledgerd.kill('SIGKILL');
    await exited;
  }
}

async function cleanup() {
  if (browser) {
    const closing = browser.close().catch(() => {});
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 5000))]);
    try { browser.process()?.kill('SIGKILL'); } catch { /* already gone */ }
    browser = null;
  }
  await stopLedgerd();
}

// Whatever happens, ledgerd does not outlive the test.
process.on('exit', killLedgerdNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.log(`FAIL interrupted: ${signal}`);
    killLedgerdNow();
    process.exit(EXIT_FAILED);
  });
}
let settingUp = true;
async function die(why) {
  fail(settingUp ? 'setup' : 'uncaught error', (settingUp ? why?.message : why?.stack) ?? why);
  await cleanup().catch(() => {});
  console.log(`${results().passed} passed, ${results().failed} failed`);
  process.exit(settingUp ? EXIT_SETUP : EXIT_FAILED);
}
process.on('uncaughtException', die);
process.on('unhandledRejection', die);
const globalTimer = setTimeout(() => {
  fail('time limit', `the test did not end within ${GLOBAL_TIMEOUT_MS / 1000} s`);
  killLedgerdNow();
  console.log(`${results().passed} passed, ${results().failed} failed`);
  process.exit(EXIT_FAILED);
}, GLOBAL_TIMEOUT_MS);

// ---------------------------------------------------------------------------------------------
// ledgerd.

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startLedgerd(binary, workDir) {
  if (!fs.existsSync(binary)) throw new Error(`no ledgerd at ${binary}`);
  const suffix = crypto.randomBytes(6).toString('hex');
  const dataDir = path.join(workDir, `data-${suffix}`);
  const logFile = path.join(workDir, `ledgerd-${suffix}.log`);
  const grpcPort = await freePort();
  let httpPort = await freePort();
  while (httpPort === grpcPort) httpPort = await freePort();
  const log = fs.openSync(logFile, 'w');
  ledgerd = spawn(binary, [
    '--insecure_local', `--data_dir=${dataDir}`, `--listen=127.0.0.1:${grpcPort}`,
    `--http_listen=127.0.0.1:${httpPort}`, '--checkpoint_interval_seconds=0',
  ], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let exitStatus = null;
  ledgerd.on('exit', (code, signal) => { ledgerdExited = true; exitStatus = signal ?? code; });
  const base = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (ledgerdExited) {
      throw new Error(`ledgerd exited (${exitStatus}) while starting: ${tail(logFile)}`);
    }
    try {
      const response = await fetch(`${base}/sign-in`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      throw new Error(`GET ${base}/sign-in did not answer 200 within ${START_TIMEOUT_MS / 1000} s: ` +
                      tail(logFile));
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { base, dataDir, logFile };
}

function tail(file, lines = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join(' | ');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------------------------------------
// The browser: pages, axe, screenshots, the keyboard.

let axeSource = '';
let screenshotDir = '';
let shotNumber = 0;

// Runs axe on the page and takes its screenshot: one check per page visited.
async function inspect(page, name) {
  shotNumber += 1;
  const label = `${String(shotNumber).padStart(2, '0')}-${name}`;
  await page.screenshot({ path: path.join(screenshotDir, `${label}.png`), fullPage: true })
      .catch((error) => console.log(`note: no screenshot of ${label}: ${error.message}`));
  await check(`accessibility (axe) ${label} ${new URL(page.url()).pathname}`, async () => {
    // Evaluated through the DevTools protocol; the console's CSP forbids script tags, and
    // setBypassCSP(true) is on for this page anyway.
    const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
    if (!hasAxe) await page.evaluate(axeSource);
    const violations = await page.evaluate(async (tags) => {
      const results = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
      return results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
        target: v.nodes[0]?.target?.join(' '), html: v.nodes[0]?.html?.slice(0, 160),
        summary: v.nodes[0]?.failureSummary?.split('\n').slice(0, 3).join(' '),
      }));
    }, AXE_TAGS);
    expect(violations.length === 0, violations.map((v) =>
        `[${v.id} (${v.impact}) "${v.help}" on ${v.count} element(s), first: ${v.target} ` +
        `${v.html} -- ${v.summary}]`).join(' '));
  });
}

// ---------------------------------------------------------------------------------------------
// The journey.

async function main() {
  let options;
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`${error.message}\nusage: node console_test.mjs --ledgerd PATH --ledgerctl PATH ` +
                  '--work-dir DIR --node-modules DIR');
    process.exit(EXIT_SETUP);
  }
  const workDir = path.resolve(options['work-dir']);
  workRoot = workDir;
  ledgerctlPath = path.resolve(options.ledgerctl);
  const nodeModules = path.resolve(options['node-modules']);
  fs.mkdirSync(workDir, { recursive: true });
  screenshotDir = path.join(workDir, 'screenshots');
  fs.rmSync(screenshotDir, { recursive: true, force: true });
  fs.mkdirSync(screenshotDir, { recursive: true });
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  axeSource = fs.readFileSync(path.join(nodeModules, 'axe-core', 'axe.min.js'), 'utf8');
  const puppeteer = (await import(pathToFileURL(
      path.join(nodeModules, 'puppeteer-core', 'lib', 'esm', 'puppeteer', 'puppeteer-core.js')).href)).default;

  const server = await startLedgerd(path.resolve(options.ledgerd), workDir);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM, headless: true, timeout: 30_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
           // Nothing but ledgerd: NHS.UK frontend's stylesheet names fonts on assets.nhs.uk
           // (which the console's CSP refuses anyway).
           '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
  const page = await browser.newPage();
  await page.setBypassCSP(true);  // so that axe can run; the CSP itself is checked below
  await page.setViewport({ width: 1024, height: 768 });
  page.setDefaultTimeout(20_000);
  settingUp = false;
  pass(`setup: ledgerd serving the console at ${server.base}, Chromium ${await browser.version()}`);

  const url = (p) => `${server.base}${p}`;
  const pathOf = () => new URL(page.url()).pathname;
  const state = {};  // what the journey made: ids, names, the recorded date

  // Local mode signs in without a password, so it answers loopback names only: a page that
  // rebinds its own name to 127.0.0.1 (DNS rebinding) is refused.
  await check('local mode refuses a request addressed to another name (DNS rebinding)', async () => {
    const status = await new Promise((resolve, reject) => {
      const request = http.request(url('/sign-in'), { headers: { Host: 'rebound.example' } },
                                   (response) => { response.resume(); resolve(response.statusCode); });
      request.on('error', reject);
      request.end();
    });
    expect(status === 421, `HTTP ${status} for Host: rebound.example`);
  });

  // 2. Sign in with the keyboard.
  await page.goto(url('/sign-in'));
  await inspect(page, 'sign-in');
  await check('sign in with the keyboard (Local operator, Tab to "Sign in", Enter)', async () => {
    const first = await page.$eval('input[type=radio]', (r) => ({ checked: r.checked, id: r.id }));
    const label = await page.$eval(`label[for="${first.id}"]`, (l) => l.textContent.trim());
    expect(first.checked && label.startsWith('Local operator'),
           `the first radio is "${label}", checked: ${first.checked}`);
    await tabToSubmit(page, 'Sign in');
    await enterAndWait(page);
    expect(pathOf() === '/', `landed on ${page.url()}`);
    const heading = await h1(page);
    expect(heading === 'Engagement ledger', `h1 is "${heading}"`);
  });
  await inspect(page, 'home');

  // 3. Open an engagement through the form.
  await check('the engagements list, from the menu', async () => {
    await followLink(page, 'Engagements');
    expect(pathOf() === '/engagements', `landed on ${page.url()}`);
    expect(await h1(page) === 'Engagements', `h1 is "${await h1(page)}"`);
  });
  await inspect(page, 'engagements');
  await check('the new engagement form, from the list', async () => {
    await followLink(page, 'Open an engagement');
    expect(pathOf() === '/engagements/new', `landed on ${page.url()}`);
  });
  await inspect(page, 'new-engagement-form');
  await checkChoicesInWords(page, 'new engagement form');
  state.title = `Community mental health review ${crypto.randomBytes(3).toString('hex')}`;
  await check('open an engagement with the keyboard', async () => {
    state.date = await page.$eval('#occurred_at', (e) => e.value);
    expect(/^\d{4}-\d{2}-\d{2}$/.test(state.date), `the date is prefilled as "${state.date}"`);
    await fillForm(page, [
      ['organisation', ORGANISATION],
      ['title', state.title],
      ['topic', 'Adult community mental health services'],
      ['commissioning_stage', 'Service design and procurement'],
      ['spectrum_level', 'Involve'],
      ['scope_for_influence', 'Where and when the clinics run; the budget is already set.'],
      ['duty_to_involve', await page.$eval('#duty_to_involve', (s) => s.options[1].textContent.trim())],
      ['duty_reason', 'A change to how a service is delivered to patients.'],
      ['lead_role', 'Engagement lead'],
      ['occurred_at', null],
    ]);
    await tabToSubmit(page, 'Open the engagement');
    const response = await enterAndWait(page);
    const match = /^\/engagements\/([A-Za-z0-9._-]+)$/.exec(pathOf());
    expect(match && new URL(page.url()).search.length > 1,
           `landed on ${page.url()} (status ${response?.status()}): ${await h1(page)}`);
    state.engagement = match[1];
    state.engagementUrl = url(`/engagements/${state.engagement}?organisation=${ORGANISATION}`);
    const text = await page.$eval('main', (m) => m.innerText);
    expect(text.includes('Recorded in the ledger.'), 'no "Recorded in the ledger." on the page');
    expect(await h1(page) === state.title, `h1 is "${await h1(page)}", not the title`);
    // What the keyboard chose in a select was recorded.
    const level = await summaryValue(page, 'Level of involvement');
    expect(level === 'Involve', `Level of involvement shows "${level}", not "Involve"`);
  });

  // 4. Record the cycle: a session, an insight, a decision, feedback.
  const recordVia = async (name, linkText, fields, button, tableCaption, expectedCell) => {
    let ok = await check(`the "${linkText}" form, from the engagement page`, async () => {
      expect(state.engagement, 'no engagement was opened');
      await followLink(page, linkText);
      expect(pathOf() === `/engagements/${state.engagement}/record/${name}`, `landed on ${page.url()}`);
      expect(await h1(page) === linkText, `h1 is "${await h1(page)}"`);
      return true;
    });
    if (!ok) return;
    await inspect(page, `${name}-form`);
    await checkChoicesInWords(page, `"${linkText}" form`);
    ok = await check(`${linkText.toLowerCase()} with the keyboard`, async () => {
      await fillForm(page, await fields());
      await tabToSubmit(page, button);
      const response = await enterAndWait(page);
      const errors = await page.$$eval('.nhsuk-error-summary li', (l) => l.map((e) => e.textContent.trim()));
      expect(pathOf() === `/engagements/${state.engagement}` &&
             new URL(page.url()).searchParams.get('recorded') === name,
             `landed on ${page.url()} (status ${response?.status()}) ${errors.join('; ')}`);
      const text = await page.$eval('main', (m) => m.innerText);
      expect(text.includes('Recorded in the ledger.'), 'no "Recorded in the ledger." on the page');
      if (tableCaption) {
        const want = typeof expectedCell === 'function' ? expectedCell() : expectedCell;
        const rows = (await tableRows(page, tableCaption)) ?? [];
        expect(rows.some((r) => r.includes(want)),
               `the ${tableCaption} table has no row with "${want}" (rows: ${JSON.stringify(rows)})`);
      }
      return true;
    });
    if (ok) await inspect(page, `engagement-after-${name}`);
  };
  const methodLabel = async () => page.$eval('#method', (s) => s.options[1].textContent.trim());
  const second = (id) => page.$eval(`#${id}`, (s) => s.options[1].textContent.trim());
  state.person = 'Ann Example';
  await recordVia('participant', 'Register a participant', async () => [
    ['role_type', await second('role_type')],
    ['recruited_through', await second('recruited_through')],
    ['name', state.person],
    ['email', 'ann@example.org'],
    ['telephone', null],
    ['postcode', null],
    ['age_band', await second('age_band')],
    ['sex', await second('sex')],
    ['ethnic_category', await second('ethnic_category')],
    ['disability', await second('disability')],
    ['carer', await second('carer')],
    ['priority_groups', true],
    ['occurred_at', null],
  ], 'Register the participant', null, null);
  await check('a participant\'s name is sealed: no page shows it', async () => {
    const text = await page.$eval('body', (b) => b.innerText);
    expect(!text.includes(state.person), 'the engagement page shows the name');
  });
  await recordVia('invitation', 'Invite someone', async () => {
    state.invitee = await second('participant');
    return [
      ['participant', state.invitee],
      ['channel', null],
      ['method', await second('method')],
      ['selection_criteria', 'Works evenings; asked at the last meeting'],
      ['session', null],
      ['occurred_at', null],
    ];
  }, 'Record the invitation', 'Invitations', () => state.invitee);
  state.session = 'Drop-in at the community centre';
  await recordVia('session', 'Record a session', async () => [
    ['title', state.session],
    ['method', await methodLabel()],
    ['duration_minutes', 90],
    ['venue', 'Riverside community centre'],
    ['attendees', true],
    ['unregistered_attendee_count', 12],
    ['occurred_at', null],
  ], 'Record the session', 'Sessions', state.session);
  state.theme = 'Evening appointments';
  await recordVia('insight', 'Record an insight', async () => [
    ['session', state.session],
    ['theme', state.theme],
    ['summary', 'People who work in the day cannot come to daytime clinics.'],
    ['participants_raising', 5],
    ['occurred_at', null],
  ], 'Record the insight', 'Insights', state.theme);
  state.decision = 'Run two evening clinics a week from April';
  await recordVia('decision', 'Record a decision', async () => [
    ['deciding_body', await page.$eval('#deciding_body', (s) => s.options[1].textContent.trim())],
    ['deciding_body_name', 'Governing body'],
    ['summary', state.decision],
    ['paper_reference', 'GB-2025-01'],
    ['insight', state.theme],
    ['influence', 'Adopted'],
    ['reason', 'Evening clinics were the change most asked for.'],
    ['occurred_at', null],
  ], 'Record the decision', 'Decisions', state.decision);
  state.feedback = 'We heard you: evening clinics start in April.';
  await recordVia('feedback', 'Record feedback', async () => [
    ['audience', await page.$eval('#audience', (s) => s.options[1].textContent.trim())],
    ['channel', await page.$eval('#channel', (s) => s.options[1].textContent.trim())],
    ['decision', state.decision],
    ['summary', state.feedback],
    ['occurred_at', null],
  ], 'Record the feedback', 'Feedback', state.feedback);
  await recordVia('reimbursement', 'Record a reimbursement', async () => [
    ['participant', await second('participant')],
    ['session', state.session],
    ['category', await second('category')],
    ['amount', '12.50'],
    ['status', await second('status')],
    ['note', null],
    ['occurred_at', null],
  ], 'Record the reimbursement', 'Reimbursements', '\u00a312.50');
  state.outcomes = 'Two evening clinics a week from April.';
  await recordVia('evaluation', 'Record the evaluation', async () => [
    ['aims_met', await second('aims_met')],
    ['people_reached', 'Thirteen people, one registered'],
    ['methods', 'The drop-in worked; the survey did not'],
    ['timing', 'Evenings suited people'],
    ['actual_cost', '250'],
    ['outcomes', state.outcomes],
    ['learning', 'Go to where people are'],
    ['occurred_at', null],
  ], 'Record the evaluation', 'Evaluation', state.outcomes);

  // 5. A refused append, explained beside the field, with nothing written.
  await check('a session without a title is refused, explained at Title, nothing written', async () => {
    expect(state.engagement, 'no engagement was opened');
    await page.goto(state.engagementUrl);
    const before = ((await tableRows(page, 'Sessions')) ?? []).length;
    await followLink(page, 'Record a session');
    await fillForm(page, [
      ['title', null],  // left empty
      ['method', await methodLabel()],
      ['duration_minutes', 30],
      ['venue', 'Online'],
      ['unregistered_attendee_count', 3],
      ['occurred_at', null],
    ]);
    await tabToSubmit(page, 'Record the session');
    const response = await enterAndWait(page);
    expect(response?.status() === 400, `status ${response?.status()} at ${page.url()}`);
    await inspect(page, 'session-form-with-errors');
    const summary = await page.$$eval('.nhsuk-error-summary a',
        (links) => links.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));
    expect(summary.some((a) => a.href === '#title'),
           `the error summary links to ${JSON.stringify(summary)}, not #title`);
    const group = await page.$eval('#title', (input) => {
      const g = input.closest('.nhsuk-form-group');
      return { classes: g?.className ?? '', message: g?.querySelector('.nhsuk-error-message')?.textContent.trim() ?? '' };
    });
    expect(group.classes.includes('nhsuk-form-group--error'),
           `the Title form group's classes are "${group.classes}"`);
    expect(group.message.includes('Enter title'), `the Title error message is "${group.message}"`);
    await page.goto(state.engagementUrl);
    const after = ((await tableRows(page, 'Sessions')) ?? []).length;
    expect(before >= 1 && after === before, `Sessions rows: ${before} before, ${after} after`);
  });

  // 6. The assurance report, its standalone HTML, and the trace.
  const [start, end] = financialYear(state.date ?? new Date().toISOString().slice(0, 10));
  const reportPath = `/reports/assurance?organisation=${ORGANISATION}&period_start=${start}&period_end=${end}`;
  await page.goto(url(reportPath));
  await inspect(page, 'assurance-report');
  await check(`the assurance report for ${ORGANISATION}, ${start} to ${end}, counts what was recorded`, async () => {
    const sessions = Number(await summaryValue(page, 'Sessions held'));
    const engagements = Number(await summaryValue(page, 'Engagements'));
    expect(sessions >= 1 && engagements >= 1,
           `Sessions held: ${await summaryValue(page, 'Sessions held')}, Engagements: ` +
           `${await summaryValue(page, 'Engagements')} (h1 "${await h1(page)}")`);
    // The decision's influence ("Adopted", chosen with the keyboard) counts.
    const adopted = await summaryValue(page, 'Insights adopted or partly adopted');
    expect(/^[1-9]/.test(adopted ?? ''), `Insights adopted or partly adopted: ${adopted}`);
  });
  await check('the report downloads as PDF and CSV', async () => {
    await page.goto(url(reportPath));
    const links = await page.$$eval('main a', (list) => Object.fromEntries(
        list.map((a) => [a.textContent.trim(), a.href])));
    for (const [text, type, magic] of [['Download it as PDF', 'application/pdf', '%PDF-'],
                                       ['Download it as CSV', 'text/csv', 'Section: ']]) {
      expect(links[text], `no "${text}" link`);
      const got = await page.evaluate(async (address) => {
        const response = await fetch(address);
        const bytes = new Uint8Array(await response.arrayBuffer());
        return { status: response.status, type: response.headers.get('content-type'),
                 head: String.fromCharCode(...bytes.slice(0, 64)) };
      }, links[text]);
      expect(got.status === 200 && got.type.startsWith(type) && got.head.startsWith(magic),
             `${text}: ${got.status} ${got.type} "${got.head.slice(0, 20)}"`);
    }
  });
  let reportHtmlUrl = null;
  await check('the report\'s "whole report, with its charts (HTML)" link answers HTML', async () => {
    await page.goto(url(reportPath));
    const response = await followLink(page, 'The whole report, with its charts (HTML)');
    reportHtmlUrl = page.url();
    const type = response?.headers()['content-type'] ?? '';
    expect(response?.status() === 200 && type.startsWith('text/html'),
           `status ${response?.status()}, content-type "${type}"`);
    const hasTable = await page.evaluate(() => !!document.querySelector('h1') && !!document.querySelector('table, svg'));
    expect(hasTable, 'the document has no heading or no table/chart');
  });
  if (reportHtmlUrl) {
    await inspect(page, 'assurance-report-html');
    // The standalone report as a browser that enforces the console's CSP shows it (the page above
    // bypassed the CSP): its styles must not be refused.
    await check('the standalone report HTML renders under the console\'s Content-Security-Policy', async () => {
      const strict = await browser.newPage();
      try {
        const refused = [];
        strict.on('console', (message) => {
          if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
        });
        await strict.goto(reportHtmlUrl);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await strict.screenshot({ path: path.join(screenshotDir, 'report-html-under-csp.png') })
            .catch(() => {});
        expect(refused.length === 0, `${refused.length} refusal(s), first: ${refused[0]}`);
      } finally {
        await strict.close();
      }
    });
  }
  await check('trace a decision to the people behind it', async () => {
    expect(state.engagement, 'no engagement was opened');
    await page.goto(state.engagementUrl);
    await followLink(page, 'Trace to the people');
    expect(/^\/decisions\/[^/]+\/trace$/.test(pathOf()), `landed on ${page.url()}`);
    expect(await h1(page) === 'From a decision to the people behind it', `h1 is "${await h1(page)}"`);
    const rows = (await tableRows(page, 'Insights it considered')) ?? [];
    expect(rows.some((r) => r.some((cell) => cell.includes(state.theme))),
           `"Insights it considered" has no "${state.theme}" (rows: ${JSON.stringify(rows)})`);
  });
  if (pathOf().endsWith('/trace')) await inspect(page, 'trace');
  await check('the decision\'s evidence pack downloads and checks with ledgerctl audit check', async () => {
    const href = await page.$$eval('main a', (links) =>
        links.find((a) => a.textContent.trim() === 'Download the evidence pack (zip)')?.href);
    expect(href, 'no "Download the evidence pack (zip)" link on the trace page');
    await checkZipDownload(page, href, 'evidence', { workRoot, ledgerctlPath });
  });
  await check('and back: from the insight to the decision', async () => {
    expect(/^\/decisions\//.test(pathOf()), 'not on the decision\'s trace');
    await followLink(page, 'insight');
    expect(/^\/insights\/[^/]+\/trace$/.test(pathOf()), `landed on ${page.url()}`);
    expect(await h1(page) === 'From an insight to what was decided', `h1 is "${await h1(page)}"`);
    const rows = (await tableRows(page, 'Decisions that considered it')) ?? [];
    expect(rows.length === 1, `"Decisions that considered it" rows: ${JSON.stringify(rows)}`);
  });
  if (pathOf().startsWith('/insights/')) await inspect(page, 'insight-trace');

  // 7. The audit page.
  await check('the audit page shows the signed checkpoint', async () => {
    await page.goto(url('/'));
    await followLink(page, 'Audit');
    expect(pathOf() === '/audit', `landed on ${page.url()}`);
    const headings = await page.$$eval('h2', (list) => list.map((e) => e.textContent.trim()));
    expect(headings.includes('The signed checkpoint'), `the h2s are ${JSON.stringify(headings)}`);
    const note = await page.$eval('pre', (p) => p.textContent.trim()).catch(() => '');
    expect(note.length > 0, 'no <pre> with the note, or it is empty');
  });
  if (pathOf() === '/audit') await inspect(page, 'audit');
  await check('an audit bundle of the whole log downloads and checks with ledgerctl audit check', async () => {
    const from = await page.$eval('#from', (e) => e.value);
    const to = await page.$eval('#to', (e) => e.value);
    expect(Number(to) >= 5 && Number(from) === 1, `the form offers positions ${from} to ${to}`);
    await checkZipDownload(page, url(`/audit/bundle?from=${from}&to=${to}`), 'audit-bundle',
                          { workRoot, ledgerctlPath });
  });
  return server.dataDir;
}

let dataDir = null;
try {
  dataDir = await main();
} catch (error) {
  await die(error);
}
await cleanup();
// Kept when something failed, to look at.
if (results().failed === 0 && dataDir) {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(dataDir.replace(/data-([0-9a-f]+)$/, 'ledgerd-$1.log'), { force: true });
}
clearTimeout(globalTimer);
console.log(`${results().passed} passed, ${results().failed} failed`);
process.exit(results().failed === 0 ? EXIT_OK : EXIT_FAILED);
