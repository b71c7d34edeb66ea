// The JS half of the tape (src/tape.rs): values cross the wasm boundary as one byte
// buffer instead of one call per field. Layout: a 16-byte header (u32 counts of ops,
// numbers, strings, and the text's byte length), f64 numbers, u32 string lengths in
// UTF-16 units, u8 ops, then the UTF-8 text of all strings end to end.
// Ops: 0 null, 1 true, 2 false, 3 number, 4 string, 5 list, 6 map, 7 end; a map entry is
// its key (the next string) and then its value. A key's length word with bit 30 set
// joins the key table; with bit 31 set it is entry (word & 0x7fffffff) of that table.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function malformed() {
  return new Error('personalizer: malformed result');
}

// A tape written by the module -> the JS value.
export function decodeTape(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nOps = dv.getUint32(0, true);
  const nNums = dv.getUint32(4, true);
  const nLens = dv.getUint32(8, true);
  const lensAt = 16 + nNums * 8;
  const opsAt = lensAt + nLens * 4;
  const textAt = opsAt + nOps;
  const text = decoder.decode(bytes.subarray(textAt));
  let op = opsAt;
  let num = 16;
  let len = lensAt;
  let pos = 0;
  const keys = [];
  const str = () => {
    if (len >= opsAt) throw malformed();
    const n = dv.getUint32(len, true);
    len += 4;
    if (n >= 0x80000000) {
      const k = keys[n - 0x80000000];
      if (k === undefined) throw malformed();
      return k;
    }
    const units = n & 0x3fffffff;
    const s = text.slice(pos, pos + units);
    pos += units;
    if (n & 0x40000000) keys.push(s);
    return s;
  };
  const value = () => {
    if (op >= textAt) throw malformed();
    switch (bytes[op++]) {
      case 0: return null;
      case 1: return true;
      case 2: return false;
      case 3: {
        if (num >= lensAt) throw malformed();
        const n = dv.getFloat64(num, true);
        num += 8;
        return n;
      }
      case 4: return str();
      case 5: {
        const a = [];
        while (bytes[op] !== 7) a.push(value());
        op++;
        return a;
      }
      case 6: {
        const o = {};
        while (bytes[op] !== 7) {
          const k = str();
          const v = value();
          // An own property, never the prototype.
          if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
          else o[k] = v;
        }
        op++;
        return o;
      }
      default: throw malformed();
    }
  };
  return value();
}

let scratch = new Uint8Array(1024);
let scratchView = new DataView(scratch.buffer);

// The page's value -> a tape, with the module's limits. Throws (with the module's
// wording) on values it cannot carry: too deep, too many entries, functions, symbols,
// bigints, or a getter that throws.
// `maxString` (bytes of UTF-8) is only read when `lenient`: then whatever breaks a limit
// (a function such as GTM's `eventCallback`, a symbol or bigint, a getter that throws, a
// string too long, an object at the deepest level, whose entries would be too deep) becomes
// null, and long lists and objects keep their first `maxEntries` entries, so a page's
// dataLayer entry loses that part, never the rest. Otherwise it is an error.
export function encodeTape(input, maxDepth, maxEntries, lenient, maxString) {
  const ops = [];
  const nums = [];
  const lens = [];
  let text = '';
  const str = (s) => {
    lens.push(s.length);
    text += s;
  };
  // UTF-8 bytes exceed units only past a third of the limit: only then count them.
  const tooLong = (s) => s.length > maxString || (s.length * 3 > maxString && encoder.encode(s).length > maxString);
  const walk = (v, depth) => {
    if (depth > maxDepth) throw new Error(`nested deeper than ${maxDepth} levels`);
    if (v === null || v === undefined) {
      ops.push(0);
      return;
    }
    switch (typeof v) {
      case 'boolean': ops.push(v ? 1 : 2); return;
      case 'number': ops.push(3); nums.push(v); return;
      case 'string':
        if (lenient && tooLong(v)) ops.push(0);
        else { ops.push(4); str(v); }
        return;
      case 'object':
        // Its entries would be deeper than the module reads.
        if (lenient && depth >= maxDepth) { ops.push(0); return; }
        break;
      default:
        if (lenient) { ops.push(0); return; }
        throw new Error('unsupported value (a function, symbol or bigint)');
    }
    if (Array.isArray(v)) {
      if (v.length > maxEntries && !lenient) throw new Error(`more than ${maxEntries} entries`);
      ops.push(5);
      for (let i = 0; i < Math.min(v.length, maxEntries); i++) walk(v[i], depth + 1);
      ops.push(7);
      return;
    }
    let keys = Object.keys(v);
    if (keys.length > maxEntries) {
      if (!lenient) throw new Error(`more than ${maxEntries} entries`);
      keys = keys.slice(0, maxEntries);
    }
    ops.push(6);
    for (const k of keys) {
      if (lenient && tooLong(k)) continue;
      let x;
      try {
        x = v[k];
      } catch {
        if (!lenient) throw new Error(`reading "${k}" threw`);
        x = null;
      }
      str(k);
      walk(x, depth + 1);
    }
    ops.push(7);
  };
  walk(input, 0);
  // The text is encoded straight into the tape (at most 3 bytes per UTF-16 unit). The tape
  // is written into one buffer kept between calls: the module copies it out before this
  // function is called again.
  const textAt = 16 + nums.length * 8 + lens.length * 4 + ops.length;
  const need = textAt + text.length * 3;
  if (scratch.length < need) {
    scratch = new Uint8Array(Math.max(need, 2 * scratch.length));
    scratchView = new DataView(scratch.buffer);
  }
  const out = scratch;
  const { written } = encoder.encodeInto(text, out.subarray(textAt, need));
  const dv = scratchView;
  dv.setUint32(0, ops.length, true);
  dv.setUint32(4, nums.length, true);
  dv.setUint32(8, lens.length, true);
  dv.setUint32(12, written, true);
  let p = 16;
  for (const n of nums) { dv.setFloat64(p, n, true); p += 8; }
  for (const l of lens) { dv.setUint32(p, l, true); p += 4; }
  out.set(ops, p);
  return out.subarray(0, textAt + written);
}

// Copies a feature vector for Model.predict* into `out` (the module's buffer, as long as
// the head has features): a Float64Array, or an array of numbers (null / undefined: NaN).
// False when `v` is neither or has another length: the module then says what is wrong.
// One call instead of one per entry.
export function fillFeatures(v, out) {
  if (v instanceof Float64Array) {
    if (v.length !== out.length) return false;
    out.set(v);
    return true;
  }
  if (!Array.isArray(v) || v.length !== out.length) return false;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x === 'number') out[i] = x;
    else if (x === null || x === undefined) out[i] = NaN;
    else return false;
  }
  return true;
}
