//! Reads an SSE response body chunk by chunk, hands parsed-ready batches to JS, and turns
//! in-stream error events, truncation and idle gaps into typed errors. Never re-sends.

use super::client::{aborted, Failure, Reply};
use super::signal::{AttemptSignal, Fired};
use super::sys;
use crate::error::{AgentError, ErrorKind};
use crate::meta::Meta;
use crate::parse;
use crate::redact::Redactor;
use crate::sse::{self, SseDecoder, SseEvent};
use js_sys::{Promise, Uint8Array};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::ReadableStreamDefaultReader;

thread_local! {
    // One shared handler for cancel() rejections, so closing a stream allocates nothing.
    static NOOP: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
}

pub struct EventStream {
    reader: Option<ReadableStreamDefaultReader>,
    signal: Option<AttemptSignal>,
    decoder: SseDecoder,
    events: Vec<SseEvent>,
    chunk: Vec<u8>,
    idle_ms: f64,
    redactor: Rc<Redactor>,
    meta: Meta,
    /// An error event seen after data in the same chunk: thrown on the next call.
    pending_error: Option<AgentError>,
    finished: bool,
    /// The data payloads of the last batch, for callers whose payloads are not JSON.
    last_raw: Vec<String>,
    /// The most recent event, checked exactly if the body ends without a recognised terminal.
    last_event: Option<SseEvent>,
}

impl EventStream {
    pub fn new(reply: Reply, idle_ms: f64, redactor: Rc<Redactor>) -> Result<Self, Failure> {
        let meta = reply.meta;
        let body = sys::get(&reply.response, "body");
        let reader = if body.is_object() {
            body.unchecked_into::<web_sys::ReadableStream>()
                .get_reader()
                .dyn_into::<ReadableStreamDefaultReader>()
                .ok()
        } else {
            None
        };
        let Some(reader) = reader else {
            let mut e = AgentError::client(
                ErrorKind::Stream,
                "the response has no readable body to stream",
            );
            e.code = Some("STREAM_NO_BODY".into());
            return Err(Failure { error: e, meta });
        };
        Ok(Self {
            reader: Some(reader),
            signal: reply.signal,
            decoder: SseDecoder::new(),
            events: Vec::new(),
            chunk: Vec::new(),
            idle_ms,
            redactor,
            meta,
            pending_error: None,
            finished: false,
            last_raw: Vec::new(),
            last_event: None,
        })
    }

    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// Aborts the in-flight read from outside while `next_batch` is awaiting it.
    pub fn canceller(&self) -> Option<js_sys::Function> {
        self.signal.as_ref().map(|s| s.abort_fn())
    }

    pub fn last_raw(&self) -> &[String] {
        &self.last_raw
    }

    fn stream_error(&self, code: &str, message: &str) -> AgentError {
        let mut e = AgentError::client(ErrorKind::Stream, message);
        e.code = Some(code.into());
        e.request_id = self.meta.request_id.clone();
        e
    }

    fn fail(&mut self, mut error: AgentError) -> Failure {
        if error.request_id.is_none() {
            error.request_id = self.meta.request_id.clone();
        }
        self.close();
        Failure {
            error,
            meta: self.meta.clone(),
        }
    }

