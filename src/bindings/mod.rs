//! Everything `#[wasm_bindgen]` touches. Values cross as JSON text (one `JSON.parse` in JS is
//! faster and smaller than building objects field by field from Rust); errors cross as real JS
//! `Error`s made by the factory the JS layer registers.

mod client;
mod errors;
mod sse;
