// Edit an Instrument's configuration: a body that is not JSON is refused with its error shown in place; one the
// Instrument refuses is shown rejected with its reason; a valid one becomes a new version the Instrument accepts; rolling back to version 1 makes another version with 1's
// content; the diff shows what changed. The page also shows its storage use.
import { run, login, env, base, screenshot, check } from './lib.mjs';

await run('config-rollback', async (context) => {
  const id = env('SF_INSTRUMENT');
  const page = await login(context);
  await page.goto(`${base()}/#/instruments/${id}`);
  const editor = page.getByLabel('Configuration (JSON object)');
  await page.locator('tr[data-version="1"]').waitFor();
  const original = JSON.parse(await editor.inputValue());
  // Its storage use, as on the Overview (the sample has 32 MiB persistent, 16 MiB transient).
  const storage = page.getByTestId('storage');
  await storage.locator('.storage-part[data-kind="persistent"] meter').waitFor({ timeout: 60_000 });
  check(/persistent.*\/ 32 MiB/s.test(await storage.innerText()) && /transient.*\/ 16 MiB/s.test(await storage.innerText()),
    `storage shown as: ${await storage.innerText()}`);

  await editor.fill('{"heartbeat_seconds": ');
  await page.getByRole('button', { name: 'Save configuration' }).click();
  const errors = page.getByTestId('config-errors');
  await errors.waitFor();
  check((await errors.innerText()).includes('(document)'), `no field path in: ${await errors.innerText()}`);
  check(await editor.getAttribute('aria-invalid') === 'true', 'the editor is not marked invalid');
  await screenshot(page, 'config-error');

  // Valid JSON the Instrument itself refuses: a version, answered "rejected" with the Instrument's reason.
  const versions = await page.locator('table.versions tbody tr').count();
  await editor.fill('{"heartbeat_seconds": 0}');
  await page.getByRole('button', { name: 'Save configuration' }).click();
  const refused = page.locator(`tr[data-version="${versions + 1}"]`);
  await refused.locator('.badge[data-state="rejected"]').waitFor({ timeout: 30_000 });
  check((await refused.innerText()).includes('heartbeat_seconds'), `no reason: ${await refused.innerText()}`);
  check(await errors.count() === 0, 'the old error is still shown');

  await editor.fill('{"heartbeat_seconds": 7}');
  await page.getByRole('button', { name: 'Save configuration' }).click();
  const saved = page.locator(`tr[data-version="${versions + 2}"]`);
  await saved.locator('.badge[data-state="accepted"]').waitFor({ timeout: 30_000 });

  await page.getByRole('button', { name: 'Roll back to 1' }).click();
  const rolled = page.locator(`tr[data-version="${versions + 3}"]`);
  await rolled.locator('.badge[data-state="accepted"]').waitFor({ timeout: 30_000 });
  check(JSON.stringify(JSON.parse(await editor.inputValue())) === JSON.stringify(original),
    `the editor does not show version 1's content: ${await editor.inputValue()}`);

  await saved.getByRole('button', { name: 'Diff' }).click();
  const diff = page.locator('.diff');
  await diff.waitFor();
  const text = await diff.innerText();
  check(text.includes('"heartbeat_seconds": 7') && text.includes(`"heartbeat_seconds": ${original.heartbeat_seconds}`),
    `the diff does not show the change: ${text}`);
  await screenshot(page, 'instrument');
});
