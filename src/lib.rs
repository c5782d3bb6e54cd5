//! agentwire: typed, retrying, secret-safe calls to AI-agent platform APIs.
//!
//! The pure core (everything not under `transport` or `bindings`) has no JS types and is
//! tested natively; `transport` talks to `fetch`, timers and `AbortSignal`; `bindings` is the
//! only place `#[wasm_bindgen]` appears.

// AgentError is the product: callers receive it by value, so it is not boxed to shrink Results.
#![allow(clippy::result_large_err)]

// Error model: the value, envelope parsing, classification, header values, sanitizing.
pub mod classify;
pub mod error;
pub mod header_values;
pub mod headers;
pub mod parse;
pub mod redact;
pub mod report;
pub mod sanitize;

// Calling: client options, request building, retry decisions, stream decoding.
pub mod call;
pub mod config;
pub mod request;
pub mod retry;
pub mod sse;

// Held state and exchange facts.
pub mod meta;
pub mod secret;

#[cfg(target_arch = "wasm32")]
mod bindings;
#[cfg(target_arch = "wasm32")]
pub mod transport;

pub use error::{AgentError, ErrorKind, FieldError, RateLimit, VendorFormat};
pub use headers::HeaderList;
