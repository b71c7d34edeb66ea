// GrowthBook's `run` cases (SDK spec 0.8.0) end to end: each in-scope case written as a
// spec the way a merchant copies a GrowthBook experiment (GrowthBook's field names, its
// defaults left out), built by the CLI into a bundle, loaded by the wasm module in Node
// with the case's id as `userId`, and asked for `assignment(key)`. Which cases are out of
// scope, and why, is tests/fixtures/growthbook_scope.json (the native test checks the
// same list).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'target/release/personalizer');
const cases = JSON.parse(await readFile(join(ROOT, 'tests/fixtures/growthbook_cases.json'), 'utf8'));
const scope = JSON.parse(await readFile(join(ROOT, 'tests/fixtures/growthbook_scope.json'), 'utf8'));

/** The reason a case cannot run in the browser, or null. */
function outOfScope(ctx, exp) {
  for (const k of Object.keys(scope.experiment)) {
    const present = k === 'filters.attribute'
      ? (exp.filters ?? []).some((f) => 'attribute' in f)
      : k === 'hashAttribute' ? exp.hashAttribute !== undefined && exp.hashAttribute !== 'id'
      : k in exp;
    if (present) return scope.experiment[k];
  }
  for (const k of Object.keys(scope.context)) if (k in ctx) return scope.context[k];
  if (typeof ctx.attributes?.id !== 'string' || ctx.attributes.id === '') return scope.noId;
  return null;
}

const str = (s) => JSON.stringify(String(s));
const num = (n) => (Number.isInteger(n) ? `${n}.0` : String(n));
const pairs = (r) => `[${r.map(([a, b]) => `[${num(a)}, ${num(b)}]`).join(', ')}]`;

/** The experiment as a merchant writes it from GrowthBook: only the fields GrowthBook
 *  shows, under GrowthBook's names; left-out fields take GrowthBook's defaults. */
function spec(exp) {
  const lines = [
    'id = "growthbook-case"', 'version = "1"',
    '[[features]]', 'name = "is_last"', 'source = "candidate.isLast"',
    '[[heads]]', 'name = "payment"', 'kind = "linear"', 'weights = [1.0]', 'intercept = 0.0',
    '[payment]', 'head = "payment"',
    '[[experiments]]', `key = ${str(exp.key)}`, 'surface = "payment"',
  ];
  if (exp.seed !== undefined) lines.push(`seed = ${str(exp.seed)}`);
  if (exp.hashVersion !== undefined) lines.push(`hashVersion = ${exp.hashVersion}`);
  if (exp.coverage !== undefined) lines.push(`coverage = ${num(exp.coverage)}`);
  if (exp.weights !== undefined) lines.push(`weights = [${exp.weights.map(num).join(', ')}]`);
  if (exp.active !== undefined) lines.push(`active = ${exp.active}`);
  if (exp.namespace !== undefined) {
    const [id, a, b] = exp.namespace;
    lines.push(`namespace = [${str(id)}, ${num(a)}, ${num(b)}]`);
  }
  if (exp.ranges !== undefined) lines.push(`ranges = ${pairs(exp.ranges)}`);
  const filters = (exp.filters ?? []).map((f) => `{ seed = ${str(f.seed)}, ranges = ${pairs(f.ranges)}${f.hashVersion ? `, hashVersion = ${f.hashVersion}` : ''} }`);
  if (filters.length) lines.push(`filters = [${filters.join(', ')}]`);
  lines.push(`arms = [${exp.variations.map((_, i) => `{ name = "v${i}" }`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

test('GrowthBook run cases in scope agree through the CLI and the wasm module', async () => {
  const { default: init, Personalizer } = await import(join(ROOT, 'pkg/checkout_personalizer.js'));
  await init({ module_or_path: await readFile(join(ROOT, 'pkg/checkout_personalizer_bg.wasm')) });
  const dir = await mkdtemp(join(tmpdir(), 'gb-'));
  let ran = 0;
  const skipped = {};
  try {
    for (const [name, ctx, exp, value, inExperiment] of cases.run) {
      const why = outOfScope(ctx, exp);
      if (why) { skipped[name] = why; continue; }
      const toml = join(dir, `${ran}.toml`);
      const cpm = join(dir, `${ran}.cpm`);
      await writeFile(toml, spec(exp));
      try {
        execFileSync(CLI, ['build', toml, '-o', cpm], { stdio: 'pipe' });
      } catch (e) {
        assert.fail(`${name}: the CLI refused the spec: ${e.stderr}\n${spec(exp)}`);
      }
      const p = new Personalizer({ userId: ctx.attributes.id, consent: 'denied' });
      p.loadModel(await readFile(cpm));
      const got = p.assignment(exp.key);
      if (!inExperiment) {
        assert.equal(got, null, `${name}: in the experiment (${JSON.stringify(got)})`);
      } else {
        const want = exp.variations.findIndex((v) => JSON.stringify(v) === JSON.stringify(value));
        assert.ok(got, `${name}: not in the experiment`);
        assert.equal(got.variation, want, `${name}`);
        assert.equal(got.arm, `v${want}`, `${name}`);
      }
      p.free();
      ran++;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // The native test runs the id-less cases too; here the module always has an id.
  const noId = Object.values(skipped).filter((w) => w === scope.noId).length;
  assert.equal(noId, 4);
  assert.equal(ran + Object.keys(skipped).length, cases.run.length);
  assert.ok(ran >= 50, `${ran} cases ran`);
});

test('the CLI refuses GrowthBook fields it cannot honour, with the reason', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gb-'));
  try {
    const base = { key: 'k', variations: [0, 1] };
    for (const [extra, message] of [
      [{ hashAttribute: 'companyId' }, 'hashAttribute "companyId" is not supported'],
      [{ weights: [0.2, 0.2] }, 'weights sum to 0.4, not 1'],
      [{ filters: [{ seed: 's', ranges: [[0, 1]], attribute: 'anonId' }] }, 'filter attribute "anonId" is not supported'],
    ]) {
      const exp = { ...base, ...extra };
      let text = spec(exp);
      if (extra.hashAttribute) text = text.replace('surface = "payment"', `surface = "payment"\nhashAttribute = ${str(extra.hashAttribute)}`);
      if (extra.filters) text = text.replace('filters = [{ seed = "s", ranges = [[0.0, 1.0]] }]', 'filters = [{ seed = "s", ranges = [[0.0, 1.0]], attribute = "anonId" }]');
      const toml = join(dir, 'x.toml');
      await writeFile(toml, text);
      let stderr = '';
      try {
        execFileSync(CLI, ['build', toml, '-o', join(dir, 'x.cpm')], { stdio: 'pipe' });
      } catch (e) {
        stderr = String(e.stderr);
      }
      assert.match(stderr, new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), JSON.stringify(extra));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
