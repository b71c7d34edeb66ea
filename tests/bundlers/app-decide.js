// webpack 5 with the decision-only entry (`checkout-personalizer/decide`): its .wasm is found
// the same way, beside its own glue.
import init, { Personalizer } from 'checkout-personalizer/decide';
import { use } from './use.js';

await init();
use(Personalizer);
