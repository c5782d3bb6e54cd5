//! Tests may panic: a failed assertion is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use agentwire::sse::{is_done_marker, is_terminal_event, SseDecoder, SseError, SseEvent};
use proptest::prelude::*;

fn decode(input: &[u8]) -> (Vec<SseEvent>, bool) {
    let mut dec = SseDecoder::new();
    let mut out = Vec::new();
    dec.push(input, &mut out).unwrap();
    let pending = dec.finish(&mut out);
    (out, pending)
}

fn decode_chunks(chunks: &[&[u8]]) -> (Vec<SseEvent>, bool) {
    let mut dec = SseDecoder::new();
    let mut out = Vec::new();
    for c in chunks {
        dec.push(c, &mut out).unwrap();
    }
    let pending = dec.finish(&mut out);
    (out, pending)
}

fn ev(event: &str, data: &str, id: Option<&str>) -> SseEvent {
    SseEvent {
        event: event.to_string(),
        data: data.to_string(),
        id: id.map(str::to_string),
    }
}

fn data_of(events: &[SseEvent]) -> Vec<&str> {
    events.iter().map(|e| e.data.as_str()).collect()
}

#[test]
fn comments_are_ignored() {
    let (events, pending) = decode(b": hello\n:\ndata: x\n: between\n\n");
    assert_eq!(events, vec![ev("message", "x", None)]);
    assert!(!pending);
}

#[test]
fn lf_crlf_and_cr_line_endings_are_equivalent() {
    let lf = decode(b"event: a\ndata: 1\n\ndata: 2\n\n").0;
    let crlf = decode(b"event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n").0;
    let cr = decode(b"event: a\rdata: 1\r\rdata: 2\r\r").0;
    let expected = vec![ev("a", "1", None), ev("message", "2", None)];
    assert_eq!(lf, expected);
    assert_eq!(crlf, expected);
    assert_eq!(cr, expected);
}

#[test]
fn cr_then_lf_in_the_next_chunk_is_one_line_end() {
    let (events, _) = decode_chunks(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]);
    assert_eq!(events, vec![ev("message", "a\nb", None)]);
}

#[test]
fn cr_at_chunk_end_followed_by_lf_then_lf_is_a_blank_line() {
    // "\r" "\n" is one line end; the second "\n" is a blank line that dispatches.
    let (events, _) = decode_chunks(&[b"data: a\r", b"\n", b"\n"]);
    assert_eq!(events, vec![ev("message", "a", None)]);
    // An empty chunk between CR and LF must not lose the pairing.
    let (events, _) = decode_chunks(&[b"data: a\r", b"", b"\n", b"data: b\n\n"]);
    assert_eq!(events, vec![ev("message", "a\nb", None)]);
}

