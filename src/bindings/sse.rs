use crate::sse;
use wasm_bindgen::prelude::*;

/// The SSE decoder on its own, for callers who bring their own fetch.
#[wasm_bindgen]
pub struct SseDecoder {
    inner: sse::SseDecoder,
    events: Vec<sse::SseEvent>,
}

#[derive(serde::Serialize)]
struct Ev<'a> {
    event: &'a str,
    data: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
}

impl SseDecoder {
    fn drain(&mut self) -> String {
        let evs: Vec<Ev<'_>> = self
            .events
            .iter()
            .map(|e| Ev {
                event: &e.event,
                data: &e.data,
                id: e.id.as_deref(),
            })
            .collect();
        let out = serde_json::to_string(&evs).unwrap_or_else(|_| "[]".into());
        self.events.clear();
        out
    }
}

#[wasm_bindgen]
impl SseDecoder {
    #[wasm_bindgen(constructor)]
    pub fn new() -> SseDecoder {
        SseDecoder {
            inner: sse::SseDecoder::new(),
            events: Vec::new(),
        }
    }

    /// Feeds bytes; returns the completed events as JSON text.
    pub fn push(&mut self, chunk: &[u8]) -> Result<String, JsValue> {
        self.inner
            .push(chunk, &mut self.events)
            .map_err(|e| JsValue::from_str(&e.to_string()))?;
        Ok(self.drain())
    }

    /// Ends the input; `true` if an incomplete event was left (the stream was cut short).
    pub fn finish(&mut self) -> bool {
        let mut tail = Vec::new();
        self.inner.finish(&mut tail)
    }

    #[wasm_bindgen(getter, js_name = lastEventId)]
    pub fn last_event_id(&self) -> String {
        self.inner.last_event_id().to_string()
    }
}

impl Default for SseDecoder {
    fn default() -> Self {
        Self::new()
    }
}
