// checkout-personalizer boot module, loaded by the tag-manager snippet (www/snippet.html).
// Reads window.checkoutPersonalizer (a command queue with a .config), starts the module,
// follows Google Consent Mode v2, replays queued commands in order, then takes new ones.
// Any failure leaves the page exactly as it was: nothing here throws into the page.

const w = window;
const queue = w.checkoutPersonalizer || [];
const cfg = queue.config || {};
const warn = (msg, e) => console.warn(`checkout-personalizer: ${msg}`, e?.message ?? e ?? '');

// Google Consent Mode v2: gtag('consent', 'default' | 'update', {...}) lands in dataLayer
// as an arguments object. personalization_storage decides; analytics_storage if it is absent.
function consentOf(entry) {
  if (!entry || typeof entry !== 'object' || entry[0] !== 'consent' || typeof entry[2] !== 'object') return null;
  const v = entry[2].personalization_storage ?? entry[2].analytics_storage;
  return v === 'granted' ? 'granted' : v === 'denied' ? 'denied' : null;
}

function consentFromDataLayer() {
  let state = null;
  for (const entry of w.dataLayer || []) state = consentOf(entry) ?? state;
  return state;
}

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
  const src = cfg.wasm ?? new URL('./pkg/checkout_personalizer_bg.wasm', import.meta.url);
  const wasm = Promise.resolve(typeof src === 'string' || src instanceof URL ? fetch(src) : src);
  wasm.catch(() => {}); // if the glue fails first, init() never sees it: no unhandled rejection
  const { default: init, Personalizer } = await import('./pkg/checkout_personalizer.js');
  await init({ module_or_path: wasm });
  const consent = consentFromDataLayer() ?? cfg.consent ?? 'pending';
  const p = new Personalizer({ ...(cfg.options || {}), consent });
  if (cfg.model) {
    p.loadModelFromUrl(cfg.model, cfg.integrity ? { integrity: cfg.integrity } : undefined)
      .then(() => p.apply())
      .catch((e) => warn('model not loaded; the page keeps its order', e));
  }
  if (cfg.attach !== false) p.attach();
  // Consent updates mid-session.
  const dl = (w.dataLayer = w.dataLayer || []);
  const push = dl.push;
  dl.push = function () {
    const r = push.apply(this, arguments);
    for (const a of arguments) {
      const c = consentOf(a);
      if (c) { try { p.setConsent(c); } catch (e) { warn('consent update failed', e); } }
    }
    return r;
  };
  for (const cmd of Array.from(queue)) run(p, cmd);
  w.checkoutPersonalizer = { push: (...cmds) => cmds.forEach((c) => run(p, c)), config: cfg, personalizer: p, ready: true };
} catch (e) {
  warn('not started; the page is unchanged', e);
  if (w.checkoutPersonalizer) w.checkoutPersonalizer.failed = true;
}
