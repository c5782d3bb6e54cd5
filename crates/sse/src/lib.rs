//! Incremental Server-Sent Events decoding (WHATWG "event stream interpretation").
//!
//! Bytes arrive from `fetch` in arbitrary chunks: a chunk may end inside a UTF-8 sequence, between
//! a CR and its LF, or in the middle of the leading BOM. The decoder therefore works on bytes and
//! only turns a *complete line* into text, so a split multi-byte character is never replaced by
//! U+FFFD just because of where the network cut it; genuinely invalid UTF-8 still becomes U+FFFD.
//!
//! Cost: every input byte is scanned once. Lines that fit inside one chunk are parsed straight
//! from the chunk; only a line cut by a chunk boundary is copied into the carry-over buffer, and
//! only the new chunk is searched for its end, so a long line arriving in many small chunks stays
//! linear.
//!
//! Memory bound and error reporting: a single line longer than the cap (default
//! [`DEFAULT_MAX_LINE`], set with [`SseDecoder::with_max_line`]) makes [`SseDecoder::push`] return
//! [`SseError::LineTooLong`]; the same cap applies to the `data` accumulated for one event
//! ([`SseError::EventTooLarge`]), because a server sending endless `data:` lines without a blank
//! line would otherwise grow memory just as much. Events completed before the offending line are
//! still appended to `out`. After an error the decoder is *failed*: it drops its buffers, and
//! every later `push` returns the same error without reading input, so the caller can raise one
//! typed stream error (`ErrorKind::Stream`) and cancel the body. Nothing here panics.

use std::borrow::Cow;
use std::fmt;

/// Default cap on one line and on one event's data: big enough for any realistic completion
/// chunk (or a whole base64 image in one `data:` line), small enough to stop a runaway stream.
pub const DEFAULT_MAX_LINE: usize = 16 * 1024 * 1024;

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// One dispatched event.
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    /// The `event:` field, or `"message"` when the event did not name itself.
    pub event: String,
    /// All `data:` lines of the event joined with `"\n"`.
    pub data: String,
    /// The last event ID in force when the event was dispatched (`None` when empty).
    pub id: Option<String>,
}

/// Why a stream cannot be decoded further.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SseError {
    /// A line (bytes between two line ends) exceeded the cap.
    LineTooLong { limit: usize },
    /// The `data` of a single event exceeded the cap before its terminating blank line.
    EventTooLarge { limit: usize },
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SseError::LineTooLong { limit } => write!(
                f,
                "event stream line longer than {limit} bytes; the server is not sending a valid \
                 event stream or the response is far larger than expected"
            ),
            SseError::EventTooLarge { limit } => write!(
                f,
                "event stream event data larger than {limit} bytes without a terminating blank \
                 line; the stream was stopped to bound memory"
            ),
        }
    }
}

impl std::error::Error for SseError {}

/// Where the decoder is with respect to the optional leading byte order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BomState {
    /// This many bytes of the stream so far matched the BOM prefix (0..=2).
    Checking(u8),
    Done,
}

/// Incremental event-stream decoder. See the module docs for error and memory behaviour.
#[derive(Debug)]
pub struct SseDecoder {
    max_line: usize,
    /// Bytes of a line cut by a chunk boundary.
    line: Vec<u8>,
    /// A CR ended the previous line; an LF right after it belongs to the same line end.
    skip_lf: bool,
    bom: BomState,
    data: String,
    event_type: String,
    /// A field line arrived since the last blank line, so an event is in progress even if it
    /// set no data yet (e.g. only `id:`); ending here means the stream was cut.
    in_event: bool,
    last_event_id: String,
    retry_ms: Option<u64>,
    failed: Option<SseError>,
}

impl Default for SseDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl SseDecoder {
    pub fn new() -> Self {
        Self::with_max_line(DEFAULT_MAX_LINE)
    }

    /// A decoder whose line and per-event data cap is `max_line` bytes (at least 1).
    pub fn with_max_line(max_line: usize) -> Self {
        Self {
            max_line: max_line.max(1),
            line: Vec::new(),
            skip_lf: false,
            bom: BomState::Checking(0),
            data: String::new(),
            event_type: String::new(),
            in_event: false,
            last_event_id: String::new(),
            retry_ms: None,
            failed: None,
        }
    }

    /// The last event ID buffer (empty when none was set). It survives events, as the spec
    /// requires, so a reconnect can send it as `Last-Event-ID`.
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// The most recent valid `retry:` value, in milliseconds.
    pub fn retry_ms(&self) -> Option<u64> {
        self.retry_ms
    }

