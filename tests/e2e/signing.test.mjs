// Signed bundles in Chromium: keys and signatures made by the CLI, checked by WebCrypto.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, openHarness, WWW } from './harness.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'target/release/personalizer');
let server, browser, publicKey, signed, tampered, unsigned;

before(async () => {
  server = await serve();
  browser = await launch();
  const dir = await mkdtemp(join(tmpdir(), 'cpm-sign-'));
  publicKey = execFileSync(CLI, ['keygen', '-o', join(dir, 'key')], { encoding: 'utf8' }).trim();
  unsigned = await readFile(join(WWW, 'models/demo.cpm'));
  execFileSync(CLI, ['sign', join(WWW, 'models/demo.cpm'), '--key', join(dir, 'key'), '-o', join(dir, 'demo.signed.cpm')], { stdio: 'ignore' });
  signed = await readFile(join(dir, 'demo.signed.cpm'));
  tampered = Buffer.from(signed);
  tampered[Math.floor(tampered.length / 2)] ^= 1;
});
after(async () => { await browser?.close(); await server?.close(); });

async function page() {
  const context = await browser.newContext();
  const p = await openHarness(context, server.url);
  await p.route('**/signed.cpm', (r) => r.fulfill({ body: signed, contentType: 'application/octet-stream' }));
  await p.route('**/tampered.cpm', (r) => r.fulfill({ body: tampered, contentType: 'application/octet-stream' }));
  await p.route('**/unsigned.cpm', (r) => r.fulfill({ body: unsigned, contentType: 'application/octet-stream' }));
  return { context, p };
}

test('with a public key, only bundles signed with it are used', async () => {
  const { context, p } = await page();
  const out = await p.evaluate(async (publicKey) => {
    const cp = new window.cp.Personalizer({ consent: 'denied', publicKey, context: { country: 'NL' } });
    const msg = (pr) => pr.then(() => 'loaded', (e) => e.message);
    const unsigned = await msg(cp.loadModelFromUrl('unsigned.cpm'));
    const tampered = await msg(cp.loadModelFromUrl('tampered.cpm'));
    const before = cp.rankPaymentMethods(['card', 'ideal']).fallback;
    let sync;
    try { cp.loadModel(new Uint8Array([1, 2, 3])); } catch (e) { sync = e.message; }
    const info = await cp.loadModelFromUrl('signed.cpm');
    const after = cp.rankPaymentMethods(['card', 'ideal']);
    return { unsigned, tampered, before, sync, id: info.id, first: after.items[0].id, fallback: after.fallback };
  }, publicKey);
  assert.equal(out.unsigned, 'model: unsigned bundle refused: a public key is configured');
  assert.equal(out.tampered, 'model: bad signature: the bundle was not signed with the configured key');
  assert.equal(out.before, 'noModel', 'refused bundles change nothing');
  assert.match(out.sync, /^model: a public key is configured/);
  assert.equal(out.id, 'demo-store');
  assert.equal(out.first, 'ideal');
  assert.equal(out.fallback, null);
  assert.deepEqual(p.errors, []);
  await context.close();
});

test('a signed bundle from the cache is verified again before use; a tampered cache is not used', async () => {
  const { context, p } = await page();
  await p.evaluate(async (publicKey) => {
    const cp = new window.cp.Personalizer({ consent: 'granted', publicKey });
    await cp.loadModelFromUrl('signed.cpm');
  }, publicKey);
  const cached = await p.evaluate(() => localStorage.getItem('cp:model'));
  assert.ok(cached);
  await p.unroute('**/signed.cpm');
  await p.route('**/signed.cpm', (r) => r.abort());
  const run = () => p.evaluate(async (publicKey) => {
    const cp = new window.cp.Personalizer({ consent: 'granted', publicKey });
    const pending = cp.loadModelFromUrl('signed.cpm').then(() => null, (e) => e.message);
    const sync = cp.rankPaymentMethods(['card']).fallback;
    const error = await pending;
    return { sync, later: cp.rankPaymentMethods(['card']).model, error };
  }, publicKey);
  const offline = await run();
  assert.equal(offline.sync, 'noModel', 'not used before its signature is checked');
  assert.match(offline.error, /^model: download failed/);
  assert.equal(offline.later, 'demo-store@2026-11-22', 'the verified cached copy is in force');
  // Flip one character of the cached value: it is refused.
  await p.evaluate((v) => {
    const i = Math.floor(v.length / 2);
    localStorage.setItem('cp:model', v.slice(0, i) + (v[i] === 'A' ? 'B' : 'A') + v.slice(i + 1));
  }, cached);
  const tamperedCache = await run();
  assert.equal(tamperedCache.later, null, 'a tampered cache is never used');
  assert.deepEqual(p.errors, []);
  await context.close();
});
