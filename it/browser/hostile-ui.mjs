// Issue 6: a hostile Instrument UI, opened by a logged-in operator (with the UI grant) through /instruments/{id}/ui/, runs a script that
// tries to call /api/v1 with the operator's session. It must get no authenticated answer. Prints the page's own
// findings as "RESULT {json}" for ConsoleBrowserIT's assertions too.
import { run, login, env, base, check } from './lib.mjs';

await run('hostile-ui', async (context) => {
  const hostile = env('SF_HOSTILE');
  const page = await login(context);
  const ui = await context.newPage();
  // The UI starts with the Instrument: retry the page until the proxy reaches it.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await ui.goto(`${base()}/instruments/${hostile}/ui/`);
    if (response.status() === 200) {
      const csp = response.headers()['content-security-policy'] || '';
      check(csp.startsWith('sandbox') && !csp.includes('allow-same-origin'), `CSP: ${csp}`);
      check(!response.headers()['set-cookie'], 'the UI planted a cookie');
      break;
    }
    if (Date.now() > deadline) throw new Error(`the hostile UI answered ${response.status()}`);
    await page.waitForTimeout(1000);
  }
  await ui.waitForFunction(() => document.title === 'hostile done', null, { timeout: 30_000 });
  const result = JSON.parse(await ui.locator('#result').textContent());
  console.log(`RESULT ${JSON.stringify(result)}`);
  for (const probe of ['session', 'instruments', 'stop']) {
    check(!String(result[probe]).startsWith('status 2'), `${probe}: the script got an answer: ${result[probe]}`);
  }
  check(result.stopNoCors === 'opaque' || String(result.stopNoCors).startsWith('blocked'),
    `stopNoCors: ${result.stopNoCors}`);
  check(String(result.cookie).startsWith('blocked'), `the script read cookies: ${result.cookie}`);
  check(result.origin === 'null', `the page runs in origin ${result.origin}, not an opaque one`);
  // The operator's own session still works (and was not replaced by the UI's planted cookie).
  const session = await page.request.get(`${base()}/api/v1/session`);
  check(session.status() === 200 && (await session.json()).username === env('SF_USER'), 'the operator lost the session');
});
