//! Every string the widget shows, one table per locale.

use sori_protocol::Locale;

pub struct Strings {
    /// The launcher of a site with surveys only.
    pub launcher: &'static str,
    /// The launcher of a site with a help center: it opens on Help.
    pub launcher_help: &'static str,
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
    /// Under a multi-choice question's prompt.
    pub select_all: &'static str,
    pub help: &'static str,
    pub feedback: &'static str,
    pub search_label: &'static str,
    pub searching: &'static str,
    pub no_results: &'static str,
    /// "3 articles found", for screen readers.
    pub result_count: fn(usize) -> String,
    pub help_failed: &'static str,
    pub popular: &'static str,
    pub all_articles: &'static str,
    pub helpful_q: &'static str,
    pub why_label: &'static str,
    pub send: &'static str,
    pub vote_thanks: &'static str,
    pub still_need_help: &'static str,
}

pub fn strings(locale: Locale) -> &'static Strings {
    match locale {
        Locale::En => &EN,
        Locale::Ko => &KO,
    }
}

/// The launcher's label alone: the engine, on every page view, shows only
/// this, and reading it from the constant tables keeps the rest of them
/// out of the engine's wasm.
pub fn launcher_label(locale: Locale, help: bool) -> &'static str {
    match (locale, help) {
        (Locale::En, false) => EN.launcher,
        (Locale::En, true) => EN.launcher_help,
        (Locale::Ko, false) => KO.launcher,
        (Locale::Ko, true) => KO.launcher_help,
    }
}

const EN: Strings = Strings {
    launcher: "Give feedback",
    launcher_help: "Help & feedback",
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
    select_all: "Select all that apply.",
    help: "Help",
    feedback: "Feedback",
    search_label: "Search help articles",
    searching: "Searching…",
    no_results: "No articles match. Try other words, or tell us what you need.",
    result_count: |n| match n {
        1 => "1 article found".to_owned(),
        n => format!("{n} articles found"),
    },
    help_failed: "We couldn't load the help articles.",
    popular: "Popular",
    all_articles: "← All articles",
    helpful_q: "Was this helpful?",
    why_label: "What was missing? (optional)",
    send: "Send",
    vote_thanks: "Thanks for letting us know.",
    still_need_help: "Still need help? Contact us",
};

const KO: Strings = Strings {
    launcher: "의견 남기기",
    launcher_help: "도움말·의견",
    close: "닫기",
    loading: "불러오는 중…",
    nothing_to_ask: "지금은 여쭤볼 내용이 없어요. 들러 주셔서 감사합니다!",
    config_failed: "의견 양식을 불러오지 못했어요. 잠시 후 다시 시도해 주세요.",
    submit: "의견 보내기",
    sending: "보내는 중…",
    retry: "다시 시도",
    optional: "(선택 사항)",
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
    select_all: "해당하는 것을 모두 골라 주세요.",
    help: "도움말",
    feedback: "의견",
    search_label: "도움말 검색",
    searching: "검색 중…",
    no_results: "맞는 글이 없어요. 다른 단어로 찾아보거나 필요한 내용을 알려 주세요.",
    result_count: |n| format!("글 {n}개를 찾았어요"),
    help_failed: "도움말을 불러오지 못했어요.",
    popular: "많이 본 글",
    all_articles: "← 전체 글",
    helpful_q: "도움이 되었나요?",
    why_label: "어떤 내용이 부족했나요? (선택 사항)",
    send: "보내기",
    vote_thanks: "알려 주셔서 감사합니다.",
    still_need_help: "해결되지 않았나요? 문의하기",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launcher_the_feedback_tab_and_send_have_distinct_names() {
        for locale in Locale::ALL {
            let t = strings(locale);
            let names = [t.launcher, t.launcher_help, t.feedback, t.submit];
            for (i, a) in names.iter().enumerate() {
                for b in &names[i + 1..] {
                    assert_ne!(a, b, "{locale:?} uses '{a}' twice");
                }
            }
        }
    }

    #[test]
    fn one_article_is_counted_in_the_singular() {
        assert_eq!((strings(Locale::En).result_count)(1), "1 article found");
        assert_eq!((strings(Locale::En).result_count)(3), "3 articles found");
        assert_eq!((strings(Locale::Ko).result_count)(1), "글 1개를 찾았어요");
    }

    #[test]
    fn every_scale_has_a_label_for_each_point_in_both_languages() {
        for locale in Locale::ALL {
            let t = strings(locale);
            assert!(t.csat.iter().chain(&t.ces).all(|l| !l.trim().is_empty()));
            assert!(!(t.rating_point)(3, 5).is_empty());
        }
    }
}