    /// Feeds the next chunk and appends every event it completes to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        let result = self.push_inner(chunk, out);
        if let Err(err) = result {
            self.fail(err);
        }
        result
    }

    /// Signals end of input. Per the spec an event without its terminating blank line is not
    /// dispatched, so nothing is ever appended to `out`; the parameter keeps the call shape the
    /// same as [`push`](Self::push). Returns `true` when input was left over (a partial line or
    /// fields of an undispatched event, or the decoder had failed), which means the stream was
    /// cut short. The decoder is then ready for a new stream (reconnect); the last event ID and
    /// retry value are kept.
    pub fn finish(&mut self, out: &mut Vec<SseEvent>) -> bool {
        let _ = out;
        let partial_bom = matches!(self.bom, BomState::Checking(n) if n > 0);
        let pending = self.failed.is_some()
            || partial_bom
            || !self.line.is_empty()
            || self.in_event
            || !self.data.is_empty()
            || !self.event_type.is_empty();
        self.line = Vec::new();
        self.data = String::new();
        self.event_type = String::new();
        self.in_event = false;
        self.skip_lf = false;
        self.bom = BomState::Checking(0);
        self.failed = None;
        pending
    }

    fn fail(&mut self, err: SseError) {
        self.failed = Some(err);
        self.line = Vec::new();
        self.data = String::new();
        self.event_type = String::new();
    }

    fn push_inner(&mut self, chunk: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        let rest = match self.bom {
            BomState::Done => chunk,
            BomState::Checking(matched) => return self.push_checking_bom(matched, chunk, out),
        };
        self.push_lines(rest, out)
    }

    /// Handles the first bytes of a stream, which may be all or part of a BOM.
    fn push_checking_bom(
        &mut self,
        mut matched: u8,
        chunk: &[u8],
        out: &mut Vec<SseEvent>,
    ) -> Result<(), SseError> {
        let mut consumed = 0usize;
        for &byte in chunk {
            if BOM.get(usize::from(matched)) == Some(&byte) {
                matched = matched.saturating_add(1);
                consumed = consumed.saturating_add(1);
                if usize::from(matched) == BOM.len() {
                    self.bom = BomState::Done;
                    return self.push_lines(chunk.get(consumed..).unwrap_or_default(), out);
                }
            } else {
                // Not a BOM after all: the bytes that looked like one are ordinary content.
                self.bom = BomState::Done;
                let held = BOM.get(..usize::from(matched)).unwrap_or_default();
                self.push_lines(held, out)?;
                return self.push_lines(chunk.get(consumed..).unwrap_or_default(), out);
            }
        }
        self.bom = BomState::Checking(matched);
        Ok(())
    }

    fn push_lines(&mut self, mut input: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        if self.skip_lf {
            if let Some((&first, tail)) = input.split_first() {
                self.skip_lf = false;
                if first == b'\n' {
                    input = tail;
                }
            }
        }
        while let Some(end) = input.iter().position(|&b| b == b'\n' || b == b'\r') {
            let (head, tail) = input.split_at(end);
            let (terminator, after) = match tail.split_first() {
                Some((&t, after)) => (t, after),
                None => break,
            };
            input = after;
            if terminator == b'\r' {
                match input.split_first() {
                    Some((&b'\n', after_lf)) => input = after_lf,
                    Some(_) => {}
                    // The LF, if any, is in the next chunk.
                    None => self.skip_lf = true,
                }
            }
            if self.line.is_empty() {
                self.check_line_len(head.len())?;
                self.process_line(head, out)?;
            } else {
                let mut line = std::mem::take(&mut self.line);
                self.check_line_len(line.len().saturating_add(head.len()))?;
                line.extend_from_slice(head);
                self.process_line(&line, out)?;
                // Reuse the allocation for the next cut line.
                line.clear();
                self.line = line;
            }
        }
        if !input.is_empty() {
            self.check_line_len(self.line.len().saturating_add(input.len()))?;
            self.line.extend_from_slice(input);
        }
        Ok(())
    }

    fn check_line_len(&self, len: usize) -> Result<(), SseError> {
        if len > self.max_line {
            Err(SseError::LineTooLong {
                limit: self.max_line,
            })
        } else {
            Ok(())
        }
    }

    fn process_line(&mut self, line: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        if line.is_empty() {
            self.in_event = false;
            self.dispatch(out);
            return Ok(());
        }
        if line.first() == Some(&b':') {
            return Ok(());
        }
        self.in_event = true;
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let (field, rest) = line.split_at(colon);
                let value = rest.get(1..).unwrap_or_default();
                let value = match value.split_first() {
                    Some((&b' ', stripped)) => stripped,
                    _ => value,
                };
                (field, value)
            }
            None => (line, &[][..]),
        };
        match field {
            b"data" => {
                let text = String::from_utf8_lossy(value);
                let new_len = self.data.len().saturating_add(text.len()).saturating_add(1);
                if new_len > self.max_line {
                    return Err(SseError::EventTooLarge {
                        limit: self.max_line,
                    });
                }
                self.data.push_str(&text);
                self.data.push('\n');
            }
            b"event" => {
                self.event_type.clear();
                self.event_type.push_str(&String::from_utf8_lossy(value));
            }
            b"id" if !value.contains(&0) => {
                self.last_event_id.clear();
                self.last_event_id.push_str(&String::from_utf8_lossy(value));
            }
            // Digits only, so the only parse failure left is overflow, which cannot be a
            // meaningful delay; it is ignored like any other junk value.
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                if let Ok(ms) = std::str::from_utf8(value).unwrap_or("").parse::<u64>() {
                    self.retry_ms = Some(ms);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        if self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        if data.ends_with('\n') {
            data.pop();
        }
        let event = if self.event_type.is_empty() {
            String::from("message")
        } else {
            std::mem::take(&mut self.event_type)
        };
        let id = if self.last_event_id.is_empty() {
            None
        } else {
            Some(self.last_event_id.clone())
        };
        out.push(SseEvent { event, data, id });
    }
}