#[test]
fn leading_bom_is_stripped_only_at_stream_start() {
    let (events, _) = decode(b"\xEF\xBB\xBFdata: x\n\n");
    assert_eq!(events, vec![ev("message", "x", None)]);
    // A BOM split across chunks is still recognised.
    let (events, _) = decode_chunks(&[b"\xEF", b"\xBB", b"\xBFdata: y\n\n"]);
    assert_eq!(events, vec![ev("message", "y", None)]);
    // Only one BOM is stripped: a second one makes the first field name unknown.
    let (events, _) = decode(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: x\n\ndata: z\n\n");
    assert_eq!(events, vec![ev("message", "z", None)]);
    // A BOM later in the stream is content, not stripped.
    let (events, _) = decode(b"data: a\n\n\xEF\xBB\xBFdata: b\n\n");
    assert_eq!(events, vec![ev("message", "a", None)]);
}

#[test]
fn bytes_that_only_start_like_a_bom_are_content() {
    let (events, _) = decode_chunks(&[b"\xEF", b"data: x\n\ndata: y\n\n"]);
    // "\xEFdata" is an unknown field, so only the second event is dispatched.
    assert_eq!(events, vec![ev("message", "y", None)]);
    let (events, _) = decode_chunks(&[b"d", b"ata: x\n\n"]);
    assert_eq!(events, vec![ev("message", "x", None)]);
}

#[test]
fn multi_line_data_is_joined_with_newlines() {
    let (events, _) = decode(b"data: first\ndata: second\ndata:\ndata: fourth\n\n");
    assert_eq!(events, vec![ev("message", "first\nsecond\n\nfourth", None)]);
}

#[test]
fn exactly_one_space_after_colon_is_stripped() {
    let (events, _) = decode(b"data:no-space\n\ndata: one\n\ndata:  two\n\n");
    assert_eq!(data_of(&events), vec!["no-space", "one", " two"]);
}

#[test]
fn field_without_colon_has_empty_value() {
    // "data" alone appends an empty line, so the event is dispatched with empty data.
    let (events, _) = decode(b"data\n\n");
    assert_eq!(events, vec![ev("message", "", None)]);
    let (events, _) = decode(b"data\ndata\n\n");
    assert_eq!(events, vec![ev("message", "\n", None)]);
    // "event" alone resets the type to the default.
    let (events, _) = decode(b"event\ndata: x\n\n");
    assert_eq!(events, vec![ev("message", "x", None)]);
}

#[test]
fn events_without_data_are_not_dispatched_and_reset_the_type() {
    let (events, pending) = decode(b"event: ping\n\n\ndata: x\n\n");
    assert_eq!(events, vec![ev("message", "x", None)]);
    assert!(!pending);
    let (events, _) = decode(b"id: 5\nretry: 10\n\n");
    assert!(events.is_empty());
}

#[test]
fn event_type_applies_to_one_event_only() {
    let (events, _) = decode(b"event: delta\ndata: a\n\ndata: b\n\n");
    assert_eq!(
        events,
        vec![ev("delta", "a", None), ev("message", "b", None)]
    );
}

#[test]
fn id_persists_across_events_and_can_be_reset() {
    let mut dec = SseDecoder::new();
    let mut out = Vec::new();
    dec.push(b"id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n", &mut out)
        .unwrap();
    assert_eq!(
        out,
        vec![
            ev("message", "a", Some("7")),
            ev("message", "b", Some("7")),
            ev("message", "c", None),
        ]
    );
    assert_eq!(dec.last_event_id(), "");
}

#[test]
fn id_with_nul_is_ignored() {
    let mut dec = SseDecoder::new();
    let mut out = Vec::new();
    dec.push(b"id: good\nid: b\0ad\ndata: x\n\n", &mut out)
        .unwrap();
    assert_eq!(out, vec![ev("message", "x", Some("good"))]);
    assert_eq!(dec.last_event_id(), "good");
}

#[test]
fn id_without_data_still_updates_last_event_id() {
    let mut dec = SseDecoder::new();
    let mut out = Vec::new();
    dec.push(b"id: 9\n\n", &mut out).unwrap();
    assert!(out.is_empty());
    assert_eq!(dec.last_event_id(), "9");
}

#[test]
fn retry_accepts_only_ascii_digits() {
    let mut dec = SseDecoder::new();
    let mut out = Vec::new();
    assert_eq!(dec.retry_ms(), None);
    dec.push(b"retry: 1500\n", &mut out).unwrap();
    assert_eq!(dec.retry_ms(), Some(1500));
    for junk in [
        &b"retry: 15s\n"[..],
        b"retry: -1\n",
        b"retry: 1.5\n",
        b"retry:\n",
        b"retry:  20\n",
        b"retry: 99999999999999999999999\n",
    ] {
        dec.push(junk, &mut out).unwrap();
        assert_eq!(
            dec.retry_ms(),
            Some(1500),
            "{:?}",
            String::from_utf8_lossy(junk)
        );
    }
    dec.push(b"retry:0\n", &mut out).unwrap();
    assert_eq!(dec.retry_ms(), Some(0));
}

#[test]
fn unknown_fields_are_ignored() {
    let (events, _) = decode(b"foo: bar\nData: nope\ndata: yes\nDATA: no\n\n");
    assert_eq!(events, vec![ev("message", "yes", None)]);
}

#[test]
fn trailing_partial_event_is_not_dispatched_and_reported() {
    let (events, pending) = decode(b"data: a\n\ndata: b\n");
    assert_eq!(events, vec![ev("message", "a", None)]);
    assert!(pending, "buffered fields must be reported as truncation");

    let (events, pending) = decode(b"data: a\n\ndata: partial-li");
    assert_eq!(events, vec![ev("message", "a", None)]);
    assert!(pending, "a partial line must be reported as truncation");

    let (_, pending) = decode(b"event: x\n");
    assert!(pending, "a buffered event type is pending data");
    let (_, pending) = decode(b"data: a\n\nid: 4\n");
    assert!(
        pending,
        "a field line without its blank line is an event in progress"
    );
    let (_, pending) = decode(b"data: a\n\n: keep-alive\n");
    assert!(!pending, "a trailing comment is not an event");

    let (_, pending) = decode(b"data: a\n\n");
    assert!(!pending);
    let (_, pending) = decode(b"");
    assert!(!pending);
    let (_, pending) = decode(b"\xEF\xBB");
    assert!(pending, "half a BOM is still unconsumed input");
}

#[test]
fn finish_resets_for_a_new_stream_but_keeps_id_and_retry() {
    let mut dec = SseDecoder::new();
    let mut out = Vec::new();
    dec.push(b"id: 3\nretry: 100\ndata: cut", &mut out).unwrap();
    assert!(dec.finish(&mut out));
    assert!(out.is_empty());
    dec.push(b"\xEF\xBB\xBFdata: again\n\n", &mut out).unwrap();
    assert_eq!(out, vec![ev("message", "again", Some("3"))]);
    assert_eq!(dec.retry_ms(), Some(100));
}

#[test]
fn multibyte_utf8_split_across_chunks_is_not_replaced() {
    let text = "data: 😀 中文 é\n\n".as_bytes();
    for split in 0..=text.len() {
        let (a, b) = text.split_at(split);
        let (events, _) = decode_chunks(&[a, b]);
        assert_eq!(
            events,
            vec![ev("message", "😀 中文 é", None)],
            "split at {split}"
        );
    }
}

#[test]
fn invalid_utf8_becomes_replacement_character() {
    let (events, _) = decode(b"event: e\xFF\ndata: a\xC3(b\xF0\x9F\n\n");
    assert_eq!(events, vec![ev("e\u{FFFD}", "a\u{FFFD}(b\u{FFFD}", None)]);
}

#[test]
fn line_over_the_cap_fails_with_typed_error_and_stays_failed() {
    let mut dec = SseDecoder::with_max_line(16);
    let mut out = Vec::new();
    dec.push(b"data: ok\n\n", &mut out).unwrap();
    let err = dec
        .push(b"data: 0123456789abcdef\n\n", &mut out)
        .unwrap_err();
    assert_eq!(err, SseError::LineTooLong { limit: 16 });
    assert!(err.to_string().contains("16 bytes"));
    assert_eq!(out, vec![ev("message", "ok", None)]);
    assert_eq!(dec.push(b"data: x\n\n", &mut out), Err(err));
    assert_eq!(out.len(), 1);
    assert!(dec.finish(&mut out));
}

#[test]
fn long_line_built_from_small_chunks_hits_the_cap() {
    let mut dec = SseDecoder::with_max_line(100);
    let mut out = Vec::new();
    let mut result = Ok(());
    for _ in 0..200 {
        result = dec.push(b"x", &mut out);
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result, Err(SseError::LineTooLong { limit: 100 }));
}

#[test]
fn line_exactly_at_the_cap_is_accepted() {
    let mut dec = SseDecoder::with_max_line(10);
    let mut out = Vec::new();
    dec.push(b"data: 1234\n\n", &mut out).unwrap();
    dec.push(b"data: ", &mut out).unwrap();
    dec.push(b"5678\n\n", &mut out).unwrap();
    assert_eq!(data_of(&out), vec!["1234", "5678"]);
}

#[test]
fn endless_data_lines_without_blank_line_hit_the_event_cap() {
    let mut dec = SseDecoder::with_max_line(64);
    let mut out = Vec::new();
    let mut result = Ok(());
    for _ in 0..100 {
        result = dec.push(b"data: 0123456789\n", &mut out);
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result, Err(SseError::EventTooLarge { limit: 64 }));
    assert!(out.is_empty());
}

#[test]
fn done_marker_detection() {
    assert!(is_done_marker("[DONE]"));
    assert!(is_done_marker("  [DONE] \n"));
    assert!(!is_done_marker("[done]"));
    assert!(!is_done_marker("{\"text\":\"[DONE]\"}"));
}

#[test]
fn terminal_event_detection() {
    assert!(is_terminal_event(&ev("message", "[DONE]", None)));
    assert!(is_terminal_event(&ev(
        "message_stop",
        "{\"type\":\"message_stop\"}",
        None
    )));
    // Gateways that drop the `event:` line still carry the type in JSON.
    assert!(is_terminal_event(&ev(
        "message",
        "{\"type\":\"message_stop\"}",
        None
    )));
    for t in [
        "response.completed",
        "response.failed",
        "response.incomplete",
    ] {
        assert!(is_terminal_event(&ev(t, "{}", None)), "{t}");
        let data = format!("{{\"type\":\"{t}\",\"response\":{{\"id\":\"resp_1\"}}}}");
        assert!(is_terminal_event(&ev("message", &data, None)), "{t}");
    }
    // A finish_reason alone does not end a Hatz/OpenAI stream: usage and [DONE] follow.
    assert!(!is_terminal_event(&ev(
        "message",
        "{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}",
        None
    )));
    assert!(!is_terminal_event(&ev(
        "message_delta",
        "{\"type\":\"message_delta\"}",
        None
    )));
    // The terminal word inside content is not a type.
    assert!(!is_terminal_event(&ev(
        "content_block_delta",
        "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"message_stop\"}}",
        None
    )));
    assert!(!is_terminal_event(&ev(
        "message",
        "{\"type\":\"response.output_text.delta\"}",
        None
    )));
    assert!(!is_terminal_event(&ev(
        "error",
        "{\"type\":\"error\"}",
        None
    )));
}

const FIXTURES: [&str; 5] = [
    "openai_chat.txt",
    "anthropic_messages.txt",
    "hatz_native.txt",
    "error_events.txt",
    "crlf_multibyte.txt",
];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/sse/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn openai_fixture_decodes_to_expected_events() {
    let (events, pending) = decode(&fixture("openai_chat.txt"));
    assert!(!pending);
    assert_eq!(events.len(), 6);
    assert!(events
        .iter()
        .all(|e| e.event == "message" && e.id.is_none()));
    assert!(events[1].data.contains("\"Hello\""));
    assert!(is_terminal_event(events.last().unwrap()));
    assert_eq!(
        events.iter().filter(|e| is_terminal_event(e)).count(),
        1,
        "only [DONE] is terminal"
    );
}

#[test]
fn anthropic_fixture_decodes_named_events() {
    let (events, pending) = decode(&fixture("anthropic_messages.txt"));
    assert!(!pending);
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "message_start",
            "content_block_start",
            "ping",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop",
        ]
    );
    let terminal: Vec<bool> = events.iter().map(is_terminal_event).collect();
    assert_eq!(terminal.iter().filter(|t| **t).count(), 1);
    assert_eq!(terminal.last(), Some(&true));
}

