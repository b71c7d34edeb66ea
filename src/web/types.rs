//! TypeScript declarations for every object that crosses the JS boundary, so the generated
//! `checkout_personalizer.d.ts` reads as a TypeScript storefront developer would want.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Whether the shopper agreed to storage. Until 'granted', nothing is read from or written to storage. */
export type ConsentState = 'granted' | 'denied' | 'pending';

export interface PersonalizerOptions {
  /** Prefix of every storage key (default 'cp'). Letters, digits, '_' and '-'. */
  namespace?: string;
  /** Default 'pending': events are kept in memory only until setConsent('granted'). 'denied'
   *  erases what an earlier page view stored. */
  consent?: ConsentState;
  /** Follow Google Consent Mode in window.dataLayer (gtag's consent commands): `true`, or the
   *  visitor's ISO 3166-2 region for region-scoped defaults (e.g. from geo-IP). */
  consentMode?: boolean | { region?: string };
  /** 'local' (default) uses localStorage and falls back to memory; 'memory' never persists. */
  storage?: 'local' | 'memory';
  /** The clock, in ms since the epoch (default Date.now). */
  now?: () => number;
  /** Journal bounds: the oldest events are evicted first (defaults 1000 events, 262144 chars). */
  maxEvents?: number;
  maxBytes?: number;
  /** Events, and every other stored key, expire this long after they were written (default 30). */
  retentionDays?: number;
  /** Inactivity that ends a session (default 30). */
  sessionTimeoutMinutes?: number;
  /** Half-life of in-session intent (default 5) and of historic interest (default 30 days). */
  intentHalfLifeMinutes?: number;
  historyHalfLifeDays?: number;
  /** Delay of the batched write after track() (default 1000; 0 writes on the next tick). */
  flushDelayMs?: number;
  /** How long after navigation the DOM wiring may still apply a list's first decision (default
   *  150); past it the page keeps its own order for the page view. Keep the CSS contract's
   *  --cp-deadline equal. */
  decisionDeadlineMs?: number;
  /** The id experiments hash (e.g. the id your GrowthBook SDK uses); default a pseudonymous one. */
  userId?: string;
  /** Context fields set over what is derived from the browser. */
  context?: ContextInput;
  /** Your own secret salt for the customer-id pseudonym (the same pseudonym on every device);
   *  default a random per-browser secret, stored with consent. */
  idSalt?: string;
  /** Base64 of the raw P-256 public key (`personalizer keygen`): only bundles signed with it are used. */
  publicKey?: string;
}

export type EventType =
  | 'page_view' | 'view_item' | 'view_item_list' | 'select_item' | 'add_to_cart'
  | 'remove_from_cart' | 'view_cart' | 'begin_checkout' | 'add_shipping_info'
  | 'add_payment_info' | 'purchase' | 'select_payment_method';

/** A number, or a decimal string as GA4 accepts it ("31.10", " 2 "; never "1,99"). */
export type Amount = number | string;

/** GA4 requires `item_id` or `item_name`: without an id, the name stands for it. The
 *  older names gtag.js still takes (`id`, `name`, `brand`, `category`) are read too. */
export type TrackItem = TrackItemFields &
  ({ item_id: string | number } | { id: string | number } | { item_name: string } | { name: string });

export interface TrackItemFields {
  item_id?: string | number;
  item_name?: string;
  /** @deprecated Universal Analytics' name: use item_id. */
  id?: string | number;
  /** @deprecated Universal Analytics' name: use item_name. */
  name?: string;
  /** @deprecated Universal Analytics' name: use item_brand. */
  brand?: string;
  /** @deprecated Universal Analytics' name: use item_category. */
  category?: string;
  item_category?: string;
  item_brand?: string;
  price?: Amount;
  /** Whole number from 1 to 10000 (default 1). */
  quantity?: Amount;
  /** Accepted and dropped unread (data minimisation). */
  item_variant?: string; item_category2?: string; item_category3?: string;
  item_category4?: string; item_category5?: string; item_list_id?: string;
  item_list_name?: string; affiliation?: string; coupon?: string; discount?: Amount;
  index?: number; location_id?: string;
}

/** The fields of a GA4 ecommerce event. */
export interface TrackFields {
  /** ms since the epoch (default now). */
  ts?: number;
  items?: TrackItem[];
  value?: Amount;
  /** ISO 4217, e.g. 'EUR'. */
  currency?: string;
  payment_type?: string;
  shipping_tier?: string;
  coupon?: string;
  /** Accepted and dropped unread (data minimisation). */
  transaction_id?: string; affiliation?: string; tax?: Amount; shipping?: Amount;
  item_list_id?: string; item_list_name?: string;
}

/** A GA4 ecommerce event: `{type, ...fields}`, or the dataLayer shape
 *  `{event, ecommerce: {...fields}}`. Fields not listed are dropped. */
export type TrackEvent =
  | ({ type: EventType; event?: never; ecommerce?: never } & TrackFields)
  | ({ event: EventType; type?: never; ecommerce?: TrackFields | null } & TrackFields);

export type FunnelStage =
  | 'none' | 'browsing' | 'viewed_item' | 'cart' | 'checkout' | 'shipping' | 'payment' | 'purchased';

export interface InterestEntry { id: string; session: number; history: number; }
export interface CartLine { id: string; quantity: number; price: number | null; category: string | null; }
export interface Usage { counts: Record<string, number>; last: string | null; session?: string; }

