//! The browser skin: the only code that touches wasm-bindgen, web-sys, js-sys and gloo.
//!
//! `exports` is the JS API (`Personalizer`) and `model` the `Model`/`Scorer` classes, with
//! `types` their TypeScript declarations; `state` the state a `Personalizer` shares with
//! its listeners; `dom` the DOM wiring (`attach`); `data_layer` the page's `dataLayer`;
//! `delivery` model downloads and signature checks; `export` sending events; `listeners`
//! page events, other tabs; `local_storage` the `Store` over `window.localStorage`; `page`
//! reads of `navigator` and random bits; `convert` JS values into `Value` and back; `error`
//! the single mapping between JS exceptions and the core's errors. All behaviour lives in
//! the pure core (`tracker::Tracker`); nothing here decides anything a native test could
//! not check.

mod convert;
mod data_layer;
#[cfg(feature = "delivery")]
mod delivery;
#[cfg(feature = "dom")]
mod dom;
mod error;
#[cfg(feature = "export")]
mod export;
mod exports;
mod guard;
mod listeners;
mod local_storage;
#[cfg(feature = "model-class")]
mod model;
mod page;
mod state;
mod types;

pub use exports::Personalizer;
#[cfg(feature = "model-class")]
pub use model::{Model, Scorer};