#[test]
fn hatz_fixture_ends_only_at_done() {
    let (events, _) = decode(&fixture("hatz_native.txt"));
    assert_eq!(events.len(), 5);
    assert!(events[3].data.contains("\"finish_reason\":\"stop\""));
    assert!(!is_terminal_event(&events[3]));
    assert!(is_terminal_event(&events[4]));
}

#[test]
fn error_fixture_keeps_ids_retry_and_multiline_json() {
    let mut dec = SseDecoder::new();
    let mut out = Vec::new();
    dec.push(&fixture("error_events.txt"), &mut out).unwrap();
    assert!(!dec.finish(&mut out));
    assert_eq!(out.len(), 4);
    assert_eq!(out[0].id.as_deref(), Some("1"));
    assert_eq!(out[1].event, "error");
    assert_eq!(out[1].id.as_deref(), Some("2"));
    assert!(out[1].data.contains("INSUFFICIENT_BALANCE"));
    assert_eq!(out[2].event, "error");
    assert_eq!(out[3].event, "message");
    let v: serde_json::Value = serde_json::from_str(&out[3].data).unwrap();
    assert_eq!(v["error"]["type"], "server_error");
    assert_eq!(dec.retry_ms(), Some(3000));
    assert_eq!(dec.last_event_id(), "2");
}

