// checkout-personalizer boot module, loaded by the tag-manager snippet (snippet.html).
// Reads window.checkoutPersonalizer (a command queue with a .config), starts the module,
// follows Google Consent Mode v2, replays queued commands in order, then takes new ones.
// Any failure leaves the page exactly as it was: nothing here throws into the page.

const w = window;
const queue = w.checkoutPersonalizer || [];
const cfg = queue.config || {};
const warn = (msg, e) => console.warn(`checkout-personalizer: ${msg}`, e?.message ?? e ?? '');

function run(p, cmd) {
  try {
    if (typeof cmd === 'function') cmd(p);
    else if (Array.isArray(cmd) && typeof p[cmd[0]] === 'function') {
      const r = p[cmd[0]](...cmd.slice(1));
      if (r && typeof r.catch === 'function') r.catch((e) => warn(`${cmd[0]} failed`, e));
    } else warn('unknown command', cmd);
  } catch (e) {
    warn('command failed', e);
  }
}

try {
  // The wasm download starts now, in parallel with the JS glue's, instead of after it: on a
  // returning visit that saves one cached request's latency from the critical path.
  // config.wasm may name the .wasm elsewhere (a URL) or hand over a compiled module.
  const src = cfg.wasm ?? new URL('./checkout_personalizer_bg.wasm', import.meta.url);
  const wasm = Promise.resolve(typeof src === 'string' || src instanceof URL ? fetch(src) : src);
  wasm.catch(() => {}); // if the glue fails first, init() never sees it: no unhandled rejection
  const { default: init, Personalizer } = await import('./index.js');
  await init({ module_or_path: wasm });
  // Google Consent Mode (gtag's consent commands in the dataLayer) decides storage, with
  // cfg.consent when the page's commands say nothing; the module follows later updates.
  const p = new Personalizer({
    consentMode: cfg.region ? { region: cfg.region } : true,
    ...(cfg.deadline ? { decisionDeadlineMs: cfg.deadline } : {}),
    ...(cfg.options || {}),
    consent: cfg.consent ?? 'pending',
  });
  if (cfg.model) {
    // The cached bundle decides at once; a download that arrives later is used from the
    // next change the shopper makes (the page never moves under them).
    p.loadModelFromUrl(cfg.model, cfg.integrity ? { integrity: cfg.integrity } : undefined)
      .catch((e) => warn('model not loaded; the page keeps its order', e));
  }
  if (cfg.attach !== false) p.attach();
  for (const cmd of Array.from(queue)) run(p, cmd);
  w.checkoutPersonalizer = { push: (...cmds) => cmds.forEach((c) => run(p, c)), config: cfg, personalizer: p, ready: true };
} catch (e) {
  warn('not started; the page is unchanged', e);
  if (w.checkoutPersonalizer) w.checkoutPersonalizer.failed = true;
}
