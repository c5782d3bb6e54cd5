//! Calls a console-compatible logger. Lines carry method, path, status, attempt, request id
//! and timing only; anything else a caller asks to see goes through the redactor first.

use super::sys;
use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Off = 0,
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
}

impl Level {
    pub fn parse(s: &str) -> Level {
        match s {
            "error" => Level::Error,
            "warn" => Level::Warn,
            "info" => Level::Info,
            "debug" => Level::Debug,
            _ => Level::Off,
        }
    }

    fn method(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug | Level::Off => "debug",
        }
    }
}

pub struct Logger {
    target: Option<JsValue>,
    level: Level,
}

impl Logger {
    pub fn new(target: Option<JsValue>, level: Level) -> Self {
        let target = target.filter(|t| t.is_object());
        Self { target, level }
    }

    pub fn enabled(&self, level: Level) -> bool {
        self.target.is_some() && level != Level::Off && level <= self.level
    }

    pub fn log(&self, level: Level, line: &str) {
        if !self.enabled(level) {
            return;
        }
        let Some(target) = &self.target else { return };
        let f = sys::get(target, level.method());
        let f = if f.is_function() {
            f
        } else {
            sys::get(target, "log")
        };
        if let Ok(f) = f.dyn_into::<Function>() {
            // A throwing logger must not turn a successful call into a failure.
            let _ = f.call1(target, &JsValue::from_str(line));
        }
    }
}
