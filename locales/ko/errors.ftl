# errors
# 오류 페이지와 거부된 입력의 메시지 (API는 영어 메시지를 보여 줍니다).

## 요청 오류
error-validation = { $field }: { $message }
error-unauthorized = 로그인이 필요합니다
error-not-found = 찾을 수 없습니다: { $what }
error-stale = 티켓을 불러온 뒤에 변경되었습니다 (현재 버전 { $version })
error-too-large = 요청 본문이 너무 큽니다
error-rate-limited = 요청이 너무 많습니다. { $secs }초 후에 다시 시도하세요
error-unavailable = 지금은 데이터베이스가 요청을 처리할 수 없습니다 (중단, 과부하 또는 디스크 공간 부족). { $secs }초 후에 다시 시도하세요
error-search-unavailable = 검색이 응답하지 않습니다. { $secs }초 후에 다시 시도하세요
error-internal = 내부 오류 (참조 번호 { $reference })
error-already-exists = 이미 있습니다
error-csrf = 양식이 만료되었거나 이 사이트에서 보낸 것이 아닙니다. 페이지를 새로 고친 뒤 다시 시도하세요
error-malformed-form = 양식 형식이 잘못되었습니다: { $detail }
error-needs-admin = 관리자 역할이 필요합니다
error-needs-lead = 팀장 또는 관리자 역할이 필요합니다

## 찾을 수 없는 항목 (404 오류 페이지)
error-not-found-action = 작업을 찾을 수 없습니다
error-not-found-agent = 상담원을 찾을 수 없습니다
error-not-found-attachment = 첨부 파일을 찾을 수 없습니다
error-not-found-bulk-change = 일괄 변경을 찾을 수 없습니다
error-not-found-calendar = 업무 일정을 찾을 수 없습니다
error-not-found-current-identity = 현재 식별 정보를 찾을 수 없습니다
error-not-found-customer = 고객을 찾을 수 없습니다
error-not-found-endpoint = 엔드포인트를 찾을 수 없습니다
error-not-found-identity = 식별 정보를 찾을 수 없습니다
error-not-found-link-action = 링크 작업을 찾을 수 없습니다
error-not-found-macro = 매크로를 찾을 수 없습니다
error-not-found-merge = 병합 내역을 찾을 수 없습니다
error-not-found-message = 메시지를 찾을 수 없습니다
error-not-found-notification = 알림을 찾을 수 없습니다
error-not-found-page = 페이지를 찾을 수 없습니다
error-not-found-policy = 정책을 찾을 수 없습니다
error-not-found-quarantined-message = 격리된 메시지를 찾을 수 없습니다
error-not-found-report = 보고서를 찾을 수 없습니다
error-not-found-rule = 규칙을 찾을 수 없습니다
error-not-found-saved-reply = 저장된 답변을 찾을 수 없습니다
error-not-found-tag = 태그를 찾을 수 없습니다
error-not-found-team = 팀을 찾을 수 없습니다
error-not-found-text-to-insert = 삽입할 텍스트를 찾을 수 없습니다
error-not-found-ticket = 티켓을 찾을 수 없습니다
error-not-found-view = 보기를 찾을 수 없습니다

## 입력 항목 오류 (항목 옆에 표시)
error-nul = NUL 문자를 포함할 수 없습니다
error-required = 필수 항목입니다
error-too-long = 너무 깁니다
error-too-long-chars = 너무 깁니다 (최대 { $max }자)
error-too-large-kb = 너무 큽니다 (최대 { $max }KB)
error-too-many-files = 파일은 최대 { $max }개까지 첨부할 수 있습니다
error-too-many-cc = 최대 { $max }개까지 입력할 수 있습니다
error-cc-limit = 티켓 하나에 참조는 최대 { $max }명까지 추가할 수 있습니다
error-not-email = 올바른 이메일 주소가 아닙니다
error-single-line = 한 줄로 입력해야 합니다
error-tag-same-name = 태그의 현재 이름과 같습니다
error-not-active-agent = 활성 상담원이 아닙니다
error-not-agent-id = 상담원 ID가 아닙니다
error-not-ticket-version = 티켓 버전이 아닙니다
error-not-message-of-ticket = 이 티켓의 메시지가 아닙니다
error-status-change = 이 상태 변경은 할 수 없습니다: { $from } → { $to }
error-unknown-queue = 알 수 없는 대기열입니다
error-team-id = 팀 ID여야 합니다
error-view-id = 보기 ID여야 합니다
error-ticket-id = 티켓 ID여야 합니다
error-event-id = 이벤트 ID여야 합니다
error-queue-or-all = queue 또는 all이어야 합니다
error-presence-state = viewing, replying, left 중 하나여야 합니다
error-password-spaces = 공백만으로 이루어질 수 없습니다
error-password-short = { $min }자 이상이어야 합니다
error-password-weak = 너무 추측하기 쉽습니다. 서로 관련 없는 단어 몇 개나 더 긴 문구를 사용하세요
error-password-weak-why = 너무 추측하기 쉽습니다 ({ $why }). 서로 관련 없는 단어 몇 개나 더 긴 문구를 사용하세요
error-password-wrong = 올바르지 않습니다
error-email-taken = 다른 상담원이 이미 사용하고 있습니다
error-not-found-ticket-link = 유효하지 않거나 만료된 링크입니다
error-not-found-rating-link = 유효하지 않거나 만료된 평가 링크입니다
error-email-required = 필수 항목입니다
error-email-too-long = 너무 깁니다 (최대 { $max }자)
error-email-invalid = 올바른 이메일 주소가 아닙니다
error-sign-in-alert = 최근 15분 동안 계정 로그인에 { $count }번 실패했습니다. 마지막 시도는 { $address }에서 있었습니다. 이전에 사용한 브라우저에서는 계속 로그인할 수 있습니다. 본인이 시도한 것이 아니라면 비밀번호를 변경해 주세요.
