//! The browser skin: the only code that touches wasm-bindgen, web-sys, js-sys and gloo.
//!
//! `exports` is the JS API (`Personalizer`), `types` its TypeScript declarations,
//! `local_storage` the `Store` over `window.localStorage`, `listeners` the page events that
//! flush and merge, `page` the reads of `navigator` and friends, `convert` JS values into `Value`, `error` the single mapping
//! between JS exceptions and the core's errors. All behaviour lives in the pure core
//! (`tracker::Tracker`); nothing here decides anything a native test could not check.

mod convert;
mod delivery;
mod dom;
mod error;
mod export;
mod exports;
mod listeners;
mod local_storage;
mod model;
mod page;
mod types;

pub use exports::Personalizer;
pub use model::{Model, Scorer};
