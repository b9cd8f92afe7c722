// A viewer sees everything and no button that would change anything: no lifecycle, no config save or rollback,
// no policy editing.
import { run, login, env, base, check } from './lib.mjs';

await run('viewer', async (context) => {
  const id = env('SF_INSTRUMENT');
  const page = await login(context);
  await page.goto(`${base()}/#/instruments/${id}`);
  await page.getByRole('heading', { name: 'Configuration' }).waitFor();
  await page.locator('tr[data-version="1"]').waitFor();
  for (const name of ['Start', 'Stop', 'Restart', 'Remove', 'Save configuration']) {
    check(await page.getByRole('button', { name, exact: true }).count() === 0, `a viewer sees "${name}"`);
  }
  check(await page.getByRole('button', { name: /^Roll back/ }).count() === 0, 'a viewer sees "Roll back"');
  check(await page.getByLabel('Configuration (JSON object)').getAttribute('readonly') !== null,
    'the config editor is editable for a viewer');

  await page.goto(`${base()}/#/permissions`);
  await page.getByRole('heading', { name: 'Check' }).waitFor();
  check(await page.getByRole('button', { name: 'Save policy' }).count() === 0, 'a viewer sees "Save policy"');
  check(await page.getByRole('button', { name: /^Grant / }).count() === 0, 'a viewer sees grant buttons');
  check(await page.getByRole('button', { name: /^Revoke / }).count() === 0, 'a viewer sees revoke buttons');
});
