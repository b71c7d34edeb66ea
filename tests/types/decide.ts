// What a storefront writes against the decision-only entry (`checkout-personalizer/decide`):
// the same types for what it keeps; what it leaves out does not compile.
import init, { Personalizer } from 'checkout-personalizer/decide';
import type { Ranking, Status } from 'checkout-personalizer/decide';
// @ts-expect-error: no Model class in this build
import { Model } from 'checkout-personalizer/decide';

export async function decideOnly(bytes: Uint8Array): Promise<void> {
  await init();
  const p = new Personalizer({ consent: 'granted' });
  p.track({ type: 'add_to_cart', items: [{ item_id: 'sku-1', price: '31.10', quantity: 2 }] });
  p.loadModel(bytes);
  const r: Ranking = p.rankPaymentMethods([{ id: 'card' }, 'paypal'], { country: 'DE' });
  const s: Ranking = p.rankShippingOptions([{ id: 'standard' }]);
  const x: Ranking = p.rankCrossSells({ limit: 3 });
  const st: Status = p.status();
  const erased: number = p.forget();
  void [r, s, x, st, erased, p.segments(), p.assignment('checkout')];

  // @ts-expect-error: no DOM wiring in this build
  p.attach();
  // @ts-expect-error: no model downloads in this build
  p.loadModelFromUrl('/models/checkout.cpm');
  // @ts-expect-error: no offers in this build
  p.chooseOffer([{ id: 'ten', percent: 10 }]);
}

void Model;
