// The demo checkout under a strict Content-Security-Policy: only 'wasm-unsafe-eval' beyond
// 'self' — no 'unsafe-inline', no 'unsafe-eval'. The module must work and cause no violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, WWW } from './harness.mjs';

export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'";
let server, browser;
before(async () => { server = await serve(WWW, { 'content-security-policy': CSP }); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the demo works under a strict CSP with no violation', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${server.url}/?country=NL&consent=granted&deadline=30000`);
  await page.waitForFunction(() => document.querySelector('[data-personalize="payment-methods"]')?.dataset.personalizeState === 'ranked');
  assert.equal(await page.$eval('[data-payment-method]', (e) => e.dataset.paymentMethod), 'ideal');
  await page.click('#whole-milk button');
  await page.waitForFunction(() => document.querySelectorAll('[data-personalize-item]').length > 0);
  // Integrity checks (WebCrypto) and the dataLayer wrapper work under the policy too.
  const loaded = await page.evaluate(() => window.personalizer.loadModelFromUrl('models/demo.cpm').then((i) => i.id));
  assert.equal(loaded, 'demo-store');
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(violations, []);
  await context.close();
});
