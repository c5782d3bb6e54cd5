//! Per-attempt abort signals, timeouts and abortable sleeps.
//!
//! Listeners and timer callbacks are JS functions (a bound `abort`, a promise's `resolve`), never
//! Rust closures: a late timer or event can then never call into freed wasm memory, and
//! dropping the guard clears the timer and removes the listener so nothing is left behind.

use super::sys;
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

/// Why an attempt's signal fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fired {
    No,
    Timeout,
    Caller,
}

/// The signal one fetch attempt runs under: aborted by its own timeout or by the caller's signal.
pub struct AttemptSignal {
    controller: AbortController,
    abort_fn: Function,
    timer: Option<JsValue>,
    caller: Option<AbortSignal>,
}

impl AttemptSignal {
    pub fn new(timeout_ms: f64, caller: Option<&AbortSignal>) -> Result<Self, JsValue> {
        let controller = AbortController::new()?;
        let abort_fn: Function = sys::get(&controller, "abort").dyn_into()?;
        let abort_fn = abort_fn.bind0(&controller);
        let mut me = Self {
            controller,
            abort_fn,
            timer: None,
            caller: caller.cloned(),
        };
        if let Some(c) = &me.caller {
            if c.aborted() {
                me.controller.abort();
                return Ok(me);
            }
            c.add_event_listener_with_callback("abort", &me.abort_fn)?;
        }
        me.rearm(timeout_ms);
        Ok(me)
    }

    pub fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Restarts the timeout (used as an idle timer between stream chunks).
    pub fn rearm(&mut self, timeout_ms: f64) {
        if let Some(t) = self.timer.take() {
            sys::clear_timeout(&t);
        }
        if timeout_ms.is_finite() && timeout_ms > 0.0 {
            self.timer = Some(sys::set_timeout(&self.abort_fn, timeout_ms));
        }
    }

    pub fn fired(&self) -> Fired {
        if self.caller.as_ref().is_some_and(|c| c.aborted()) {
            Fired::Caller
        } else if self.controller.signal().aborted() {
            Fired::Timeout
        } else {
            Fired::No
        }
    }

    pub fn abort_fn(&self) -> Function {
        self.abort_fn.clone()
    }

    /// Aborts the attempt now (stream cancelled by the consumer).
    pub fn abort(&self) {
        self.controller.abort();
    }
}

impl Drop for AttemptSignal {
    fn drop(&mut self) {
        if let Some(t) = self.timer.take() {
            sys::clear_timeout(&t);
        }
        if let Some(c) = &self.caller {
            let _ = c.remove_event_listener_with_callback("abort", &self.abort_fn);
        }
    }
}

/// Sleeps `ms` on a real timer; returns false if the caller's signal aborted first.
pub async fn sleep(ms: f64, caller: Option<&AbortSignal>) -> bool {
    if caller.is_some_and(|c| c.aborted()) {
        return false;
    }
    let mut handle = JsValue::UNDEFINED;
    let mut resolver: Option<Function> = None;
    let promise = Promise::new(&mut |resolve, _reject| {
        handle = sys::set_timeout(&resolve, ms.max(0.0));
        resolver = Some(resolve);
    });
    if let (Some(c), Some(r)) = (caller, &resolver) {
        let _ = c.add_event_listener_with_callback("abort", r);
    }
    let _ = JsFuture::from(promise).await;
    sys::clear_timeout(&handle);
    if let (Some(c), Some(r)) = (caller, &resolver) {
        let _ = c.remove_event_listener_with_callback("abort", r);
    }
    !caller.is_some_and(|c| c.aborted())
}