#[test]
fn crlf_fixture_handles_bom_cr_and_multibyte() {
    let (events, pending) = decode(&fixture("crlf_multibyte.txt"));
    assert!(!pending);
    assert_eq!(
        events,
        vec![
            ev("delta", "{\"text\":\"こんにちは世界\"}", None),
            ev("message", "emoji 😀🎉 and é\nsecond line 中文", Some("42")),
            ev("message", "old-mac CR ending 🚀", Some("42")),
            ev("message", "mixed", Some("42")),
            ev("message", "[DONE]", Some("42")),
        ]
    );
}

#[test]
fn every_fixture_decodes_identically_byte_by_byte() {
    for name in FIXTURES {
        let bytes = fixture(name);
        let whole = decode(&bytes);
        let chunks: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(decode_chunks(&chunks), whole, "{name}");
        assert!(!whole.0.is_empty(), "{name}");
    }
}

#[test]
fn large_stream_in_small_chunks_decodes_everything() {
    // Guards against quadratic behaviour: 8 MiB in 16 KiB chunks, plus one 2 MiB line in 1 KiB
    // chunks, must finish quickly even in a debug build.
    let mut stream = Vec::new();
    let line = format!("data: {}\n\n", "x".repeat(1000));
    while stream.len() < 8 * 1024 * 1024 {
        stream.extend_from_slice(line.as_bytes());
    }
    let expected = stream.len() / line.len();
    stream.extend_from_slice(b"data: ");
    stream.extend(std::iter::repeat_n(b'y', 2 * 1024 * 1024));
    stream.extend_from_slice(b"\n\n");

    let mut dec = SseDecoder::new();
    let mut out = Vec::new();
    let (head, tail) = stream.split_at(expected * line.len());
    for c in head.chunks(16 * 1024) {
        dec.push(c, &mut out).unwrap();
    }
    for c in tail.chunks(1024) {
        dec.push(c, &mut out).unwrap();
    }
    assert!(!dec.finish(&mut out));
    assert_eq!(out.len(), expected + 1);
    assert_eq!(out.last().unwrap().data.len(), 2 * 1024 * 1024);
}

