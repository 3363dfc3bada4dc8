//! Every string the widget shows, one table per locale.

use sori_protocol::Locale;

pub struct Strings {
    pub launcher: &'static str,
    pub close: &'static str,
    pub loading: &'static str,
    pub nothing_to_ask: &'static str,
    pub config_failed: &'static str,
    pub submit: &'static str,
    pub sending: &'static str,
    pub retry: &'static str,
    pub optional: &'static str,
    pub required_missing: &'static str,
    pub send_failed: &'static str,
    pub send_rejected: &'static str,
    pub thanks_title: &'static str,
    pub thanks_body: &'static str,
    /// Labels for 1–5 on the satisfaction scale.
    pub csat: [&'static str; 5],
    /// Labels for 1–7 on the effort scale ("… was easy").
    pub ces: [&'static str; 7],
    /// The ends of the 0–10 recommendation scale.
    pub nps_ends: [&'static str; 2],
    pub yes: &'static str,
    pub no: &'static str,
    pub other: &'static str,
    pub other_text: &'static str,
    pub next: &'static str,
    pub back: &'static str,
    /// "Question {n} of {total}"
    pub progress: fn(usize, usize) -> String,
    /// The accessible name of rating point `n` of `points`.
    pub rating_point: fn(u8, u8) -> String,
    pub other_missing: &'static str,
}

pub fn strings(locale: Locale) -> &'static Strings {
    match locale {
        Locale::En => &EN,
        Locale::Ko => &KO,
    }
}

static EN: Strings = Strings {
    launcher: "Feedback",
    close: "Close",
    loading: "Loading…",
    nothing_to_ask: "Nothing to ask right now. Thanks for stopping by!",
    config_failed: "We couldn't load the feedback form. Please try again later.",
    submit: "Send feedback",
    sending: "Sending…",
    retry: "Try again",
    optional: "(optional)",
    required_missing: "Please choose an answer.",
    send_failed: "We couldn't send your feedback. It is saved on this device; check your connection and try again.",
    send_rejected: "We couldn't accept this feedback:",
    thanks_title: "Thank you!",
    thanks_body: "Your feedback goes straight to the team that builds this product.",
    csat: [
        "Very dissatisfied",
        "Dissatisfied",
        "Neutral",
        "Satisfied",
        "Very satisfied",
    ],
    ces: [
        "Strongly disagree",
        "Disagree",
        "Somewhat disagree",
        "Neither agree nor disagree",
        "Somewhat agree",
        "Agree",
        "Strongly agree",
    ],
    nps_ends: ["Not at all likely", "Extremely likely"],
    yes: "Yes",
    no: "No",
    other: "Other",
    other_text: "Tell us more",
    next: "Next",
    back: "Back",
    progress: |n, total| format!("Question {n} of {total}"),
    rating_point: |n, points| format!("{n} of {points}"),
    other_missing: "Please tell us what “Other” means.",
};

static KO: Strings = Strings {
    launcher: "의견 보내기",
    close: "닫기",
    loading: "불러오는 중…",
    nothing_to_ask: "지금은 여쭤볼 내용이 없어요. 들러 주셔서 감사합니다!",
    config_failed: "의견 양식을 불러오지 못했어요. 잠시 후 다시 시도해 주세요.",
    submit: "의견 보내기",
    sending: "보내는 중…",
    retry: "다시 시도",
    optional: "(선택)",
    required_missing: "답을 선택해 주세요.",
    send_failed: "의견을 보내지 못했어요. 이 기기에 저장해 두었으니 연결을 확인한 뒤 다시 시도해 주세요.",
    send_rejected: "의견을 접수하지 못했어요:",
    thanks_title: "감사합니다!",
    thanks_body: "보내 주신 의견은 이 제품을 만드는 팀에 바로 전달됩니다.",
    csat: ["매우 불만족", "불만족", "보통", "만족", "매우 만족"],
    ces: [
        "전혀 그렇지 않다",
        "그렇지 않다",
        "약간 그렇지 않다",
        "보통이다",
        "약간 그렇다",
        "그렇다",
        "매우 그렇다",
    ],
    nps_ends: ["전혀 추천하지 않음", "적극 추천함"],
    yes: "예",
    no: "아니요",
    other: "기타",
    other_text: "자세히 알려 주세요",
    next: "다음",
    back: "이전",
    progress: |n, total| format!("{total}개 중 {n}번째 질문"),
    rating_point: |n, points| format!("{points}점 중 {n}점"),
    other_missing: "‘기타’ 내용을 적어 주세요.",
};
