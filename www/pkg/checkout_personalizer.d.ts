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
    /** The id experiments hash (e.g. the id your GrowthBook SDK uses); default a pseudonymous one. */
    userId?: string;
    /** Context fields set over what is derived from the browser. */
    context?: ContextInput;
    /** Salt of the customer-id pseudonym (identify); default per namespace. */
    idSalt?: string;
    /** Base64 of the raw P-256 public key (`personalizer keygen`): only bundles signed with it are used. */
    publicKey?: string;
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
    traits: { customer?: string; loggedIn?: boolean; loyaltyTier?: string; customerSince?: number; preferredLanguage?: string; b2b?: boolean } | null;
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

/** Context fields to set over what was derived (all optional). */
export interface ContextInput {
    /** ISO 3166-1 alpha-2, e.g. from a geo-IP lookup. */
    country?: string;
    device?: 'mobile' | 'tablet' | 'desktop' | 'bot' | 'unknown';
    os?: 'ios' | 'android' | 'windows' | 'macos' | 'linux' | 'chromeos' | 'other';
    language?: string;
    trafficSource?: 'direct' | 'internal' | 'search' | 'social' | 'email' | 'paid' | 'referral';
    localHour?: number;
    weekday?: number;
}

/** A payment method as the page lists it (other fields are ignored). */
export interface PaymentMethodInput { id: string; type?: string; }

export type Reason =
| { kind: 'feature'; feature: string; contribution: number; label?: string }
| { kind: 'rule'; rule: string; action: 'ineligible' | 'excluded' | 'boosted' | 'pinned' | 'eligible'; label?: string }
| { kind: 'boughtWith'; items: string[] }
| { kind: 'categoryAffinity'; category: string }
| { kind: 'popular' };

export interface Ranked {
    id: string;
    score: number;
    /** Payment methods the rules make ineligible come last, flagged — never removed. */
    eligible: boolean;
    reasons: Reason[];
    name?: string;
    category?: string;
}

export interface Assignment { experiment: string; arm: string; variation: number; holdout: boolean; }

export interface Ranking {
    items: Ranked[];
    /** Why the page's own order was kept. */
    fallback: 'noModel' | 'expired' | 'holdout' | 'noHead' | null;
    experiment: Assignment | null;
    /** `id@version` of the model used. */
    model: string | null;
}

export interface CrossSellRequest {
    /** Cart item ids (default: the profile's cart). */
    items?: Array<string | { item_id: string }>;
    /** At most this many (default 5, at most 50). */
    limit?: number;
    /** The page's catalogue: only these may be proposed. */
    candidates?: Array<string | { item_id: string }>;
}

export interface ModelInfo {
    id: string;
    version: string;
    createdAt: number;
    expiresAt: number | null;
    features: string[];
    heads: Array<{ name: string; kind: 'linear' | 'trees' | 'cooccur'; features: number; outputs: number; trees?: number; items?: number }>;
    segments: string[];
    experiments: string[];
    paymentRules: number;
    crossSellRules: number;
}

export interface AttachOptions {
    /** Only wire inside this element (default: the whole document). */
    root?: Element;
    /** Track clicks on [data-track] and payment method changes (default true). */
    autoTrack?: boolean;
    /** Ingest GA4 window.dataLayer ecommerce events, before and after load (default true). */
    dataLayer?: boolean;
}

export interface OfferDecision {
    offer: string | null;
    reason: 'chosen' | 'pinned' | 'noModel' | 'expired' | 'noHead' | 'holdout' | 'frequencyCap' | 'noneEligible' | 'noUplift';
    /** Purchase probability with the offer and without any, when the bundle has a propensity head. */
    probability: { with: number; without: number } | null;
    reasons: Reason[];
    experiment: Assignment | null;
    model: string | null;
}

export interface ChosenMessage { slot: string; id: string | null; text: string | null; language: string | null; }

export interface LoadOptions {
    /** Subresource-integrity string of the bundle, e.g. "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=". */
    integrity?: string;
}

/** Everything stored about this browser (right of access). */
export interface ExportedData {
    namespace: string;
    exportedAt: number;
    consent: ConsentState;
    events: Array<TrackEvent & { type: EventType; ts: number }>;
}



/**
 * A decoded, validated model bundle.
 */
