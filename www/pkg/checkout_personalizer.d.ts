/* tslint:disable */
/* eslint-disable */

/** Whether the shopper agreed to storage. Until 'granted', nothing is read from or written to storage. */
export type ConsentState = 'granted' | 'denied' | 'pending';

export interface PersonalizerOptions {
    /** Prefix of every storage key (default 'cp'). Letters, digits, '_' and '-'. */
    namespace?: string;
    /** Default 'pending': events are kept in memory only until setConsent('granted'). */
    consent?: ConsentState;
    /** 'local' (default) uses localStorage and falls back to memory; 'memory' never persists. */
    storage?: 'local' | 'memory';
    /** The clock, in ms since the epoch (default Date.now). */
    now?: () => number;
    /** Journal bounds: the oldest events are evicted first (defaults 1000 events, 262144 chars). */
    maxEvents?: number;
    maxBytes?: number;
    /** Events older than this are dropped and never used (default 30). */
    retentionDays?: number;
    /** Inactivity that ends a session (default 30). */
    sessionTimeoutMinutes?: number;
    /** Half-life of in-session intent (default 5) and of historic interest (default 30 days). */
    intentHalfLifeMinutes?: number;
    historyHalfLifeDays?: number;
    /** Delay of the batched write after track() (default 1000; 0 writes on the next tick). */
    flushDelayMs?: number;
}

export type EventType =
| 'page_view' | 'view_item' | 'view_item_list' | 'select_item' | 'add_to_cart'
| 'remove_from_cart' | 'view_cart' | 'begin_checkout' | 'add_shipping_info'
| 'add_payment_info' | 'purchase' | 'select_payment_method';

export interface TrackItem {
    item_id: string | number;
    item_name?: string;
    item_category?: string;
    item_brand?: string;
    price?: number;
    /** Whole number from 1 to 10000 (default 1). */
    quantity?: number;
}

/** A GA4 ecommerce event. Unknown fields are dropped; a GA4 dataLayer object
 *  `{ event: 'add_to_cart', ecommerce: { ... } }` is accepted as it is. */
export interface TrackEvent {
    type?: EventType;
    event?: EventType;
    ecommerce?: Omit<TrackEvent, 'type' | 'event' | 'ecommerce'>;
    /** ms since the epoch (default now). */
    ts?: number;
    items?: TrackItem[];
    value?: number;
    /** ISO 4217, e.g. 'EUR'. */
    currency?: string;
    payment_type?: string;
    shipping_tier?: string;
    coupon?: string;
}

export type FunnelStage =
| 'none' | 'browsing' | 'viewed_item' | 'cart' | 'checkout' | 'shipping' | 'payment' | 'purchased';

export interface InterestEntry { id: string; session: number; history: number; }
export interface CartLine { id: string; quantity: number; price: number | null; category: string | null; }
export interface Usage { counts: Record<string, number>; last: string | null; session?: string; }

export interface PageContext {
    device: 'mobile' | 'tablet' | 'desktop' | 'bot' | 'unknown';
    os: 'ios' | 'android' | 'windows' | 'macos' | 'linux' | 'chromeos' | 'other';
    locale: string | null;
    language: string | null;
    /** ISO 3166-1 alpha-2 guess, from the locale's region or else the time zone. */
    country: string | null;
    timeZone: string | null;
    localHour: number;
    /** 0 = Monday … 6 = Sunday. */
    weekday: number;
    trafficSource: 'direct' | 'internal' | 'search' | 'social' | 'email' | 'paid' | 'referral';
}

export interface Profile {
    events: number;
    sessions: number;
    session: { number: number; active: boolean; startedAt: number | null; lastEventAt: number | null; events: number; stage: FunnelStage };
    interest: { items: InterestEntry[]; categories: InterestEntry[] };
    cart: { items: CartLine[]; quantity: number; value: number; currency: string | null };
    orders: { total: number; last30Days: number; last90Days: number; averageValue: number | null; daysSinceLast: number | null; lastAt: number | null };
    payment: Usage;
    shipping: Usage;
    funnel: { stage: FunnelStage; abandonments: number };
    context: PageContext | null;
}

export type MemoryReason =
| { reason: 'noConsent' } | { reason: 'notDurable' } | { reason: 'quotaExhausted' }
| { reason: 'newerSchema'; detail: number } | { reason: 'unavailable'; detail: string };

export interface Status {
    consent: ConsentState;
    storage: 'local' | 'memory';
    memoryReason: MemoryReason | null;
    /** Why localStorage could not be used at all (e.g. 'SecurityError', 'no window'). */
    storageFallback: string | null;
    events: number;
    bytes: number;
    pendingWrite: boolean;
    stats: { restored: number; evicted: number; expired: number; discarded: number; merged: number; quotaErrors: number; writeErrors: number; flushes: number };
}

/** Everything stored about this browser (right of access). */
export interface ExportedData {
    namespace: string;
    exportedAt: number;
    consent: ConsentState;
    events: Array<TrackEvent & { type: EventType; ts: number }>;
}



/**
 * Tracks the shopper's events and keeps the live session profile.
 */
export class Personalizer {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Everything kept about this browser, as plain JSON-ready data (right of access).
     */
    exportData(): ExportedData;
    /**
     * Writes pending events now (they are also written on `pagehide` and when hidden).
     */
    flush(): void;
    /**
     * Erases every key this module wrote and everything it holds in memory. Returns the
     * number of stored keys removed.
     */
    forget(): number;
    /**
     * Creates the personalizer for this page view. With `consent: 'granted'` it restores
     * the stored journal now; otherwise it does not touch storage at all.
     */
    constructor(options?: PersonalizerOptions | null);
    /**
     * The live session profile, as a plain object.
     */
    profile(): Profile;
    /**
     * Changes consent. Granting persists what was kept in memory; denying after granting
     * erases every stored key. Returns the number of stored keys erased.
     */
    setConsent(state: ConsentState): number;
    /**
     * Where events are kept, why, and what the journal evicted or discarded.
     */
    status(): Status;
    /**
     * Records a GA4-shaped event. Throws `"event: …"` naming the field for an invalid event;
     * nothing is stored then. The write is batched (see `flushDelayMs`).
     */
    track(event: TrackEvent): void;
}

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_personalizer_free: (a: number, b: number) => void;
    readonly personalizer_exportData: (a: number) => [number, number, number];
    readonly personalizer_flush: (a: number) => [number, number];
    readonly personalizer_forget: (a: number) => [number, number, number];
    readonly personalizer_new: (a: number) => [number, number, number];
    readonly personalizer_profile: (a: number) => [number, number, number];
    readonly personalizer_setConsent: (a: number, b: any) => [number, number, number];
    readonly personalizer_status: (a: number) => [number, number, number];
    readonly personalizer_track: (a: number, b: any) => [number, number];
    readonly wasm_bindgen__convert__closures________invoke__h23b09673b77a93a0: (a: number, b: number, c: any) => void;
    readonly wasm_bindgen__convert__closures_____invoke__h87bc8bfadf3dd604: (a: number, b: number) => void;
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __wbindgen_destroy_closure: (a: number, b: number) => void;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
