// The browser test's checks: each named, recorded as PASS or FAIL, and counted.
let passed = 0;
let failed = 0;
// What has been counted so far.
export const results = () => ({ passed, failed });
export function pass(name) {
  passed += 1;
  console.log(`PASS ${name}`);
}
export function fail(name, why) {
  failed += 1;
  console.log(`FAIL ${name}: ${String(why).replace(/\s+/g, ' ').trim()}`);
}
export class CheckFailed extends Error {}
export function expect(condition, why) {
  if (!condition) throw new CheckFailed(why);
}
// Runs one named check; a failure is recorded and the test goes on (later checks that depend on
// this one fail in their turn, saying why).
export async function check(name, body) {
  try {
    const result = await body();
    pass(name);
    return result;
  } catch (error) {
    fail(name, error instanceof CheckFailed ? error.message : (error?.stack ?? error));
    return undefined;
  }
}
