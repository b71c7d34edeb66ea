// esbuild: it does not follow new URL(..., import.meta.url), so the page imports the .wasm
// with the file loader (--loader:.wasm=file) and hands its URL to init().
import init, { Personalizer } from 'checkout-personalizer';
import wasmUrl from 'checkout-personalizer/checkout_personalizer_bg.wasm';
import { use } from './use.js';

await init({ module_or_path: wasmUrl });
use(Personalizer);
