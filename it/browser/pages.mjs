// The other pages, as an admin: the permission matrix with a `check` answer, edited and saved; the live events feed
// with a topic filter; the Capture page (counters, or "capture not running"); screenshots of each.
import { run, login, env, base, screenshot, check } from './lib.mjs';

await run('pages', async (context) => {
  const intruder = env('SF_INTRUDER');
  const target = env('SF_INSTRUMENT');
  const page = await login(context);

  await page.goto(`${base()}/#/permissions`);
  await page.locator(`tr[data-subject="${intruder}"]`).waitFor();
  await page.getByRole('combobox', { name: 'May' }).selectOption(intruder);
  await page.getByRole('combobox', { name: 'do' }).selectOption('send');
  await page.getByRole('textbox', { name: 'on' }).fill(target);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  const answer = page.getByTestId('check-answer');
  await answer.waitFor();
  check((await answer.innerText()).includes('denied'), `check answer: ${await answer.innerText()}`);
  await screenshot(page, 'permissions');

  // An admin edits the matrix: grant, save (live at once: the check says allowed), revoke, save again.
  const ask = async (expected) => {
    await page.getByRole('combobox', { name: 'do' }).selectOption('subscribe');
    await page.getByRole('textbox', { name: 'on' }).fill('alerts.other');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await answer.locator(`.badge[data-state="${expected}"]`).waitFor();
  };
  await ask('denied');
  await page.getByLabel(`${intruder} may subscribe: add topic`).fill('alerts.other');
  await page.getByRole('button', { name: `Grant ${intruder} subscribe` }).click();
  await page.getByRole('button', { name: 'Save policy' }).click();
  await page.getByRole('button', { name: 'Save policy', disabled: true }).waitFor();
  await ask('allowed');
  await page.getByRole('button', { name: `Revoke ${intruder} subscribe alerts.other` }).click();
  await page.getByRole('button', { name: 'Save policy' }).click();
  await page.getByRole('button', { name: 'Save policy', disabled: true }).waitFor();
  await ask('denied');

  // Events: the intruder's alerts (alerts.console, one a second) arrive live; a topic filter narrows the feed.
  await page.goto(`${base()}/#/events`);
  await page.getByRole('heading', { name: 'Events' }).waitFor();
  await page.getByTestId('live').filter({ hasText: 'live' }).waitFor();
  const alerts = page.locator('ol.feed li[data-topic="alerts.console"]');
  await alerts.first().waitFor({ timeout: 30_000 });
  await page.getByRole('textbox', { name: 'Topic' }).fill('alerts.nothing');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByText('No events on alerts.nothing yet.').waitFor();
  await page.getByRole('textbox', { name: 'Topic' }).fill('alerts.console');
  await page.getByRole('button', { name: 'Filter' }).click();
  await alerts.first().waitFor();
  const before = await alerts.count();
  await page.waitForFunction((n) => document.querySelectorAll('ol.feed li').length > n, before, { timeout: 30_000 });
  check(await page.locator('ol.feed li:not([data-topic="alerts.console"])').count() === 0, 'the filter let others in');
  await screenshot(page, 'events');

  await page.goto(`${base()}/#/capture`);
  await page.getByRole('heading', { name: 'Capture' }).waitFor();
  await page.locator('[data-testid="capture-off"], table').first().waitFor();
  await screenshot(page, 'capture');
});
