//! One fetch attempt: send, wait for headers, read the body, each under the attempt's signal.

use super::sys;
use crate::headers::HeaderList;
use js_sys::{Function, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestInit, Response};

/// How a fetch that produced no response failed, in the terms the retry rules need.
#[derive(Debug)]
pub struct Rejection {
    /// The request certainly never reached the server (connection refused, DNS failure).
    pub before_send: bool,
    pub message: String,
}

pub async fn send(
    fetch: &Function,
    url: &str,
    method: &str,
    headers: &[(String, String)],
    body: &JsValue,
    signal: &AbortSignal,
) -> Result<Response, Rejection> {
    let header_obj = Object::new();
    for (n, v) in headers {
        sys::set(&header_obj, n, &JsValue::from_str(v));
    }
    let init = RequestInit::new();
    init.set_method(method);
    init.set_headers(&header_obj);
    if !body.is_undefined() && !body.is_null() {
        init.set_body(body);
    }
    init.set_signal(Some(signal));
    // `this` is undefined on purpose: see `sys::global_fetch`.
    let returned = fetch
        .call2(&JsValue::UNDEFINED, &JsValue::from_str(url), &init)
        .map_err(rejection)?;
    let settled = JsFuture::from(Promise::resolve(&returned))
        .await
        .map_err(rejection)?;
    if !sys::get(&settled, "status")
        .as_f64()
        .is_some_and(|s| s >= 100.0)
    {
        return Err(Rejection {
            before_send: false,
            message: "fetch resolved with something that is not a Response".into(),
        });
    }
    Ok(settled.unchecked_into())
}

/// Reads a rejection of any type (fetch may reject with a non-Error value) without throwing.
pub fn rejection(value: JsValue) -> Rejection {
    let cause = sys::get(&value, "cause");
    let code = sys::get(&cause, "code")
        .as_string()
        .or_else(|| sys::get(&value, "code").as_string())
        .unwrap_or_default();
    let before_send = matches!(
        code.as_str(),
        "ECONNREFUSED" | "ENOTFOUND" | "EAI_AGAIN" | "UND_ERR_CONNECT_TIMEOUT" | "ENETUNREACH"
    );
    let base = if value.is_instance_of::<js_sys::Error>() || value.is_object() {
        sys::get(&value, "message").as_string()
    } else {
        value.as_string()
    }
    .filter(|m| !m.is_empty())
    .unwrap_or_else(|| "fetch failed without a reason".into());
    let message = if code.is_empty() {
        base
    } else {
        format!("{base} ({code})")
    };
    Rejection {
        before_send,
        message,
    }
}

pub fn header_list(resp: &Response) -> HeaderList {
    let mut list = HeaderList::new();
    let headers = sys::get(resp, "headers");
    if let Ok(Some(iter)) = js_sys::try_iter(&headers) {
        for entry in iter.flatten() {
            let name = js_sys::Reflect::get_u32(&entry, 0)
                .ok()
                .and_then(|v| v.as_string());
            let value = js_sys::Reflect::get_u32(&entry, 1)
                .ok()
                .and_then(|v| v.as_string());
            if let (Some(n), Some(v)) = (name, value) {
                list.push(n, v);
            }
        }
    }
    list
}

/// Reads at most `cap` bytes of the body; the rest is cancelled, not buffered.
pub async fn read_bytes(resp: &Response, cap: usize) -> Result<Vec<u8>, JsValue> {
    let buf = JsFuture::from(resp.array_buffer()?).await?;
    let arr = Uint8Array::new(&buf);
    let len = (arr.length() as usize).min(cap);
    let mut out = vec![0u8; len];
    arr.subarray(0, len as u32).copy_to(&mut out);
    Ok(out)
}

/// The body as a JS string, never copied into wasm: the caller parses it in JS.
pub async fn read_text(resp: &Response) -> Result<JsValue, JsValue> {
    JsFuture::from(resp.text()?).await
}
