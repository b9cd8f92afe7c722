// Log in and see the Instruments healthy: every Instrument of SF_INSTRUMENTS (comma-separated) has a row whose
// state reads "running" and health "healthy" — as text, not only as colour; SF_STORAGE_INSTRUMENT's storage use
// shows as a bar and "used / quota" for its persistent (32 MiB) and transient (16 MiB) directories.
import { run, login, row, env, screenshot, check } from './lib.mjs';

await run('login-overview', async (context) => {
  const page = await login(context);
  for (const id of env('SF_INSTRUMENTS').split(',')) {
    const r = row(page, id);
    await r.locator('td.state .badge[data-state="running"]').waitFor();
    await r.locator('td.health .badge[data-state="healthy"]').waitFor({ timeout: 60_000 });
    check((await r.locator('td.health').innerText()).includes('healthy'), `${id}: health not shown as text`);
  }
  // Storage use, measured by the sensor: a bar and "used / quota" as text for each directory it has.
  const storage = row(page, env('SF_STORAGE_INSTRUMENT')).locator('td[data-label="Storage"]');
  for (const [kind, quota] of [['persistent', '32 MiB'], ['transient', '16 MiB']]) {
    const part = storage.locator(`.storage-part[data-kind="${kind}"]`);
    await part.locator('meter').waitFor({ timeout: 60_000 });
    const text = await part.innerText();
    check(new RegExp(`\\d+(\\.\\d)? (B|KiB|MiB) / ${quota}`).test(text), `${kind} storage shown as "${text}"`);
    check((await part.getAttribute('data-used')) !== '', `${kind}: no measured use`);
  }
  await page.getByTestId('live').filter({ hasText: 'live' }).waitFor();
  await screenshot(page, 'overview');
  // Keyboard: the first Tab reaches the skip link, the next the navigation.
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.textContent.includes('Skip to content')),
    'the first Tab does not reach the skip link');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.closest('nav') !== null), 'the second Tab is not in the nav');
  // A narrow screen: no sideways scrolling of the page.
  await page.setViewportSize({ width: 390, height: 800 });
  check(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth + 1),
    'the Overview scrolls sideways on a narrow screen');
  await screenshot(page, 'overview-narrow');
});
