// The browser test's page helpers: moving through a page with the keyboard only (Tab, Enter,
// arrows, Space), filling forms, reading tables and summary lists, and checking a downloaded
// audit bundle with ledgerctl. Used by console_test.mjs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { CheckFailed, check, expect } from './checks.mjs';

export const h1 = (page) => page.$eval('h1', (e) => e.textContent.trim()).catch(() => '');

// Presses Tab until `predicate(document.activeElement, arg)` holds (at most `limit` presses):
// proves the element is reachable with the keyboard, and leaves it focused.
export async function tabUntil(page, description, predicate, arg, limit = 60) {
  for (let i = 0; i < limit; ++i) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(predicate, arg)) return;
  }
  const focused = await page.evaluate(() => document.activeElement?.outerHTML?.slice(0, 120));
  throw new CheckFailed(`${description} not reached with ${limit} presses of Tab (focus on ${focused})`);
}
export const tabToId = (page, id) => tabUntil(page, `#${id}`, (want) => document.activeElement?.id === want, id);
export const tabToLink = (page, text) => tabUntil(page, `the link "${text}"`,
    (want) => document.activeElement?.tagName === 'A' && document.activeElement.textContent.trim() === want,
    text);
export const tabToSubmit = (page, text) => tabUntil(page, `the button "${text}"`,
    (want) => document.activeElement?.tagName === 'BUTTON' &&
              document.activeElement.textContent.trim() === want, text);

// Presses Enter on whatever is focused and waits for the page it leads to.
export async function enterAndWait(page) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.keyboard.press('Enter'),
  ]);
  return response;
}

// From where focus is (the top of a page just loaded): Tab to the link with this text and follow it with Enter.
export async function followLink(page, text) {
  await tabToLink(page, text);
  return enterAndWait(page);
}

// Chooses the option labelled `label` in the focused <select> with the arrow keys (on Linux,
// ArrowDown/ArrowUp on a closed select move its selection without opening it).
export async function chooseOption(page, id, label) {
  const { options, selected } = await page.$eval(`#${id}`, (s) => ({
    options: [...s.options].map((o) => o.textContent.trim()), selected: s.selectedIndex,
  }));
  const want = options.indexOf(label);
  if (want < 0) throw new CheckFailed(`#${id} offers no "${label}" (it offers ${options.join(', ')})`);
  const key = want > selected ? 'ArrowDown' : 'ArrowUp';
  for (let i = 0; i < Math.abs(want - selected); ++i) await page.keyboard.press(key);
  const now = await page.$eval(`#${id}`, (s) => s.options[s.selectedIndex]?.textContent.trim());
  expect(now === label, `the keyboard chose "${now}" in #${id}, not "${label}"`);
}

// Fills a form's fields in order with the keyboard: Tab to each, then type (text), arrow to
// the option (select) or press Space (a checkbox, for true). `fields` are [id, value]; a null value leaves the field as it is (but it
// is still tabbed through, in order).
export async function fillForm(page, fields) {
  for (const [id, value] of fields) {
    await tabToId(page, id);
    if (value === null) continue;
    const tag = await page.evaluate(() => document.activeElement.tagName);
    const type = await page.evaluate(() => document.activeElement.type);
    if (type === 'checkbox') {
      if (value) await page.keyboard.press('Space');
      const now = await page.$eval(`#${id}`, (e) => e.checked);
      expect(now === Boolean(value), `#${id} is ${now ? '' : 'not '}ticked after Space`);
    } else if (tag === 'SELECT') {
      await chooseOption(page, id, value);
    } else {
      await page.keyboard.type(String(value));
      const now = await page.$eval(`#${id}`, (e) => e.value);
      expect(now === String(value), `#${id} holds "${now}" after typing "${value}"`);
    }
  }
}

// Downloads the zip at `href` with the page's session, unpacks it (Python's zipfile) and checks
// the bundle inside with `ledgerctl audit check` (exit 0: every proof holds).
export async function checkZipDownload(page, href, stem, { workRoot, ledgerctlPath }) {
  const got = await page.evaluate(async (address) => {
    const response = await fetch(address);
    const bytes = new Uint8Array(await response.arrayBuffer());
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return { status: response.status, type: response.headers.get('content-type'),
             disposition: response.headers.get('content-disposition'), base64: btoa(binary) };
  }, href);
  expect(got.status === 200 && got.type === 'application/zip',
         `${href}: ${got.status} ${got.type} ${Buffer.from(got.base64, 'base64').toString().slice(0, 200)}`);
  expect(/attachment; filename="[^"]+\.zip"/.test(got.disposition ?? ''), `disposition ${got.disposition}`);
  const dir = fs.mkdtempSync(path.join(workRoot, `${stem}-`));
  const zip = path.join(dir, `${stem}.zip`);
  fs.writeFileSync(zip, Buffer.from(got.base64, 'base64'));
  const unzip = spawnSync('python3', ['-m', 'zipfile', '-e', zip, dir], { encoding: 'utf8' });
  expect(unzip.status === 0, `unzip: ${unzip.stderr}`);
  const inside = fs.readdirSync(dir).filter((name) => name.startsWith(stem) && !name.endsWith('.zip'));
  expect(inside.length === 1, `the zip holds ${JSON.stringify(inside)}`);
  const checked = spawnSync(ledgerctlPath, ['audit', 'check', path.join(dir, inside[0])],
                            { encoding: 'utf8', timeout: 60_000 });
  expect(checked.status === 0,
         `ledgerctl audit check exited ${checked.status}: ${checked.stdout} ${checked.stderr}`);
}

// The body rows of the table captioned `caption` (none when the page says "None yet.").
export const tableRows = (page, caption) => page.evaluate((want) => {
  const table = [...document.querySelectorAll('table')]
      .find((t) => t.caption?.textContent.trim() === want);
  if (!table) return null;
  return [...table.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.textContent.trim()));
}, caption);

// A form offers its choices in words (the reports' labels), not as enum codes such as
// DUTY_APPLIES_YES.
export async function checkChoicesInWords(page, label) {
  await check(`the ${label} offers its choices in words, not codes`, async () => {
    const codes = await page.$$eval('main select', (selects) => selects.flatMap((s) =>
        [...s.options].filter((o) => /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(o.textContent.trim()))
            .map((o) => `#${s.id}: "${o.textContent.trim()}"`)));
    expect(codes.length === 0, `options shown as codes: ${codes.join(', ')}`);
  });
}

export const summaryValue = (page, key) => page.evaluate((want) => {
  const row = [...document.querySelectorAll('.nhsuk-summary-list__row')]
      .find((r) => r.querySelector('dt')?.textContent.trim() === want);
  return row?.querySelector('dd')?.textContent.trim() ?? null;
}, key);

// The financial year (1 April to 31 March) holding the day YYYY-MM-DD.
export function financialYear(day) {
  const [year, month] = day.split('-').map(Number);
  const start = month >= 4 ? year : year - 1;
  return [`${start}-04-01`, `${start + 1}-03-31`];
}
