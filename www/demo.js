// The demo store. The module does the work: attach() reorders the payment methods and fills
// the cross-sell slot, [data-track] buttons are tracked automatically; this file renders the
// products, the cart and the "why" panel, and stands in for a consent banner.
import init, { Personalizer } from './pkg/index.js';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const text = (tag, s, cls) => Object.assign(document.createElement(tag), { textContent: s, className: cls ?? '' });
const catalog = JSON.parse(document.querySelector('script[data-personalize="catalog"]').textContent);
const byId = new Map(catalog.map((p) => [p.item_id, p]));
// The incentives this store may offer; the bundle decides which (if any) a shopper sees.
const OFFERS = [{ id: 'first_order_10', type: 'discount', percent: 10 }, { id: 'free_shipping', type: 'shipping', cost: 4.9 }];

await init();

// A stand-in consent banner: remembered only once granted (nothing stored otherwise).
const consent = params.get('consent') ?? (localStorage.getItem('demo-consent') === 'granted' ? 'granted' : 'pending');
const context = {};
if (params.get('country')) context.country = params.get('country');
if (params.get('device')) [context.device, context.os] = params.get('device').split('/');
// ?deadline=ms sets decisionDeadlineMs (how long after navigation the first decision may
// still reorder the lists; past it the page keeps its own order for this page view).
const deadline = params.get('deadline');
const p = new Personalizer({
  namespace: 'demo', consent, context, flushDelayMs: 200,
  ...(deadline ? { decisionDeadlineMs: Number(deadline) } : {}),
});
window.personalizer = p; // for the console (and the end-to-end tests)

// The model: the cached copy decides at once; the download refreshes it.
const modelUrl = params.get('model') ?? 'models/demo.cpm';
let modelNote = '';
p.loadModelFromUrl(modelUrl)
  .then((info) => { modelNote = `model ${info.id}@${info.version}: ${info.heads.map((h) => `${h.name} (${h.kind})`).join(', ')}`; render(); })
  .catch((e) => { modelNote = `model not loaded (${e.message}); the page keeps its own order`; render(); });
p.attach();

$('products').replaceChildren(...catalog.map((item) => {
  const li = document.createElement('li');
  li.id = item.item_id;
  const add = text('button', 'Add to cart');
  Object.assign(add.dataset, { track: 'add_to_cart', itemId: item.item_id, itemName: item.item_name, itemCategory: item.item_category, itemPrice: item.price, currency: 'EUR' });
  li.append(text('strong', item.item_name), text('small', item.item_category), text('span', `${item.price.toFixed(2)} EUR`), add);
  li.addEventListener('mouseenter', () => { try { p.track({ type: 'view_item', items: [{ item_id: item.item_id, item_category: item.item_category }] }); } catch (e) { console.warn(e.message); } }, { once: true });
  return li;
}));

function render() {
  const profile = p.profile();
  const status = p.status();
  $('status').textContent = `consent ${status.consent} · storage ${status.storage}` +
    (status.memoryReason ? ` (${status.memoryReason.reason})` : '') + ` · ${status.events} events`;
  $('model-status').textContent = modelNote;
  $('cart').replaceChildren(...profile.cart.items.map((l) => {
    const li = text('li', `${l.quantity} × ${byId.get(l.id)?.item_name ?? l.id} `);
    const rm = text('button', 'remove');
    Object.assign(rm.dataset, { track: 'remove_from_cart', itemId: l.id });
    li.append(rm);
    return li;
  }));
  $('total').textContent = profile.cart.value.toFixed(2);
  $('segments').textContent = p.segments().join(', ') || 'none';
  const a = p.assignment('checkout-personalisation');
  $('experiment').textContent = a ? `${a.experiment} → ${a.arm}` : 'none';
  const pay = p.rankPaymentMethods([...document.querySelectorAll('[data-payment-method]')]
    .map((e) => ({ id: e.dataset.paymentMethod, type: e.dataset.paymentType })));
  $('payment-reasons').replaceChildren(...pay.items.map((r) => text('li', `${r.id}${r.eligible ? '' : ' (not eligible)'} — ${explain(r)}`)));
  const ship = p.rankShippingOptions([...document.querySelectorAll('[data-shipping-option]')].map((e) => ({ id: e.dataset.shippingOption })));
  $('shipping-reasons').replaceChildren(...ship.items.map((r) => text('li', `${r.id}${r.eligible ? '' : ' (not offered here)'} — ${explain(r)}`)));
  const offer = p.chooseOffer(OFFERS);
  const label = offer.reasons.find((x) => x.label)?.label;
  $('offer').textContent = offer.offer ? (label ?? offer.offer) : '';
  $('offer').dataset.offer = offer.offer ?? '';
  $('offer-why').textContent = offer.offer
    ? `${offer.offer} (${offer.reason}; P(buy) ${(offer.probability?.without * 100).toFixed(0)}% → ${(offer.probability?.with * 100).toFixed(0)}%)`
    : `none (${offer.reason})`;
  const cross = p.rankCrossSells({ limit: 4, candidates: catalog.map((c) => c.item_id) });
  $('cross-reasons').replaceChildren(...cross.items.map((r) => text('li', `${byId.get(r.id)?.item_name ?? r.id} — ${explain(r)}`)));
  $('profile').textContent = JSON.stringify(profile, null, 2);
}

