// Vite and webpack 5: the module finds its .wasm by itself (new URL(..., import.meta.url),
// which both bundlers turn into an emitted asset).
import init, { Personalizer } from 'checkout-personalizer';
import { use } from './use.js';

await init();
use(Personalizer);
