//! The dashboard's words, in English and Korean.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// "n = 387 answers", said the way each language says it.
    pub fn answers(self, n: u64) -> String {
        match self {
            Lang::En => format!("n = {n} answers"),
            Lang::Ko => format!("응답 {n}개 (n)"),
        }
    }

    pub fn text(self) -> &'static Text {
        match self {
            Lang::En => &EN,
            Lang::Ko => &KO,
        }
    }
}

pub struct Text {
    pub product: &'static str,
    pub other_language: &'static str,
    pub sign_in: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub signing_in: &'static str,
    pub wrong_password: &'static str,
    pub too_many: &'static str,
    pub unreachable: &'static str,
    pub sign_out: &'static str,
    pub sites: &'static str,
    pub no_sites: &'static str,
    pub overview: &'static str,
    pub responses: &'static str,
    pub loading: &'static str,
    pub failed: &'static str,
    pub live: &'static str,
    pub offline: &'static str,
    pub interval: &'static str,
    pub low_sample: &'static str,
    pub no_answers: &'static str,
    pub vs_previous: &'static str,
    pub significant: &'static str,
    pub not_significant: &'static str,
    pub csat: &'static str,
    pub nps: &'static str,
    pub ces: &'static str,
    pub csat_trend: &'static str,
    pub show_numbers: &'static str,
    pub day: &'static str,
    pub score: &'static str,
    pub load_more: &'static str,
    pub download_csv: &'static str,
    pub no_responses: &'static str,
    pub main_nav: &'static str,
    pub negative: &'static str,
    pub positive: &'static str,
    pub on: &'static str,
}

static EN: Text = Text {
    product: "Sori",
    other_language: "한국어",
    sign_in: "Sign in",
    email: "Email",
    password: "Password",
    signing_in: "Signing in…",
    wrong_password: "Wrong email or password.",
    too_many: "Too many attempts. Wait a minute and try again.",
    unreachable: "The collector cannot be reached. Check your connection and try again.",
    sign_out: "Sign out",
    sites: "Sites",
    no_sites: "You have no sites yet. Ask an owner to add you to one.",
    overview: "Overview",
    responses: "Responses",
    loading: "Loading…",
    failed: "This could not be loaded. Try again in a moment.",
    live: "Live",
    offline: "Offline, reconnecting…",
    interval: "95% interval",
    low_sample: "Few answers: read with care",
    no_answers: "No answers yet",
    vs_previous: "vs the 30 days before",
    significant: "a real change",
    not_significant: "within noise",
    csat: "Satisfaction (CSAT)",
    nps: "Net Promoter Score",
    ces: "Effort (CES, agree it was easy)",
    csat_trend: "Satisfaction by day, last 30 days",
    show_numbers: "Show the numbers",
    day: "Day",
    score: "Score",
    load_more: "Load more",
    download_csv: "Download CSV",
    no_responses: "No responses yet.",
    main_nav: "Site pages",
    negative: "negative",
    positive: "positive",
    on: "on",
};

static KO: Text = Text {
    product: "소리",
    other_language: "English",
    sign_in: "로그인",
    email: "이메일",
    password: "비밀번호",
    signing_in: "로그인 중…",
    wrong_password: "이메일 또는 비밀번호가 틀렸어요.",
    too_many: "시도가 너무 많아요. 잠시 후 다시 시도해 주세요.",
    unreachable: "수집 서버에 연결할 수 없어요. 연결을 확인하고 다시 시도해 주세요.",
    sign_out: "로그아웃",
    sites: "사이트",
    no_sites: "아직 사이트가 없어요. 소유자에게 추가를 요청하세요.",
    overview: "개요",
    responses: "응답",
    loading: "불러오는 중…",
    failed: "불러오지 못했어요. 잠시 후 다시 시도해 주세요.",
    live: "실시간",
    offline: "오프라인, 다시 연결하는 중…",
    interval: "95% 구간",
    low_sample: "응답이 적어요: 신중히 보세요",
    no_answers: "아직 응답이 없어요",
    vs_previous: "직전 30일 대비",
    significant: "의미 있는 변화",
    not_significant: "오차 범위 안",
    csat: "만족도 (CSAT)",
    nps: "순추천지수 (NPS)",
    ces: "노력 점수 (CES, 쉬웠다는 응답)",
    csat_trend: "최근 30일 일별 만족도",
    show_numbers: "숫자로 보기",
    day: "날짜",
    score: "점수",
    load_more: "더 보기",
    download_csv: "CSV 내려받기",
    no_responses: "아직 응답이 없어요.",
    main_nav: "사이트 페이지",
    negative: "부정적",
    positive: "긍정적",
    on: "날짜",
};
