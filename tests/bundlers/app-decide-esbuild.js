// esbuild with the decision-only entry: the page imports that build's .wasm with the file
// loader, as for the full build.
import init, { Personalizer } from 'checkout-personalizer/decide';
import wasmUrl from 'checkout-personalizer/decide/checkout_personalizer_bg.wasm';
import { use } from './use.js';

await init({ module_or_path: wasmUrl });
use(Personalizer);
