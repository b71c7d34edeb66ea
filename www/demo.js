// The demo store: every shopper action goes through Personalizer.track(), and the panel on
// the right shows the live profile and where events are kept.
import init, { Personalizer } from './pkg/checkout_personalizer.js';

const PRODUCTS = [
  { item_id: 'whole-milk', item_name: 'Whole milk', item_category: 'dairy', price: 1.19 },
  { item_id: 'yogurt', item_name: 'Yogurt', item_category: 'dairy', price: 0.89 },
  { item_id: 'rolls', item_name: 'Rolls/buns', item_category: 'bakery', price: 2.49 },
  { item_id: 'coffee', item_name: 'Coffee', item_category: 'beverages', price: 6.99 },
  { item_id: 'tropical-fruit', item_name: 'Tropical fruit', item_category: 'fruit', price: 3.49 },
  { item_id: 'soda', item_name: 'Soda', item_category: 'beverages', price: 1.29 },
];

await init();
const consent = localStorage.getItem('demo-consent') ?? 'pending';
const p = new Personalizer({ namespace: 'demo', consent, flushDelayMs: 250 });
const $ = (id) => document.getElementById(id);
const text = (tag, s) => Object.assign(document.createElement(tag), { textContent: s });

function safeTrack(event) {
  try { p.track(event); } catch (e) { console.warn(e.message); }
}

function render() {
  const profile = p.profile();
  const status = p.status();
  $('profile').textContent = JSON.stringify(profile, null, 2);
  $('status').textContent = `consent: ${status.consent} · storage: ${status.storage}` +
    (status.memoryReason ? ` (${status.memoryReason.reason})` : '') +
    ` · ${status.events} events, ${status.bytes} chars`;
  $('cart').replaceChildren(...profile.cart.items.map((l) => {
    const li = text('li', `${l.quantity} × ${PRODUCTS.find((x) => x.item_id === l.id)?.item_name ?? l.id} `);
    const rm = text('button', 'remove');
    rm.onclick = () => { safeTrack({ type: 'remove_from_cart', currency: 'EUR', items: [{ item_id: l.id, price: l.price ?? undefined }] }); render(); };
    li.append(rm);
    return li;
  }));
  $('total').textContent = profile.cart.value.toFixed(2);
}

$('products').replaceChildren(...PRODUCTS.map((item) => {
  const li = document.createElement('li');
  li.append(text('strong', item.item_name), document.createElement('br'), text('span', `${item.price.toFixed(2)} EUR `));
  const add = text('button', 'Add');
  add.onclick = () => { safeTrack({ type: 'add_to_cart', currency: 'EUR', items: [item] }); render(); };
  li.onmouseenter = () => { safeTrack({ type: 'view_item', items: [item] }); };
  li.append(add);
  return li;
}));

$('payment-methods').addEventListener('change', (e) => {
  safeTrack({ type: 'select_payment_method', payment_type: e.target.value });
  render();
});
$('checkout').addEventListener('submit', (e) => {
  e.preventDefault();
  const profile = p.profile();
  if (!profile.cart.items.length) { $('message').textContent = 'Your cart is empty.'; return; }
  const pay = new FormData(e.target).get('pay') ?? undefined;
  safeTrack({ type: 'purchase', currency: 'EUR', value: profile.cart.value, payment_type: pay });
  $('message').textContent = 'Thank you for your order!';
  render();
});
document.querySelectorAll('[data-consent]').forEach((b) => b.addEventListener('click', () => {
  p.setConsent(b.dataset.consent);
  localStorage.removeItem('demo-consent');
  if (b.dataset.consent === 'granted') localStorage.setItem('demo-consent', 'granted');
  render();
}));
$('forget').addEventListener('click', () => { p.forget(); render(); });

safeTrack({ type: 'begin_checkout' });
render();
setInterval(render, 2000);
