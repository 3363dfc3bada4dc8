//! What the widget's two wasm modules pass each other. The engine (on every
//! page) and the UI (loaded when something is shown) have separate memories,
//! so these cross as JavaScript values written by serde.

use serde::{Deserialize, Serialize};
use sori_protocol::Pairs;

/// Who is answering, as far as the page has said: filled into each save.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Who {
    /// The random id this browser keeps in localStorage.
    pub respondent: Option<uuid::Uuid>,
    /// `sori('identify', user, attributes)`.
    pub user_id: Option<String>,
    pub attributes: Pairs<String, String>,
}

/// What became of one save the UI handed the engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Delivery {
    /// The collector has it.
    Stored,
    /// Not sent yet (no network, a 5xx, a 429): it waits in the outbox and
    /// the engine retries; the UI hears of it through `delivered`.
    Waiting,
    /// Refused for good, with the collector's reason.
    Refused(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_crosses_between_the_modules_reads_back_the_same() {
        let who = Who {
            respondent: Some(uuid::Uuid::from_u128(7)),
            user_id: Some("user-42".to_owned()),
            attributes: [("plan".to_owned(), "pro".to_owned())]
                .into_iter()
                .collect(),
        };
        let json = serde_json::to_string(&who).unwrap();
        assert_eq!(serde_json::from_str::<Who>(&json).unwrap(), who);
        for delivery in [
            Delivery::Stored,
            Delivery::Waiting,
            Delivery::Refused("survey_not_active".to_owned()),
        ] {
            let json = serde_json::to_string(&delivery).unwrap();
            assert_eq!(serde_json::from_str::<Delivery>(&json).unwrap(), delivery);
        }
    }
}
