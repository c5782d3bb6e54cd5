//! The SSE decoder lives in `crates/sse` so the release profile can optimise it for speed
//! (it runs on every streamed byte) while the rest of the crate is optimised for size.
pub use agentwire_sse::*;