proptest! {
    #[test]
    fn any_split_of_a_fixture_gives_the_same_events(
        which in 0usize..FIXTURES.len(),
        mut cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..40),
    ) {
        let bytes = fixture(FIXTURES[which]);
        let whole = decode(&bytes);
        let mut points: Vec<usize> = cuts.iter_mut().map(|i| i.index(bytes.len() + 1)).collect();
        points.sort_unstable();
        let mut chunks: Vec<&[u8]> = Vec::new();
        let mut start = 0;
        for p in points {
            chunks.push(&bytes[start..p]);
            start = p;
        }
        chunks.push(&bytes[start..]);
        prop_assert_eq!(decode_chunks(&chunks), whole);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_split_consistently(
        bytes in proptest::collection::vec(
            prop_oneof![
                Just(b'\n'), Just(b'\r'), Just(b':'), Just(b' '), Just(0xEF), Just(0xBB),
                Just(0xBF), Just(0xF0), Just(0x9F), Just(0u8), any::<u8>(),
                Just(b'd'), Just(b'a'), Just(b't'), Just(b'i'),
            ],
            0..300,
        ),
        split in any::<prop::sample::Index>(),
    ) {
        let mut prefixed = b"data".to_vec();
        prefixed.extend_from_slice(&bytes);
        let whole = decode(&prefixed);
        let at = split.index(prefixed.len() + 1);
        let (a, b) = prefixed.split_at(at);
        prop_assert_eq!(decode_chunks(&[a, b]), whole);
    }
}

#[test]
fn terminal_and_error_events_are_recognised_from_their_leading_key() {
    use agentwire::sse::{
        is_terminal_event, is_terminal_exact, leading_key, leading_type, SseEvent,
    };
    let ev = |data: &str| SseEvent {
        event: "message".into(),
        data: data.into(),
        id: None,
    };
    assert!(is_terminal_event(&ev(r#"{"type":"message_stop"}"#)));
    assert!(is_terminal_event(&ev(
        r#" { "type" : "response.completed", "response": {} }"#
    )));
    // A terminal word inside a nested value is not the event's own type.
    assert!(!is_terminal_event(&ev(
        r#"{"type":"content_block_delta","delta":{"type":"message_stop"}}"#
    )));
    assert!(!is_terminal_exact(&ev(
        r#"{"type":"content_block_delta","delta":{"type":"message_stop"}}"#
    )));
    assert!(!is_terminal_event(&ev(
        r#"{"choices":[{"delta":{"content":"\"type\":\"message_stop\""}}]}"#
    )));
    // Another key order is caught by the exact check the stream applies to its last event.
    let reordered = ev(r#"{"sequence_number":9,"type":"response.completed"}"#);
    assert!(!is_terminal_event(&reordered));
    assert!(is_terminal_exact(&reordered));
    assert_eq!(leading_key(r#" {"error":{"code":"X"}}"#), Some("error"));
    assert_eq!(
        leading_type(r#"{"type": "error", "error": {}}"#),
        Some("error")
    );
    assert_eq!(leading_type(r#"{"id":"x","type":"error"}"#), None);
    assert_eq!(leading_key("[DONE]"), None);
    assert_eq!(leading_type(r#"{"type":"#), None);
}
