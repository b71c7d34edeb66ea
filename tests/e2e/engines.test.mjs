// The demo store as a shopper uses it, in the three engines checkout traffic comes from:
// Chromium (chromedriver), Firefox ESR (geckodriver) and WebKitGTK (WebKitWebDriver with
// MiniBrowser), each through W3C WebDriver with selenium-webdriver. Every engine must show
// the same payment, shipping and cross-sell order, priced cards whatever language the engine
// reports (WebKitGTK says "C" under LANG=C.UTF-8), and the profile again after a reload.
// The drivers come from Debian and crates.io (`./build.sh setup`); WebKit needs a display,
// so the test command runs these tests under Xvfb. An engine whose driver is missing fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Builder, By, until } from 'selenium-webdriver';
import { serve } from './harness.mjs';

const which = (cmd) => { try { return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim(); } catch { return null; } };
const miniBrowser = () => execFileSync('sh', ['-c', 'ls /usr/lib/*/webkit2gtk-4.1/MiniBrowser | head -1'], { encoding: 'utf8' }).trim();

const ENGINES = {
  chromium: {
    driver: () => which('chromedriver'), args: (port) => [`--port=${port}`],
    caps: () => ({ browserName: 'chrome', 'goog:chromeOptions': { binary: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] } }),
  },
  firefox: {
    driver: () => which('geckodriver'), args: (port) => ['--port', String(port)],
    caps: () => ({ browserName: 'firefox', 'moz:firefoxOptions': { binary: which('firefox-esr'), args: ['-headless'] } }),
  },
  webkit: {
    driver: () => which('WebKitWebDriver'), args: (port) => [`--port=${port}`],
    caps: () => ({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: miniBrowser(), args: ['--automation'] } }),
  },
};

/** A browser that stopped answering (no step failed). */
class Stall extends Error {}
/** Every driver started and not yet stopped, so a stalled run can be torn down. */
const live = new Set();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `run(engine)` with a bound: a browser that stops answering for `ms` gets its driver
 *  killed and one fresh start, said on stderr; a second stall, or any failed step, fails. */
async function bounded(engine, run, ms = 150000) {
  for (let attempt = 1; ; attempt++) {
    let timer;
    const stalled = new Promise((_, no) => { timer = setTimeout(() => no(new Stall(`${engine}: no answer for ${ms / 1000} s`)), ms); });
    try {
      return await Promise.race([run(engine), stalled]);
    } catch (e) {
      if (!(e instanceof Stall) || attempt === 2) throw e;
      console.error(`RETRY: ${e.message} (no step failed); starting it once more`);
      await Promise.all([...live].map((stop) => stop()));
    } finally {
      clearTimeout(timer);
    }
  }
}

const freePort = () => new Promise((ok) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); }); });

