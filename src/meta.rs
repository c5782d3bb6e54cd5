//! What every result and every error carries about the exchange that produced it.

use crate::error::RateLimit;
use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// The response's request id, else the one we sent (the platform adopts ours, seed 000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub attempts: u32,
    pub duration_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Usage, cost and balance headers the platform sent, already redacted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub usage: Vec<(String, String)>,
    /// Total time spent sleeping between attempts.
    pub waited_ms: f64,
}