/// Whether `data` is the OpenAI-style end-of-stream sentinel `[DONE]`.
pub fn is_done_marker(data: &str) -> bool {
    data.trim() == "[DONE]"
}

const TERMINAL_TYPES: [&str; 4] = [
    "message_stop",
    "response.completed",
    "response.failed",
    "response.incomplete",
];

/// Whether this event ends the stream normally, so a body that ends *without* one was truncated.
///
/// OpenAI chat and Hatz native end with `data: [DONE]`; a Hatz chunk with a `finish_reason` is not
/// terminal by itself because usage and `[DONE]` may still follow. Anthropic ends with
/// `message_stop`; OpenAI Responses with `response.completed` / `.failed` / `.incomplete`. The
/// type may be in the `event:` field or only in the JSON `type`, depending on the gateway.
pub fn is_terminal_event(ev: &SseEvent) -> bool {
    if is_done_marker(&ev.data) || TERMINAL_TYPES.contains(&ev.event.as_str()) {
        return true;
    }
    // Terminal payloads lead with their type (`{"type":"message_stop"}`); checking only the
    // first key keeps this O(1) per event. `is_terminal_exact` covers other key orders at EOF.
    leading_type(&ev.data).is_some_and(|t| TERMINAL_TYPES.contains(&t))
}

/// The exact (JSON-parsing) form of [`is_terminal_event`], for the one event a stream ended on.
pub fn is_terminal_exact(ev: &SseEvent) -> bool {
    is_terminal_event(ev)
        || (ev.data.trim_start().starts_with('{')
            && json_type(&ev.data).is_some_and(|t| TERMINAL_TYPES.contains(&t.as_ref())))
}

/// The first key of a JSON object, read without parsing the rest.
pub fn leading_key(data: &str) -> Option<&str> {
    let rest = data
        .trim_start()
        .strip_prefix('{')?
        .trim_start()
        .strip_prefix('"')?;
    rest.get(..rest.find('"')?)
}

/// The value of `type` when it is the object's first key and a plain string.
pub fn leading_type(data: &str) -> Option<&str> {
    if leading_key(data)? != "type" {
        return None;
    }
    let after = data
        .get(data.find("\"type\"")? + 6..)?
        .trim_start()
        .strip_prefix(':')?;
    let value = after.trim_start().strip_prefix('"')?;
    value.get(..value.find(['"', '\\'])?)
}

/// The top-level `type` of a JSON payload. Read through `Value` rather than a derived struct:
/// serde's typed errors print floats, which would pull float formatting into the wasm.
fn json_type(data: &str) -> Option<Cow<'_, str>> {
    match serde_json::from_str::<serde_json::Value>(data)
        .ok()?
        .get("type")?
    {
        serde_json::Value::String(t) => Some(Cow::Owned(t.clone())),
        _ => None,
    }
}
