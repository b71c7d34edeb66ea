// What a TypeScript storefront writes against the package's types (`tsc --strict`, run by
// ./build.sh test with ES2020 and ESNext libs, with and without skipLibCheck). Every
// `@ts-expect-error` line must fail to compile: the types are exact, not `any`.
import init, { Personalizer, Model } from 'checkout-personalizer';
import type { ModelInfo, Ranking, Status, TrackEvent, ExportedData } from 'checkout-personalizer';

export async function storefront(): Promise<void> {
  await init();
  const p = new Personalizer({ consent: 'pending', consentMode: { region: 'DE' }, decisionDeadlineMs: 120 });
  p.track({ type: 'add_to_cart', items: [{ item_id: 'sku-1', price: '31.10', quantity: 2 }] });
  p.track({ event: 'purchase', ecommerce: { transaction_id: 'T1', value: '42.50', tax: '3.60', currency: 'EUR', items: [{ item_id: 42 }] } });
  p.track({ type: 'add_to_cart', items: [{ item_name: 'Oat Milk 1L', price: '2.50' }] });
  p.track({ type: 'add_to_cart', items: [{ id: 'P12345', name: 'Tee', category: 'Apparel/T-Shirts', quantity: 2 }] });
  const info: ModelInfo = await p.loadModelFromUrl('/models/checkout.cpm', { integrity: 'sha256-abc', id: 'checkout' });
  const heads: string[] = info.heads.map((h) => h.name);
  const r: Ranking = p.rankPaymentMethods([{ id: 'card' }, 'paypal'], { country: 'DE' });
  const first: string | undefined = r.items[0]?.id;
  const s: Status = p.status();
  const dropped: number = s.dropped['items[].price'] ?? 0;
  const kept: ExportedData = p.exportData();
  const ids: string[] = kept.exportedIds;
  p.identify({ customer_id: 'C-42', traits: { loyaltyTier: 'gold', loggedIn: true } });
  p.chooseOffer([{ id: 'ten', percent: 10 }]);
  p.setCatalog([{ item_id: 'sku-1', price: '2.50', currency: 'EUR' }]);
  const sent = await p.exportEvents({ url: '/collect' });
  const batch: string | null = sent.batch;
  const erased: number = p.forget();
  const m = Model.fromBytes(new Uint8Array(0));
  m.predict('intent', new Float64Array(3));
  void [heads, first, dropped, ids, batch, erased];

  // @ts-expect-error: an item needs an item_id or an item_name
  p.track({ type: 'add_to_cart', items: [{ price: 2 }] });
  // @ts-expect-error: a misspelt field of the model's info
  void (await p.loadModelFromUrl('/m.cpm')).heds;
  // @ts-expect-error: customer_id, not customerId
  p.identify({ customerId: 42 });
  // @ts-expect-error: offers have an id (not ID) and a numeric percent
  p.chooseOffer([{ ID: 'x', percent: '10' }]);
  // @ts-expect-error: the collector's address is `url`
  void p.exportEvents({ uri: '/collect' });
  // @ts-expect-error: a catalogue is an array
  p.setCatalog('not an array');
  // @ts-expect-error: an event needs its type
  p.track({});
  // @ts-expect-error: an unknown event type
  p.track({ type: 'add_to_bag' });
  // @ts-expect-error: consent is one of three words
  new Personalizer({ consent: 'yes' });
  // @ts-expect-error: a misspelt option
  new Personalizer({ consnet: 'granted' });
  const e: TrackEvent = { type: 'page_view' };
  p.track(e);
}
