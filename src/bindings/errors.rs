use crate::error::AgentError;
use crate::headers::HeaderList;
use crate::meta::Meta;
use crate::parse;
use crate::redact::Redactor;
use crate::report::{self, ReportContext};
use crate::transport::Failure;
use js_sys::Function;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    static FACTORY: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers the JS function that turns an error's JSON into an `AgentError` instance.
#[wasm_bindgen(js_name = setErrorFactory)]
pub fn set_error_factory(f: Function) {
    FACTORY.with(|slot| {
        if let Ok(mut s) = slot.try_borrow_mut() {
            *s = Some(f);
        }
    });
}

pub fn error_json(error: &AgentError, meta: Option<&Meta>) -> String {
    let mut v = serde_json::to_value(error).unwrap_or(serde_json::Value::Null);
    if let (Some(m), Some(obj)) = (meta, v.as_object_mut()) {
        obj.insert(
            "meta".into(),
            serde_json::to_value(m).unwrap_or(serde_json::Value::Null),
        );
    }
    v.to_string()
}

pub fn to_js_error(error: &AgentError, meta: Option<&Meta>) -> JsValue {
    let json = error_json(error, meta);
    let made = FACTORY.with(|slot| {
        slot.try_borrow().ok().and_then(|f| {
            f.as_ref()
                .and_then(|f| f.call1(&JsValue::NULL, &JsValue::from_str(&json)).ok())
        })
    });
    made.unwrap_or_else(|| {
        let e = js_sys::Error::new(&error.message);
        e.set_name("AgentError");
        e.into()
    })
}

pub fn failure_to_js(f: Failure) -> JsValue {
    to_js_error(&f.error, Some(&f.meta))
}

/// `headers` is a flat `[name, value, name, value, ...]` list the JS layer built from a
/// `Headers` object or a plain object.
#[wasm_bindgen(js_name = parseErrorRaw)]
pub fn parse_error_raw(status: u16, headers: Vec<String>, body: &[u8], now_ms: f64) -> JsValue {
    let mut list = HeaderList::new();
    let mut it = headers.into_iter();
    while let (Some(n), Some(v)) = (it.next(), it.next()) {
        list.push(n, v);
    }
    let err = parse::parse_error(status, &list, body, now_ms, &Redactor::default());
    to_js_error(&err, None)
}

/// Returns `{"text": ..., "json": ...}` as JSON text. `secrets` are removed wherever they appear.
#[wasm_bindgen(js_name = supportReportRaw)]
pub fn support_report_raw(
    error_json: &str,
    context_json: &str,
    secrets: Vec<String>,
) -> Result<String, JsValue> {
    let redactor = Redactor::new(secrets);
    report_json(error_json, context_json, &redactor)
}

pub fn report_json(
    error_json: &str,
    context_json: &str,
    redactor: &Redactor,
) -> Result<String, JsValue> {
    let error: serde_json::Value = serde_json::from_str(error_json).map_err(|e| {
        JsValue::from_str(&format!("supportReport: the error could not be read ({e})"))
    })?;
    let agent_error = AgentError::from_value(&error)
        .ok_or_else(|| JsValue::from_str("supportReport: the error has no valid kind"))?;
    let ctx = if context_json.is_empty() {
        ReportContext::default()
    } else {
        let v: serde_json::Value = serde_json::from_str(context_json)
            .map_err(|e| JsValue::from_str(&format!("supportReport: context is invalid: {e}")))?;
        ReportContext::from_value(&v)
    };
    let r = report::support_report(&agent_error, &ctx, redactor);
    Ok(serde_json::json!({ "text": r.text, "json": r.json }).to_string())
}
