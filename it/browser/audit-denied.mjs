// A bus message the policy refuses appears in the audit: search by action and outcome until it shows, with the
// refused Instrument named; the CSV export link carries the same filters.
import { run, login, env, base, screenshot, check } from './lib.mjs';

await run('audit-denied', async (context) => {
  const intruder = env('SF_INTRUDER');
  const page = await login(context);
  await page.goto(`${base()}/#/audit`);
  await page.getByLabel('Action').fill('message denied');
  await page.getByLabel('Outcome').selectOption('denied');
  const deadline = Date.now() + 90_000;
  const rows = page.locator('table.audit tbody tr[data-action="message denied"]');
  for (;;) {
    await page.getByRole('button', { name: 'Search' }).click();
    try {
      await rows.filter({ hasText: intruder }).first().waitFor({ timeout: 2_000 });
      break;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`no denied message from ${intruder} in the audit`);
    }
  }
  const text = await rows.filter({ hasText: intruder }).first().innerText();
  check(text.includes('denied'), `the row does not say denied: ${text}`);
  const csv = await page.getByTestId('csv-export').getAttribute('href');
  check(csv.includes('format=csv') && csv.includes('action=message+denied'), `export link: ${csv}`);
  const answer = await page.request.get(`${base()}${csv}`);
  check(answer.status() === 200 && (await answer.text()).includes('message denied'), 'the CSV export lacks it');
  await screenshot(page, 'audit');
});