export interface PageContext {
  device: 'mobile' | 'tablet' | 'desktop' | 'bot' | 'unknown';
  os: 'ios' | 'android' | 'windows' | 'macos' | 'linux' | 'chromeos' | 'other';
  browser: 'safari' | 'chrome' | 'edge' | 'firefox' | 'samsung' | 'opera' | 'other';
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
  /** Fields and items of picked-up events (dataLayer, auto-tracking) dropped as invalid, by
   *  field name (e.g. `items[].price`): your tagging problems. */
  dropped: Record<string, number>;
  /** Picked-up events refused whole (no type, no items where they are needed). */
  refused: number;
  /** The DOM wiring's first decision, once attach() was called. */
  dom?: { decision: 'pending' | 'applied' | 'late'; decidedAtMs: number | null; deadlineMs: number };
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
  /** The bundle id the page expects: another bundle (even validly signed) is refused. */
  id?: string;
}

export interface ExportOptions {
  /** The collector's URL (POSTed JSON Lines). */
  url: string;
  /** Events per batch (1 to 5000, default 200). */
  batchSize?: number;
}

/** One item of the catalogue cross-sell slots draw from. */
export interface CatalogItem {
  item_id: string | number;
  item_name?: string;
  /** A number or a decimal string ("2.50"). */
  price?: number | string;
  /** ISO 4217, e.g. 'EUR'. */
  currency?: string;
  url?: string;
  image?: string;
  item_category?: string;
}

/** An incentive the page can offer (chooseOffer). */
export interface OfferInput {
  id: string;
  type?: string;
  /** What it costs the store, in the cart's currency. */
  cost?: number;
  /** Or a percentage of the cart value. */
  percent?: number;
}

/** What the storefront knows about the shopper (identify). */
export interface IdentifyInput {
  /** The shop's customer number: kept only as a salted pseudonym. E-mail addresses and card numbers are refused. */
  customer_id?: string | number;
  traits?: {
    loggedIn?: boolean;
    loyaltyTier?: string;
    /** ms since the epoch. */
    customerSince?: number;
    preferredLanguage?: string;
    b2b?: boolean;
  };
}

/** An event as kept (exportData, exportEvents). */
export interface KeptEvent {
  type: EventType | 'exposure';
  ts: number;
  items?: Array<{ item_id: string; item_name?: string; item_category?: string; item_brand?: string; price?: number; quantity: number }>;
  value?: number;
  currency?: string;
  payment_type?: string;
  shipping_tier?: string;
  coupon?: string;
  /** Experiment exposures the module logged (`late`: the page kept its own order), and
   *  ranked lists (`experiment` `payment_methods` or `shipping_options`: the ids in `shown`
   *  order and the page's `types`, for training on what was offered). */
  exposure?: { experiment: string; arm: string; variation: number; late?: boolean; shown?: string[]; types?: string[] };
}

/** Everything stored about this browser (right of access). */
export interface ExportedData {
  namespace: string;
  exportedAt: number;
  consent: ConsentState;
  /** The pseudonymous id, when it is stored. */
  userId: string | null;
  /** identify() traits (the customer only as its salted pseudonym). */
  traits: Profile['traits'];
  events: KeptEvent[];
  /** Record ids exportEvents already delivered (64-bit, as text). */
  exportedIds: string[];
  /** The cached model bundle: its URL and download time. */
  modelCache: { url: string; fetchedAt: number } | null;
  /** Every storage key of the namespace now present. */
  storedKeys: string[];
}

/** What exportEvents resolves to: the batch sent (null: nothing to send) and its size. */
export interface ExportResult { batch: string | null; sent: number; }
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "PersonalizerOptions")]
    pub type PersonalizerOptions;
    #[wasm_bindgen(typescript_type = "TrackEvent")]
    pub type TrackEvent;
    #[wasm_bindgen(typescript_type = "ConsentState")]
    pub type ConsentState;
    #[wasm_bindgen(typescript_type = "Profile")]
    pub type Profile;
    #[wasm_bindgen(typescript_type = "Status")]
    pub type Status;
    #[wasm_bindgen(typescript_type = "ExportedData")]
    pub type ExportedData;
    #[wasm_bindgen(typescript_type = "ContextInput")]
    pub type ContextInput;
    #[wasm_bindgen(typescript_type = "Array<PaymentMethodInput | string>")]
    pub type PaymentMethods;
    #[wasm_bindgen(typescript_type = "Ranking")]
    pub type Ranking;
    #[wasm_bindgen(typescript_type = "CrossSellRequest")]
    pub type CrossSellRequest;
    #[wasm_bindgen(typescript_type = "AttachOptions")]
    pub type AttachOptions;
    #[wasm_bindgen(typescript_type = "OfferDecision")]
    pub type OfferDecision;
    #[wasm_bindgen(typescript_type = "ChosenMessage[]")]
    pub type Messages;
    #[wasm_bindgen(typescript_type = "LoadOptions")]
    pub type LoadOptions;
    #[wasm_bindgen(typescript_type = "ModelInfo")]
    pub type ModelInfo;
    #[wasm_bindgen(typescript_type = "Assignment | null")]
    pub type AssignmentOrNull;
    #[wasm_bindgen(typescript_type = "ExportOptions")]
    pub type ExportOptions;
    #[wasm_bindgen(typescript_type = "CatalogItem[]")]
    pub type CatalogItems;
    #[wasm_bindgen(typescript_type = "OfferInput[]")]
    pub type Offers;
    #[wasm_bindgen(typescript_type = "IdentifyInput")]
    pub type Identity;
}