async function startDriver(engine) {
  const e = ENGINES[engine];
  const bin = e.driver();
  assert.ok(bin, `${engine}: its WebDriver is not installed (./build.sh setup installs it)`);
  const port = await freePort();
  const proc = spawn(bin, e.args(port), { stdio: 'ignore' });
  const kill = async () => { live.delete(kill); proc.kill(); };
  live.add(kill);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${url}/status`)).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  const driver = await new Builder().usingServer(url).withCapabilities(e.caps()).build();
  // A hung browser may never answer quit(): the driver process goes regardless.
  live.delete(kill);
  const stop = async () => { live.delete(stop); await Promise.race([driver.quit().catch(() => {}), sleep(5000)]); proc.kill(); };
  live.add(stop);
  return { driver, stop };
}

let server;
before(async () => { server = await serve(); });
after(async () => { await server?.close(); });

const SCRIPT_STATE = `
  const ids = (sel, attr) => [...document.querySelectorAll(sel)].map((e) => e.dataset[attr]);
  return {
    payment: ids('[data-personalize="payment-methods"] [data-payment-method]', 'paymentMethod'),
    shipping: ids('[data-personalize="shipping-options"] [data-shipping-option]', 'shippingOption'),
    crossSells: ids('[data-personalize-item]', 'personalizeItem'),
    prices: [...document.querySelectorAll('[data-personalize-item] [data-field="price"]')].map((e) => e.textContent),
    state: document.querySelector('[data-personalize="payment-methods"]')?.dataset.personalizeState,
    language: navigator.language,
    cart: window.personalizer ? window.personalizer.profile().cart.items.map((l) => l.id).sort() : null,
  };`;

/** The snippet-only page (tag-manager boot, queued calls, dataLayer, Consent Mode) and a
 *  denied session, in `engine`: what each leaves in localStorage. */
async function snippetAndDenied(engine) {
  const { driver, stop } = await startDriver(engine);
  try {
    await driver.get(`${server.url}/snippet-demo.html?consent=granted&deadline=30000`);
    await driver.wait(async () => driver.executeScript(
      `return document.querySelector('[data-personalize="payment-methods"]')?.dataset.personalizeState === 'ranked'
        && document.querySelectorAll('[data-personalize-item]').length === 2`), 20000, `${engine}: snippet page never ranked`);
    const snippet = await driver.executeScript(`
      const p = window.checkoutPersonalizer.personalizer;
      p.flush();
      const stored = Object.keys(localStorage).filter((k) => k.startsWith('snippet:')).length;
      gtag('consent', 'update', { personalization_storage: 'denied' });
      return { cart: p.profile().cart.items.map((l) => l.id).sort(), stored, afterWithdrawal: localStorage.length,
               first: document.querySelector('[data-personalize="payment-methods"] [data-payment-method]').dataset.paymentMethod };`);
    await driver.get(`${server.url}/?consent=denied&country=DE&deadline=30000`);
    await driver.wait(async () => (await driver.executeScript(SCRIPT_STATE)).state === 'ranked', 20000, `${engine}: denied page never ranked`);
    await driver.findElement(By.css('#chips button')).click();
    const denied = await driver.executeScript(`
      window.dispatchEvent(new Event('pagehide')); window.personalizer.flush();
      return { stored: localStorage.length, cart: window.personalizer.profile().cart.quantity };`);
    return { snippet, denied };
  } finally {
    await stop();
  }
}

/** One shopper's visit in `engine`: the ranked checkout, two items added, then a reload. */
async function visit(engine) {
  const { driver, stop } = await startDriver(engine);
  try {
    await driver.get(`${server.url}/?country=DE&consent=granted&deadline=30000`);
    await driver.wait(async () => (await driver.executeScript(SCRIPT_STATE)).state === 'ranked', 20000, `${engine}: never ranked`);
    for (const id of ['whole-milk', 'cereal']) {
      await driver.findElement(By.css(`#${id} button`)).click();
    }
    // The slot re-applies after the cart changes: wait for cross-sells for this cart.
    const forCart = async () => {
      const x = (await driver.executeScript(SCRIPT_STATE)).crossSells;
      return x.length === 4 && !x.includes('whole-milk') && !x.includes('cereal');
    };
    await driver.wait(forCart, 10000, `${engine}: no cross-sells for the cart`);
    const first = await driver.executeScript(SCRIPT_STATE);
    await driver.executeScript('window.personalizer.flush()');
    await driver.navigate().refresh();
    await driver.wait(until.elementLocated(By.css('[data-personalize="payment-methods"]')), 10000);
    await driver.wait(forCart, 20000, `${engine}: no cross-sells for the cart after a reload`);
    const again = await driver.executeScript(SCRIPT_STATE);
    return { first, again };
  } finally {
    await stop();
  }
}

test('the same checkout in Chromium, Firefox ESR and WebKitGTK: same orders, priced cards, the profile after a reload', async () => {
  const seen = {};
  // E2E_ENGINES=webkit,firefox narrows a local run; the test command runs all three.
  const only = process.env.E2E_ENGINES?.split(',') ?? Object.keys(ENGINES);
  for (const engine of only) seen[engine] = await bounded(engine, visit);
  for (const [engine, { first, again }] of Object.entries(seen)) {
    assert.ok(!first.crossSells.includes('whole-milk') && !first.crossSells.includes('cereal'), `${engine}: never the cart: ${first.crossSells}`);
    assert.ok(first.prices.every((p) => /\d/.test(p)), `${engine} (language ${JSON.stringify(first.language)}): ${first.prices}`);
    assert.deepEqual(again.cart, ['cereal', 'whole-milk'], `${engine}: the profile after a reload`);
    assert.ok(!again.crossSells.includes('whole-milk') && !again.crossSells.includes('cereal'), `${engine}: never the cart after a reload`);
  }
  const { chromium } = seen;
  for (const engine of only.filter((e) => e !== 'chromium' && chromium)) {
    for (const k of ['payment', 'shipping']) {
      assert.deepEqual(seen[engine].first[k], chromium.first[k], `${engine} ${k} differs from Chromium's`);
      assert.deepEqual(seen[engine].again[k], chromium.again[k], `${engine} ${k} after a reload differs from Chromium's`);
    }
    // The bought-together cards come from the bundle alone; a last card chosen by decayed
    // category interest depends on how many real seconds passed between the clicks.
    for (const v of ['first', 'again']) {
      assert.deepEqual(seen[engine][v].crossSells.slice(0, 3), chromium[v].crossSells.slice(0, 3), `${engine} cross-sells (${v}) differ from Chromium's`);
    }
  }
});

test('the snippet page and Consent Mode in every engine: stored with consent, erased on withdrawal, nothing when denied', async () => {
  const only = process.env.E2E_ENGINES?.split(',') ?? Object.keys(ENGINES);
  for (const engine of only) {
    const { snippet, denied } = await bounded(engine, snippetAndDenied);
    assert.deepEqual(snippet.cart, ['cereal', 'whole-milk'], `${engine}: dataLayer event before load + queued track`);
    assert.equal(snippet.first, 'ideal', `${engine}: NL context from the snippet config`);
    assert.ok(snippet.stored > 0, `${engine}: stored with consent`);
    assert.equal(snippet.afterWithdrawal, 0, `${engine}: erased when Consent Mode withdraws`);
    assert.deepEqual(denied, { stored: 0, cart: 1 }, `${engine}: denied stores nothing and still personalises`);
  }
});
