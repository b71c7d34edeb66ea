// The npm package as a storefront installs it: `npm pack` of pkg/ (so the `files` list and
// `exports` map are what is tested), installed into a scratch project, then
//  - its types checked by `tsc --strict` (TypeScript 7 and 5.9; ES2020 and ESNext libs;
//    with and without skipLibCheck) against tests/types/usage.ts and decide.ts, and
//  - built by Vite, esbuild and webpack 5 with the README's recipes (esbuild and webpack also
//    with the decision-only entry), and run in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch } from './harness.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'node_modules/.bin');
let dir, browser;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cp-package-'));
  const tgz = execFileSync('npm', ['pack', join(ROOT, 'pkg'), '--pack-destination', dir, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop();
  const into = join(dir, 'node_modules/checkout-personalizer');
  await mkdir(into, { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, tgz), '-C', into, '--strip-components=1']);
  await cp(join(ROOT, 'tests/bundlers'), dir, { recursive: true });
  await cp(join(ROOT, 'tests/types'), join(dir, 'types'), { recursive: true });
  browser = await launch();
});
after(async () => { await browser?.close(); if (dir) await rm(dir, { recursive: true, force: true }); });

test('the package holds what its exports name, and nothing generated for the repository', async () => {
  const pkg = JSON.parse(await readFile(join(dir, 'node_modules/checkout-personalizer/package.json'), 'utf8'));
  for (const target of Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))) {
    await readFile(join(dir, 'node_modules/checkout-personalizer', target)); // throws if missing
  }
  const readme = await readFile(join(dir, 'node_modules/checkout-personalizer/README.md'), 'utf8');
  assert.match(readme, /npm install checkout-personalizer/);
});

test('tsc --strict: every usage compiles and every mistake is caught, in ES2020 and ESNext, with and without skipLibCheck', () => {
  for (const tsc of [join(BIN, 'tsc'), join(ROOT, 'node_modules/typescript-5/bin/tsc')]) {
    for (const lib of ['ES2020,DOM', 'ESNext,DOM']) {
      for (const skip of ['false', 'true']) {
        const args = ['-p', join(dir, 'types/tsconfig.json'), '--lib', lib, '--skipLibCheck', skip];
        try {
          execFileSync(tsc, args, { cwd: join(dir, 'types'), encoding: 'utf8', stdio: 'pipe' });
        } catch (e) {
          assert.fail(`${tsc} ${args.join(' ')}:\n${e.stdout}${e.stderr}`);
        }
      }
    }
  }
});

const RECIPES = {
  vite: { cmd: [join(BIN, 'vite'), ['build', '--config', 'vite.config.js']], out: 'dist-vite' },
  esbuild: {
    cmd: [join(BIN, 'esbuild'), ['app-esbuild.js', '--bundle', '--format=esm', '--outfile=dist-esbuild/app.js', '--loader:.wasm=file', '--log-level=warning']],
    out: 'dist-esbuild',
  },
  webpack: { cmd: [join(BIN, 'webpack'), ['--config', 'webpack.config.cjs']], out: 'dist-webpack' },
  // The decision-only entry point, through the two bundlers that resolve its .wasm differently.
  'esbuild, decision-only': {
    cmd: [join(BIN, 'esbuild'), ['app-decide-esbuild.js', '--bundle', '--format=esm', '--outfile=dist-esbuild-decide/app.js', '--loader:.wasm=file', '--log-level=warning']],
    out: 'dist-esbuild-decide', decide: true,
  },
  'webpack, decision-only': {
    cmd: [join(BIN, 'webpack'), ['--config', 'webpack.config.cjs', '--entry', './app-decide.js', '--output-path', 'dist-webpack-decide']],
    out: 'dist-webpack-decide', decide: true,
  },
};

for (const [name, { cmd, out, decide }] of Object.entries(RECIPES)) {
  test(`${name}: the README's recipe builds a page that runs in Chromium`, async () => {
    execFileSync(cmd[0], cmd[1], { cwd: dir, stdio: 'pipe' });
    if (!name.startsWith('vite')) {
      await writeFile(join(dir, out, 'index.html'), '<!doctype html><html><body><script type="module" src="./app.js"></script></body></html>');
    }
    const server = await serve(join(dir, out) + '/');
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(() => window.result, null, { timeout: 20000 });
    const r = await page.evaluate(() => window.result);
    assert.equal(r.cart, 5, 'string prices and quantities read as GA4 sends them');
    assert.equal(r.ranked.length, 3);
    assert.equal(r.attach, decide ? 'undefined' : 'function', 'the build the recipe asked for');
    assert.deepEqual(errors, []);
    await context.close();
    await server.close();
  });
}
