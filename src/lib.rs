//! checkout-personalizer: tracks a shopper's events in the browser, keeps a live session
//! profile, and personalises the checkout without a server round trip.
//!
//! This file is the facade: what the crate exposes, nothing else. The pure core (everything
//! but `web`) builds and is tested natively; `web` is the only module that touches
//! wasm-bindgen, web-sys, js-sys or gloo, and it exists only on wasm32.

pub mod base64;
// Used by `web` alone (absent natively), tested natively.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[cfg(feature = "dom")]
pub(crate) mod catalog;
pub mod config;
pub mod consent;
pub mod context;
pub mod event;
pub(crate) mod experiment;
pub(crate) mod export;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod journal;
pub mod model;
pub(crate) mod msgpack;
pub mod options;
pub mod profile;
pub mod rank;
pub(crate) mod sha256;
pub(crate) mod sort;
pub(crate) mod sorted_map;
pub(crate) mod storage;
pub mod store;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code, unused_imports))]
pub(crate) mod tape;
pub mod tracker;
pub(crate) mod traits;
pub mod value;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use config::ConfigError;
pub use consent::Consent;
pub use context::{Context, PageSignals};
pub use event::{Event, EventError, EventType, Item};
pub use journal::{Journal, JournalConfig, JournalStats};
pub use options::{Options, StorageKind, TrackerConfig};
pub use profile::{ProfileConfig, ProfileView, SessionProfile};
pub use storage::MemoryReason;
pub use store::{MemoryStore, Store, StoreError, StoreErrorKind};
pub use tracker::{Status, Tracker};
pub use value::Value;
