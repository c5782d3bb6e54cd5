//! Raw bindings to the few globals the transport needs. Looked up on `globalThis` so the same
//! code runs in Node, browsers, workers, extension service workers and workerd.

use js_sys::{Function, Object, Promise, Uint8Array};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(handler: &Function, ms: f64) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(handle: &JsValue);

    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    pub fn date_now() -> f64;

}

// Globals are read off `globalThis` rather than through wasm-bindgen statics, which throw a
// ReferenceError when the name is missing (`document` in Node, `crypto` in old runtimes).
fn global(name: &str) -> JsValue {
    get(&js_sys::global(), name)
}

thread_local! {
    // CSPRNG output fetched 1 KiB at a time: one `getRandomValues` call per 64 request ids
    // instead of one per request (it showed up at 4% of a request's cost in Node).
    static POOL: RefCell<(Vec<u8>, usize)> = const { RefCell::new((Vec::new(), 0)) };
}

const POOL_BYTES: usize = 1024;

fn refill(pool: &mut Vec<u8>) -> bool {
    let crypto = global("crypto");
    let Ok(f) = get(&crypto, "getRandomValues").dyn_into::<Function>() else {
        return false;
    };
    let buf = Uint8Array::new_with_length(POOL_BYTES as u32);
    if f.call1(&crypto, &buf).is_err() {
        return false;
    }
    pool.resize(POOL_BYTES, 0);
    buf.copy_to(pool);
    true
}

/// Fills `out` from `crypto.getRandomValues` (pooled); false when the runtime has no Web Crypto.
/// Bytes are handed out once and never reused.
pub fn random_bytes(out: &mut [u8]) -> bool {
    POOL.with(|cell| {
        let Ok(mut guard) = cell.try_borrow_mut() else {
            return false;
        };
        let (pool, pos) = &mut *guard;
        let mut filled = 0;
        while filled < out.len() {
            if *pos >= pool.len() {
                if !refill(pool) {
                    return false;
                }
                *pos = 0;
            }
            let take = (out.len() - filled).min(pool.len() - *pos);
            let (Some(dst), Some(src)) = (
                out.get_mut(filled..filled + take),
                pool.get(*pos..*pos + take),
            ) else {
                return false;
            };
            dst.copy_from_slice(src);
            // Wipe what was handed out so the pool never holds bytes already in use.
            if let Some(used) = pool.get_mut(*pos..*pos + take) {
                used.fill(0);
            }
            *pos += take;
            filled += take;
        }
        true
    })
}

/// A uniform float in [0, 1) from Web Crypto, falling back to `Math.random` (jitter only).
pub fn random_unit() -> f64 {
    let mut b = [0u8; 8];
    if random_bytes(&mut b) {
        let n = u64::from_le_bytes(b) >> 11;
        n as f64 / (1u64 << 53) as f64
    } else {
        js_sys::Math::random()
    }
}

pub fn is_window_context() -> bool {
    let d = global("document");
    !d.is_undefined() && !d.is_null()
}

/// The global `fetch`, to be called unbound: a method-bound fetch throws "Illegal invocation"
/// in Workers.
pub fn global_fetch() -> Option<Function> {
    global("fetch").dyn_into::<Function>().ok()
}

/// A promise resolved after `ms`, with the handle needed to cancel it.
pub fn timer_promise(ms: f64) -> (Promise, JsValue) {
    let mut handle = JsValue::UNDEFINED;
    let promise = Promise::new(&mut |resolve, _reject| {
        handle = set_timeout(&resolve, ms);
    });
    (promise, handle)
}

pub fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn set(obj: &Object, key: &str, value: &JsValue) {
    // Reflect.set only fails on frozen objects, which we never create.
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}
