// Stop one Instrument from its page and watch its state change live on the Overview in another tab (no reload);
// then start it again and watch it come back.
import { run, login, row, env, base, screenshot, check } from './lib.mjs';

await run('stop-live', async (context) => {
  const id = env('SF_INSTRUMENT');
  const overview = await login(context);
  const state = row(overview, id).locator('td.state');
  await state.locator('.badge[data-state="running"]').waitFor();
  let reloaded = false;
  overview.on('load', () => { reloaded = true; });

  const detail = await context.newPage();
  await detail.goto(`${base()}/#/instruments/${id}`);
  await detail.getByRole('button', { name: 'Stop', exact: true }).click();
  await state.locator('.badge[data-state="stopped"]').waitFor({ timeout: 120_000 });
  check(!reloaded, 'the Overview reloaded');
  await detail.getByTestId('instrument-summary').getByText('state: stopped').waitFor({ timeout: 60_000 });
  await screenshot(detail, 'instrument-stopped');

  await detail.getByRole('button', { name: 'Start', exact: true }).click();
  await state.locator('.badge[data-state="running"]').waitFor({ timeout: 120_000 });
  await row(overview, id).locator('td.health .badge[data-state="healthy"]').waitFor({ timeout: 120_000 });
  check(!reloaded, 'the Overview reloaded');
});