// The reasons the bundle gives (each label once), as the merchant's "why" panel shows them.
function explain(r) {
  if (!r.reasons.length) return 'page order';
  return r.reasons.map((x) => {
    switch (x.kind) {
      case 'feature': return x.label ? `${x.label} ${x.contribution >= 0 ? '+' : ''}${x.contribution.toFixed(2)}` : null;
      case 'rule': return x.label ? `${x.label} (${x.action})` : `rule ${x.rule}: ${x.action}`;
      case 'boughtWith': return `bought with ${x.items.map((i) => byId.get(i)?.item_name ?? i).join(' and ')}`;
      case 'categoryAffinity': return `you looked at ${x.category}`;
      default: return 'popular';
    }
  }).filter(Boolean).join('; ') || 'page order';
}

document.querySelectorAll('[data-consent]').forEach((b) => b.addEventListener('click', () => {
  p.setConsent(b.dataset.consent);
  if (b.dataset.consent === 'granted') localStorage.setItem('demo-consent', 'granted');
  else localStorage.removeItem('demo-consent');
  render();
}));
function setParam(k, v) {
  if (v) params.set(k, v); else params.delete(k);
  history.replaceState(null, '', `?${params}`);
}
$('country').value = params.get('country') ?? '';
$('device').value = params.get('device') ?? '';
function applyContext() {
  const country = $('country').value || undefined;
  const [device, os] = $('device').value ? $('device').value.split('/') : [];
  setParam('country', country);
  setParam('device', $('device').value);
  p.setContext({ country, device, os });
  p.apply();
  render();
}
$('country').addEventListener('change', applyContext);
$('device').addEventListener('change', applyContext);
$('gold').addEventListener('click', () => {
  p.identify({ customer_id: 'demo-customer-42', traits: { loggedIn: true, loyaltyTier: 'gold', name: 'dropped, never kept' } });
  p.apply();
  render();
});
$('forget').addEventListener('click', () => { p.forget(); localStorage.removeItem('demo-consent'); render(); });
$('checkout').addEventListener('submit', (e) => {
  e.preventDefault();
  const profile = p.profile();
  if (!profile.cart.items.length) { $('message').textContent = 'Your cart is empty.'; return; }
  const pay = new FormData(e.target).get('pay');
  const ship = document.querySelector('input[name="ship"]:checked')?.value;
  if (!pay) { $('message').textContent = 'Please choose how to pay.'; return; }
  p.track({ type: 'purchase', currency: 'EUR', value: profile.cart.value, payment_type: pay, shipping_tier: ship });
  $('message').textContent = `Thank you! Paid ${profile.cart.value.toFixed(2)} EUR with ${pay}.`;
  render();
});
document.addEventListener('click', () => setTimeout(render, 60));
try { p.track({ type: 'begin_checkout' }); } catch (e) { console.warn(e.message); }
render();
