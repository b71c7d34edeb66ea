// What a storefront's code does with the package once loaded (shared by every recipe).
export function use(Personalizer) {
  const p = new Personalizer({ consent: 'granted', storage: 'memory' });
  p.track({ event: 'add_to_cart', ecommerce: { currency: 'EUR', items: [{ item_id: 'sku-1', price: '2.50', quantity: '2' }] } });
  const ranked = p.rankPaymentMethods(['card', 'paypal', 'klarna']);
  window.result = { cart: p.profile().cart.value, ranked: ranked.items.map((i) => i.id), attach: typeof p.attach };
}
