// Every way the browser calls into the module (event listeners, timers, the mutation
// observer) goes through these wrappers: an exception never escapes into the page, and a
// trapped instance (a WebAssembly.RuntimeError) is reported to whoever listens (the
// package's Personalizer, which then starts a fresh instance). A listener left behind by a
// replaced instance is silent.
const TRAPPED = Symbol.for('checkout-personalizer.trapped');

export function report(e) {
  if (e instanceof WebAssembly.RuntimeError) {
    for (const f of globalThis[TRAPPED] || []) {
      try { f(e); } catch (_) { /* a listener's own problem */ }
    }
  }
  // Anything else (a closure of a replaced instance, an unexpected error) is dropped: it is
  // never the page's problem.
}

export function on(target, type, cb) {
  const f = (e) => { try { cb(e); } catch (err) { report(err); } };
  target.addEventListener(type, f);
  return () => target.removeEventListener(type, f);
}

export function after(ms, cb) {
  setTimeout(() => { try { cb(); } catch (err) { report(err); } }, ms);
}

export function observer(cb) {
  return new MutationObserver((records, o) => { try { cb(records, o); } catch (err) { report(err); } });
}
