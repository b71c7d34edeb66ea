// The module outside a browser (server-side rendering, a build step, a test runner): a
// Personalizer must not keep Node's process alive once the script is done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('a Personalizer in Node lets the process exit', () => {
  const script = `
    import { readFile } from 'node:fs/promises';
    const { default: init, Personalizer } = await import(${JSON.stringify(ROOT + 'pkg/checkout_personalizer.js')});
    await init({ module_or_path: await readFile(${JSON.stringify(ROOT + 'pkg/checkout_personalizer_bg.wasm')}) });
    const p = new Personalizer({ consent: 'granted' });
    p.track({ type: 'page_view' });
    p.loadModel(await readFile(${JSON.stringify(ROOT + 'tests/fixtures/ranking.cpm')}));
    console.log(p.rankPaymentMethods([{ id: 'card' }, { id: 'paypal' }]).items.length);
  `;
  const started = Date.now();
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(out.trim(), '2');
  assert.ok(Date.now() - started < 30_000);
});
