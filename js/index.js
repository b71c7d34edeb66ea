// checkout-personalizer: the package's entry point.
//
// The same API as the module's own classes, with one addition: a `Personalizer` that
// survives a trapped WebAssembly instance. Should the module ever trap (a bug: no input is
// meant to reach one), the page keeps working: the instance is dropped, a fresh one starts
// from storage, and what the page told the old one since (consent, context, identify, the
// model, the DOM wiring, and every event it tracked, with its time) is replayed into it.
// Events already stored are not tracked twice. Model objects made before a trap are gone
// with it: make them again (Model.fromBytes).
import init, * as wasm from './checkout_personalizer.js';

export default init;
export { initSync, Model, Scorer } from './checkout_personalizer.js';

const TRAPPED = Symbol.for('checkout-personalizer.trapped');
/** Every Personalizer of the page: one module instance serves them all. */
const live = new Set();
let recovering = false;

function recover() {
  if (recovering) return;
  recovering = true;
  try {
    wasm.__wbg_reset_state(); // a fresh instance of the same compiled module
    for (const p of live) p.__rebuild();
  } finally {
    recovering = false;
  }
}
(globalThis[TRAPPED] ||= []).push(recover);

const trapped = (e) => e instanceof WebAssembly.RuntimeError;
/** Calls that change what a fresh instance must know; the latest of each is replayed
 *  (identify: each, as it merges). */
const LATEST = new Set(['setConsent', 'setContext', 'loadModel', 'loadModelFromUrl',
  'loadSignedModel', 'useModel', 'setCatalog', 'exportOnPageHide', 'attach', 'detach']);
const KEEP_EVENTS = 1000;

export class Personalizer {
  #options;
  #inner;
  /** [method, args] to replay, in order. */
  #calls = [];
  /** Events tracked through this object, with their time. */
  #events = [];

  constructor(options) {
    this.#options = options == null ? options : { ...options };
    this.#inner = new wasm.Personalizer(this.#options);
    live.add(this);
  }

  #now() {
    const clock = this.#options?.now;
    const t = typeof clock === 'function' ? clock() : undefined;
    return Number.isFinite(t) ? t : Date.now();
  }

  #remember(name, args) {
    const slot = name === 'detach' ? 'attach' : name;
    if (LATEST.has(name)) this.#calls = this.#calls.filter(([n]) => (n === 'detach' ? 'attach' : n) !== slot);
    this.#calls.push([name, args]);
    if (this.#calls.length > 100) this.#calls.shift();
  }

  #call(name, args, replayable) {
    if (replayable) this.#remember(name, args);
    let r;
    try {
      r = this.#inner[name](...args);
    } catch (e) {
      if (!trapped(e)) throw e;
      recover();
      // A remembered call was replayed into the fresh instance; a read runs again.
      return replayable ? undefined : this.#inner[name](...args);
    }
    if (r && typeof r.then === 'function') {
      return r.catch((e) => {
        if (trapped(e)) recover();
        throw e;
      });
    }
    return r;
  }

  /** Starts a fresh instance after a trap (called by the recovery, not by pages). */
  __rebuild() {
    const options = this.#options == null ? {} : { ...this.#options };
    const consent = this.#calls.findLast(([n]) => n === 'setConsent');
    if (consent) options.consent = consent[1][0];
    this.#inner = new wasm.Personalizer(options);
    for (const [name, args] of this.#calls) {
      if (name === 'setConsent') continue;
      try {
        this.#inner[name](...args)?.catch?.(() => {});
      } catch (_) { /* what the old instance accepted, the new one may refuse: skip it */ }
    }
    // In batches the module's reading bounds allow (500 entries a list).
    const replay = (events) => {
      for (let i = 0; i < events.length; i += 200) {
        try { this.#inner.__replay(events.slice(i, i + 200)); } catch (_) { /* skip */ }
      }
    };
    replay(this.#events);
    // dataLayer events the old instance took in, with the time it tracked them at.
    const hub = globalThis.window?.dataLayer?.__checkoutPersonalizer;
    const recent = hub?.recent?.[`${options.namespace ?? 'cp'}:ecommerce`];
    // A gtag('event', name, params) command was kept as its array: the time goes in params.
    if (recent?.length) replay(recent.map(([ts, e]) => (Array.isArray(e) ? [e[0], e[1], { ...e[2], ts }] : { ...e, ts })));
  }

  track(event) {
    if (event && typeof event === 'object' && !Array.isArray(event) && event.ts == null) {
      event = { ...event, ts: this.#now() };
    }
    this.#events.push(event);
    if (this.#events.length > KEEP_EVENTS) this.#events.shift();
    try {
      return this.#inner.track(event);
    } catch (e) {
      if (!trapped(e)) {
        this.#events.pop(); // refused: nothing to replay
        throw e;
      }
      recover(); // the event is replayed into the fresh instance
    }
  }

  profile() { return this.#call('profile', [], false); }
  status() { return this.#call('status', [], false); }
  flush() { return this.#call('flush', [], false); }
  setConsent(state) { return this.#call('setConsent', [state], true); }
  forget() {
    this.#events = [];
    this.#calls = this.#calls.filter(([n]) => n !== 'identify');
    return this.#call('forget', [], false);
  }
  exportData() { return this.#call('exportData', [], false); }
  loadModel(bytes) { return this.#call('loadModel', [bytes], true); }
  loadModelFromUrl(url, options) { return this.#call('loadModelFromUrl', [url, options], true); }
  loadSignedModel(bytes, options) { return this.#call('loadSignedModel', [bytes, options], true); }
  useModel(model) { return this.#call('useModel', [model], true); }
  exportEvents(options) { return this.#call('exportEvents', [options], false); }
  exportOnPageHide(url) { return this.#call('exportOnPageHide', [url], true); }
  attach(options) { return this.#call('attach', [options], true); }
  detach() { return this.#call('detach', [], true); }
  apply() { return this.#call('apply', [], false); }
  setCatalog(items) { return this.#call('setCatalog', [items], true); }
  rankPaymentMethods(methods, context) { return this.#call('rankPaymentMethods', [methods, context], false); }
  rankShippingOptions(options, context) { return this.#call('rankShippingOptions', [options, context], false); }
  rankCrossSells(request) { return this.#call('rankCrossSells', [request], false); }
  chooseOffer(offers) { return this.#call('chooseOffer', [offers], false); }
  chooseMessages(slots) { return this.#call('chooseMessages', [slots], false); }
  identify(who) { return this.#call('identify', [who], true); }
  segments() { return this.#call('segments', [], false); }
  assignment(key) { return this.#call('assignment', [key], false); }
  setContext(context) { return this.#call('setContext', [context], true); }

  /** Frees the instance (its listeners stop). */
  free() {
    live.delete(this);
    this.#inner.free();
  }

  /** For tests of the recovery: makes the module trap, as a bug would. */
  __trapForTests() {
    try {
      this.#inner.__trapForTests();
    } catch (e) {
      if (!trapped(e)) throw e;
      recover();
    }
  }
}

if (Symbol.dispose) Personalizer.prototype[Symbol.dispose] = Personalizer.prototype.free;

// A smaller build (`checkout-personalizer/decide`) leaves surfaces out: so does this class,
// so that `typeof p.attach` tells a page what it has.
for (const name of Object.getOwnPropertyNames(Personalizer.prototype)) {
  if (name !== 'constructor' && name !== '__rebuild' && !(name in wasm.Personalizer.prototype)) {
    delete Personalizer.prototype[name];
  }
}
