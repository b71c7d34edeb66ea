// Shared end-to-end helpers: a static server for www/ on 127.0.0.1 and headless Chromium
// driven by playwright-core (Debian's /usr/bin/chromium; no browser download).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const WWW = fileURLToPath(new URL('../../www/', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
  '.cpm': 'application/octet-stream',
  '.ts': 'text/plain',
};

/** Serves www/ on an ephemeral loopback port, with `headers` added to every response
 *  (`gzip`: compressed on the wire, as a production server sends it). Returns { url, close }. */
export async function serve(root = WWW, headers = {}, { gzip = false } = {}) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (path.includes('..')) { res.writeHead(400).end(); return; }
    const file = join(root, path.endsWith('/') ? path + 'index.html' : path);
    try {
      const body = await readFile(file);
      const zip = gzip && /gzip/.test(req.headers['accept-encoding'] ?? '');
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...headers,
        ...(zip ? { 'content-encoding': 'gzip' } : {}),
      });
      res.end(zip ? gzipSync(body, { level: 9 }) : body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((ok) => server.close(ok)) };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Opens the test harness page; resolves once the module is initialised. Page errors fail the test. */
export async function openHarness(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.errors = errors;
  await page.goto(`${url}/harness.html`);
  await page.waitForFunction(() => window.cpReady === true);
  return page;
}