export class Model {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Decodes and validates a `.cpm` bundle. Throws `"model: …"` for anything malformed.
     */
    static fromBytes(bytes: Uint8Array | number[]): Model;
    /**
     * Id, version, dates, features, heads, segments, experiments.
     */
    info(): ModelInfo;
    /**
     * Every output of `head` after its link (class probabilities for multiclass heads).
     */
    predictAll(head: string, features: any): Float64Array;
    /**
     * Output 0 of `head` before its link (the margin).
     */
    predictRaw(head: string, features: any): number;
    /**
     * Output 0 of `head` after its link (the probability for a binary classifier).
     * `features`: NaN, null or undefined = missing.
     */
    predict(head: string, features: any): number;
}

/**
 * Tracks the shopper's events and keeps the live session profile.
 */
export class Personalizer {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Re-applies the DOM wiring now (it also re-applies by itself on changes).
     */
    apply(): void;
    /**
     * The shopper's arm of experiment `key`, without logging an exposure; `null` when the
     * shopper is outside it or there is no such experiment.
     */
    assignment(key: string): Assignment | null;
    /**
     * Wires the page: reorders `[data-personalize="payment-methods"]`, fills
     * `[data-personalize="cross-sell"]` slots, tracks `[data-track]` clicks, payment method
     * changes and GA4 `dataLayer` pushes (options `autoTrack`, `dataLayer`, default true;
     * `root`, default the whole document). Applies once now, then on every change.
     */
    attach(options?: AttachOptions | null): void;
    /**
     * The bundle's message for each slot name, in the shopper's language when translated.
     */
    chooseMessages(slots: string[]): ChosenMessage[];
    /**
     * Picks at most one of the page's offers `[{id, type?, cost?, percent?}]`: eligible,
     * within the bundle's budget and frequency cap, with a positive predicted uplift.
     */
    chooseOffer(offers: any): OfferDecision;
    /**
     * Stops the DOM wiring (the page keeps its current order).
     */
    detach(): void;
    /**
     * Everything kept about this browser, as plain JSON-ready data (right of access).
     */
    exportData(): ExportedData;
    /**
     * Sends the next batch of the consented journal to `url` as JSON Lines (POST, fetch
     * keepalive, `x-batch-id` header), retrying with backoff; resolves to `{batch, sent}`.
     * Events are never exported twice; without consent nothing is sent.
     */
    exportEvents(options: any): Promise<any>;
    /**
     * On every `pagehide`, beacons the next batch to `url` (`navigator.sendBeacon`).
     */
    exportOnPageHide(url?: string | null): void;
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
     * What the storefront knows: `{customer_id?, traits?: {loggedIn, loyaltyTier,
     * customerSince, preferredLanguage, b2b}}`. The id is kept only as a salted pseudonym;
     * other traits are dropped. Throws `"identify: …"` for bad values.
     */
    identify(who: any): void;
    /**
     * Fetches a bundle. With consent, the last good bundle for this URL is used at once,
     * synchronously, from the local cache; the download then replaces it if it is good
     * (and matches `integrity`, a `sha256-…` string, when given). The promise resolves to
     * `info()` of the new model, or rejects with `"model: …"`, keeping the model in force.
     */
    loadModelFromUrl(url: string, options?: LoadOptions | null): Promise<any>;
    /**
     * Decodes a `.cpm` bundle and uses it for every later decision. On any error the
     * previous model (or the page's default order) stays in force. Returns `model.info()`.
     */
    loadModel(bytes: Uint8Array | number[]): ModelInfo;
    /**
     * Verifies a signed bundle against the configured `publicKey` (WebCrypto), then uses
     * it. Resolves to `info()`; rejects with `"model: …"` and keeps the model in force.
     */
    loadSignedModel(bytes: Uint8Array | number[]): Promise<any>;
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
     * Up to `limit` (default 5) items to offer with the cart (`items`, default the
     * profile's cart), never one in the cart; only `candidates` when given.
     */
    rankCrossSells(request?: CrossSellRequest | null): Ranking;
    /**
     * Orders the page's payment methods: every method exactly once, with `score`,
     * `eligible` and `reasons`. Without a usable model: the page's order, `fallback` set.
     * `context` overrides context fields for this decision only.
     */
    rankPaymentMethods(methods: Array<PaymentMethodInput | string>, context?: ContextInput | null): Ranking;
    /**
     * Orders the page's shipping options, with the same guarantees as payment methods.
     */
    rankShippingOptions(options: Array<PaymentMethodInput | string>, context?: ContextInput | null): Ranking;
    /**
     * Names of the model's segments the shopper is in now.
     */
    segments(): string[];
    /**
     * The catalogue cross-sell slots draw from: `[{item_id, item_name?, price?, currency?,
     * url?, image?, item_category?}]` (instead of the inline JSON).
     */
    setCatalog(items: any): void;
    /**
     * Changes consent. Granting persists what was kept in memory; denying after granting
     * erases every stored key. Returns the number of stored keys erased.
     */
    setConsent(state: ConsentState): number;
    /**
     * Sets context fields over what was derived (country, device, os, language,
     * trafficSource, localHour, weekday): e.g. a geo-IP country from the server. Replaces
     * the previous call's fields; a field left out is derived from the browser again.
     */
    setContext(context: ContextInput): void;
    /**
     * Where events are kept, why, and what the journal evicted or discarded.
     */
    status(): Status;
    /**
     * Records a GA4-shaped event. Throws `"event: …"` naming the field for an invalid event;
     * nothing is stored then. The write is batched (see `flushDelayMs`).
     */
    track(event: TrackEvent): void;
    /**
     * Uses an already decoded `Model` (it is copied).
     */
    useModel(model: Model): void;
}

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_model_free: (a: number, b: number) => void;
    readonly __wbg_personalizer_free: (a: number, b: number) => void;
    readonly model_fromBytes: (a: number, b: number) => [number, number, number];
    readonly model_info: (a: number) => [number, number, number];
    readonly model_predict: (a: number, b: number, c: number, d: any) => [number, number, number];
    readonly model_predictAll: (a: number, b: number, c: number, d: any) => [number, number, number, number];
    readonly model_predictRaw: (a: number, b: number, c: number, d: any) => [number, number, number];
    readonly personalizer_apply: (a: number) => void;
    readonly personalizer_assignment: (a: number, b: number, c: number) => [number, number, number];
    readonly personalizer_attach: (a: number, b: number) => [number, number];
    readonly personalizer_chooseMessages: (a: number, b: number, c: number) => [number, number, number];
    readonly personalizer_chooseOffer: (a: number, b: any) => [number, number, number];
    readonly personalizer_detach: (a: number) => [number, number];
    readonly personalizer_exportData: (a: number) => [number, number, number];
    readonly personalizer_exportEvents: (a: number, b: any) => [number, number, number];
    readonly personalizer_exportOnPageHide: (a: number, b: number, c: number) => void;
    readonly personalizer_flush: (a: number) => [number, number];
    readonly personalizer_forget: (a: number) => [number, number, number];
    readonly personalizer_identify: (a: number, b: any) => [number, number];
    readonly personalizer_loadModel: (a: number, b: number, c: number) => [number, number, number];
    readonly personalizer_loadModelFromUrl: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly personalizer_loadSignedModel: (a: number, b: number, c: number) => any;
    readonly personalizer_new: (a: number) => [number, number, number];
    readonly personalizer_profile: (a: number) => [number, number, number];
    readonly personalizer_rankCrossSells: (a: number, b: number) => [number, number, number];
    readonly personalizer_rankPaymentMethods: (a: number, b: any, c: number) => [number, number, number];
    readonly personalizer_rankShippingOptions: (a: number, b: any, c: number) => [number, number, number];
    readonly personalizer_segments: (a: number) => [number, number, number, number];
    readonly personalizer_setCatalog: (a: number, b: any) => [number, number];
    readonly personalizer_setConsent: (a: number, b: any) => [number, number, number];
    readonly personalizer_setContext: (a: number, b: any) => [number, number];
    readonly personalizer_status: (a: number) => [number, number, number];
    readonly personalizer_track: (a: number, b: any) => [number, number];
    readonly personalizer_useModel: (a: number, b: number) => [number, number];
    readonly wasm_bindgen__convert__closures_____invoke__h01c668c2fdc2cd34: (a: number, b: number, c: any, d: any) => void;
    readonly wasm_bindgen__convert__closures_____invoke__h01c668c2fdc2cd34_33: (a: number, b: number, c: any, d: any) => void;
    readonly wasm_bindgen__convert__closures_____invoke__h0512c4bedd76366e: (a: number, b: number, c: any) => [number, number];
    readonly wasm_bindgen__convert__closures________invoke__h39b3ab8480558b48: (a: number, b: number, c: any) => void;
    readonly wasm_bindgen__convert__closures_____invoke__h74e0b78024677965: (a: number, b: number, c: any) => void;
    readonly wasm_bindgen__convert__closures_____invoke__he0f339b0f310fa31: (a: number, b: number) => void;
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __wbindgen_destroy_closure: (a: number, b: number) => void;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __externref_drop_slice: (a: number, b: number) => void;
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
