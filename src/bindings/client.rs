use super::errors::{failure_to_js, report_json, to_js_error};
use crate::call::CallSpec;
use crate::config::ClientConfig;
use crate::error::{AgentError, ErrorKind};
use crate::transport::stream::EventStream;
use crate::transport::{sys, Transport};
use js_sys::{Function, Object, Promise};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

/// Holds the key and the connection policy. There is no getter for the key: it is read only
/// by the transport, to write the one auth header.
#[wasm_bindgen]
pub struct Client {
    transport: Rc<Transport>,
}

fn config_error(option: &str, message: &str) -> JsValue {
    let mut e = AgentError::client(ErrorKind::Validation, message);
    e.code = Some("INVALID_OPTION".into());
    e.details = Some(serde_json::json!({ "option": option }));
    to_js_error(&e, None)
}

fn spec_from(json: &str) -> Result<CallSpec, JsValue> {
    CallSpec::from_json(json).map_err(|e| to_js_error(&e, None))
}

#[wasm_bindgen]
impl Client {
    #[wasm_bindgen(constructor)]
    pub fn new(
        options_json: &str,
        api_key: Option<String>,
        fetch: Option<Function>,
        logger: Option<JsValue>,
    ) -> Result<Client, JsValue> {
        let cfg = ClientConfig::from_json(options_json, api_key.as_deref())
            .map_err(|e| config_error(e.option, &e.to_string()))?;
        if api_key.is_some() && sys::is_window_context() && !cfg.dangerously_allow_browser {
            return Err(config_error(
                "dangerouslyAllowBrowser",
                "an apiKey in a browser page is readable by every script on it: call the platform from a server or Worker that holds the key, or set dangerouslyAllowBrowser: true if this page is trusted",
            ));
        }
        let transport =
            Transport::new(cfg, api_key, fetch, logger).map_err(|e| to_js_error(&e, None))?;
        Ok(Client {
            transport: Rc::new(transport),
        })
    }

    /// Resolves to `{ status, body, meta }` with `body` the response text and `meta` JSON text.
    pub fn request(&self, spec_json: &str, body: JsValue, signal: Option<AbortSignal>) -> Promise {
        let t = self.transport.clone();
        let spec = spec_from(spec_json);
        future_to_promise(async move {
            let spec = spec?;
            let reply = t
                .send(&spec, &body, signal.as_ref())
                .await
                .map_err(failure_to_js)?;
            let out = Object::new();
            sys::set(&out, "status", &JsValue::from(reply.status));
            sys::set(&out, "body", &reply.body);
            let meta = serde_json::to_string(&reply.meta).unwrap_or_else(|_| "{}".into());
            sys::set(&out, "meta", &JsValue::from_str(&meta));
            Ok(out.into())
        })
    }

    /// Resolves to a `Stream` once response headers arrive; failures before then are retried.
    pub fn stream(&self, spec_json: &str, body: JsValue, signal: Option<AbortSignal>) -> Promise {
        let t = self.transport.clone();
        let spec = spec_from(spec_json).map(|mut s| {
            s.stream = true;
            s
        });
        future_to_promise(async move {
            let spec = spec?;
            let reply = t
                .send(&spec, &body, signal.as_ref())
                .await
                .map_err(failure_to_js)?;
            let idle = t.cfg.stream_idle_timeout_ms as f64;
            let es = EventStream::new(reply, idle, Rc::new(t.redactor.clone()))
                .map_err(failure_to_js)?;
            let canceller = es.canceller();
            Ok(Stream {
                inner: Rc::new(RefCell::new(Some(es))),
                canceller,
            }
            .into())
        })
    }

    /// A support report for an error, with this client's key removed wherever it appears.
    pub fn report(&self, error_json: &str, context_json: &str) -> Result<String, JsValue> {
        report_json(error_json, context_json, &self.transport.redactor)
    }

    /// The non-secret configuration, for `toJSON` and inspection.
    pub fn describe(&self) -> String {
        let c = &self.transport.cfg;
        serde_json::json!({
            "baseUrl": c.base_url,
            "auth": c.auth.as_str(),
            "timeoutMs": c.timeout_ms,
            "maxRetries": c.max_retries,
            "apiKey": "[redacted]",
        })
        .to_string()
    }

    #[wasm_bindgen(getter, js_name = maxUploadBytes)]
    pub fn max_upload_bytes(&self) -> f64 {
        self.transport.cfg.max_upload_bytes as f64
    }
}

/// One open event stream. `next()` resolves to a JSON array text of payloads, or undefined at
/// the terminal event; it rejects with an `AgentError` on an error event, truncation or idle.
#[wasm_bindgen]
pub struct Stream {
    inner: Rc<RefCell<Option<EventStream>>>,
    canceller: Option<Function>,
}

#[wasm_bindgen]
impl Stream {
    pub fn next(&self) -> Promise {
        let slot = self.inner.clone();
        future_to_promise(async move {
            // Taken out for the read so no RefCell borrow is held across the await.
            let taken = slot.try_borrow_mut().ok().and_then(|mut s| s.take());
            let Some(mut es) = taken else {
                return Ok(JsValue::UNDEFINED);
            };
            let r = es.next_batch().await;
            let done = !matches!(r, Ok(Some(_)));
            if let Ok(mut s) = slot.try_borrow_mut() {
                if !done {
                    *s = Some(es);
                }
            }
            match r {
                Ok(Some(batch)) => Ok(JsValue::from_str(&batch)),
                Ok(None) => Ok(JsValue::UNDEFINED),
                Err(f) => Err(failure_to_js(f)),
            }
        })
    }

    /// The raw payloads of the last batch, for streams whose payloads are not all JSON.
    #[wasm_bindgen(js_name = lastRaw)]
    pub fn last_raw(&self) -> Vec<String> {
        self.inner
            .try_borrow()
            .ok()
            .and_then(|s| s.as_ref().map(|e| e.last_raw().to_vec()))
            .unwrap_or_default()
    }

    pub fn meta(&self) -> String {
        self.inner
            .try_borrow()
            .ok()
            .and_then(|s| {
                s.as_ref()
                    .map(|e| serde_json::to_string(e.meta()).unwrap_or_default())
            })
            .unwrap_or_else(|| "{}".into())
    }

    /// Stops the stream: cancels the body read and the request. Safe to call at any time.
    pub fn close(&self) {
        if let Ok(mut s) = self.inner.try_borrow_mut() {
            if let Some(mut es) = s.take() {
                es.close();
            }
        }
        if let Some(c) = &self.canceller {
            let _ = c.call0(&JsValue::NULL);
        }
    }
}