    /// The next batch as a JSON array text (objects for JSON payloads, strings otherwise),
    /// `None` at the terminal event.
    pub async fn next_batch(&mut self) -> Result<Option<String>, Failure> {
        if let Some(e) = self.pending_error.take() {
            return Err(self.fail(e));
        }
        loop {
            if self.finished {
                self.close();
                return Ok(None);
            }
            let Some(reader) = self.reader.clone() else {
                return Ok(None);
            };
            if let Some(s) = self.signal.as_mut() {
                s.rearm(self.idle_ms);
            }
            let read = JsFuture::from(Promise::resolve(&reader.read())).await;
            let fired = self.signal.as_ref().map(|s| s.fired()).unwrap_or(Fired::No);
            let result = match read {
                Ok(r) => r,
                Err(e) => {
                    let err = match fired {
                        Fired::Caller => aborted(),
                        Fired::Timeout => {
                            let mut e = AgentError::client(
                                ErrorKind::Timeout,
                                &format!(
                                    "no data arrived on the stream for {} ms (streamIdleTimeoutMs)",
                                    self.idle_ms as u64
                                ),
                            );
                            e.code = Some("STREAM_IDLE_TIMEOUT".into());
                            e.retryable = false;
                            e
                        }
                        Fired::No => {
                            let msg = super::fetch::rejection(e).message;
                            self.stream_error(
                                "STREAM_INTERRUPTED",
                                &self
                                    .redactor
                                    .redact(&format!("the stream broke before it finished: {msg}")),
                            )
                        }
                    };
                    return Err(self.fail(err));
                }
            };
            if sys::get(&result, "done").as_bool().unwrap_or(false) {
                let mut tail = Vec::new();
                self.decoder.finish(&mut tail);
                // A terminal event whose type was not its first key ends the stream cleanly too.
                if self.last_event.as_ref().is_some_and(sse::is_terminal_exact) {
                    self.close();
                    return Ok(None);
                }
                let e = self.stream_error(
                    "STREAM_TRUNCATED",
                    "the stream ended before its terminal event: the answer is incomplete",
                );
                return Err(self.fail(e));
            }
            let value = sys::get(&result, "value");
            let Ok(bytes) = value.dyn_into::<Uint8Array>() else {
                let e = self.stream_error(
                    "STREAM_BAD_CHUNK",
                    "the stream produced a chunk that is not bytes",
                );
                return Err(self.fail(e));
            };
            self.chunk.resize(bytes.length() as usize, 0);
            bytes.copy_to(&mut self.chunk);
            self.events.clear();
            let chunk = std::mem::take(&mut self.chunk);
            let pushed = self.decoder.push(&chunk, &mut self.events);
            self.chunk = chunk;
            if let Err(e) = pushed {
                let err = self.stream_error("STREAM_LINE_TOO_LONG", &format!("{e}"));
                return Err(self.fail(err));
            }
            if let Some(batch) = self.batch()? {
                return Ok(Some(batch));
            }
        }
    }

    fn batch(&mut self) -> Result<Option<String>, Failure> {
        let mut out = String::from("[");
        self.last_raw.clear();
        let events = std::mem::take(&mut self.events);
        for ev in &events {
            if self.finished {
                break;
            }
            if sse::is_done_marker(&ev.data) {
                self.finished = true;
                break;
            }
            // Error payloads lead with `error` or `"type":"error"` in every platform's shape.
            let looks_error = ev.event == "error"
                || sse::leading_key(&ev.data) == Some("error")
                || sse::leading_type(&ev.data) == Some("error");
            if looks_error {
                if let Some(err) = parse::parse_event_error(&ev.data, &self.redactor) {
                    if out.len() > 1 {
                        self.pending_error = Some(err);
                        break;
                    }
                    return Err(self.fail(err));
                }
            }
            if sse::is_terminal_event(ev) {
                self.finished = true;
            }
            if out.len() > 1 {
                out.push(',');
            }
            let d = ev.data.trim_start();
            if d.starts_with('{') || d.starts_with('[') {
                out.push_str(&ev.data);
            } else {
                out.push_str(&serde_json::to_string(&ev.data).unwrap_or_else(|_| "null".into()));
            }
            self.last_raw.push(ev.data.clone());
        }
        if let Some(last) = events.last() {
            self.last_event = Some(last.clone());
        }
        self.events = events;
        if out.len() == 1 {
            return Ok(None);
        }
        out.push(']');
        Ok(Some(out))
    }

    /// Cancels the body read and the request; idempotent.
    pub fn close(&mut self) {
        if let Some(r) = self.reader.take() {
            // cancel() rejects if the stream already errored; nothing to do then.
            let _ = NOOP.with(|noop| r.cancel().catch(noop));
            r.release_lock();
        }
        if let Some(s) = self.signal.take() {
            s.abort();
        }
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.close();
    }
}
