//! wasm-bindgen tests in Node (the runner's default).
#![cfg(target_arch = "wasm32")]
mod wasm_common;
