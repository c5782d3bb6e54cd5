//! The thin layer that talks to `fetch`, timers and `AbortSignal`. Every decision it makes
//! (what to retry, how long to wait, what an error means) is delegated to the pure core.

pub mod client;
pub mod fetch;
pub mod log;
pub mod signal;
pub mod stream;
pub mod sys;

pub use client::{Failure, Reply, Transport};
