# webhooks: 외부로 보내는 웹훅 (/admin/webhooks)과 오류

webhooks-title = 웹훅
webhooks-admin-index-about = 티켓, 메시지, SLA, 평가, 고객 이벤트를 서명과 함께 다른 시스템으로 보내고 전송 기록을 확인합니다.
webhooks-intro = Casebook은 구독이 요청한 각 이벤트를 해당 URL로 보내며, 구독의 비밀 키로 서명합니다. 실패한 전송은 점점 긴 간격으로 다시 시도하고, 티켓마다 순서대로 도착합니다. 계속 실패하는 구독은 사용 중지되고 관리자에게 알림이 갑니다.
webhooks-none = 아직 웹훅이 없습니다.
webhooks-back = ← 모든 웹훅

# The events
webhooks-event-ticket-created = 티켓이 생성됨
webhooks-event-ticket-updated = 티켓이 변경됨
webhooks-event-ticket-solved = 티켓이 해결됨
webhooks-event-ticket-reopened = 티켓이 다시 열림
webhooks-event-message-added = 메시지나 메모가 추가됨
webhooks-event-sla-warning = SLA 경고
webhooks-event-sla-breach = SLA 위반
webhooks-event-csat-received = 고객이 티켓을 평가함
webhooks-event-customer-merged = 고객이 병합됨

# Delivery states
webhooks-status-pending = 대기 중
webhooks-status-retrying = 재시도 중
webhooks-status-delivered = 전송됨
webhooks-status-failed = 실패
webhooks-status-paused = 사용 중지 동안 보관됨
webhooks-state-active = 사용 중
webhooks-state-disabled = 사용 중지됨
webhooks-disabled-failing = 연속 { $failures }회 실패하여 사용 중지되었습니다.
webhooks-disabled-admin = 관리자가 사용 중지했습니다.
webhooks-failing-now = 연속 { $failures }회 실패
webhooks-paused-count = 전송 { $count }건이 보관되어 있으며, 다시 사용하면 전송됩니다.

# Lists and forms
webhooks-col-name = 이름
webhooks-col-url = URL
webhooks-col-events = 이벤트
webhooks-col-state = 상태
webhooks-col-when = 시각
webhooks-col-event = 이벤트
webhooks-col-ticket = 티켓
webhooks-col-status = 상태
webhooks-col-attempts = 시도 횟수
webhooks-col-answer = 마지막 응답
webhooks-col-result = 결과
webhooks-col-actions = 작업
webhooks-add = 웹훅 추가
webhooks-add-button = 웹훅 추가
webhooks-edit = 이 웹훅 변경
webhooks-save = 저장
webhooks-field-name = 이름
webhooks-field-url = 이벤트를 받을 URL
webhooks-field-events = 보낼 이벤트
webhooks-field-secret = 비밀 키 (비워 두면 자동으로 만듭니다)
webhooks-field-new-secret = 새 비밀 키 (비워 두면 현재 키를 유지합니다)
webhooks-field-secret-help = { $min }자 이상. 수신 측은 이 키로 Casebook-Signature 헤더를 확인합니다.
webhooks-field-allow-private = 사설 주소와 루프백 주소 허용
webhooks-field-allow-private-help = 내부 네트워크의 수신 측에만 사용하세요. 이 옵션이 없으면 127.0.0.1, 10.x, 192.168.x, 링크 로컬 등 내부 주소를 가리키는 URL은 거부됩니다.
webhooks-secret-once = 이 웹훅의 비밀 키는 지금 한 번만 표시됩니다. 수신 측에 복사해 두세요:
webhooks-secret-hint = 비밀 키 끝자리
webhooks-failures = 연속 실패 횟수
webhooks-enable = 사용 (보관된 전송도 보내기)
webhooks-disable = 사용 중지
webhooks-delete = 기록과 함께 삭제
webhooks-log = 전송 기록
webhooks-log-empty = 아직 전송이 없습니다.
webhooks-filter-status = 상태
webhooks-filter-any = 전체
webhooks-filter = 보기
webhooks-older = 이전 전송
webhooks-next-attempt = 다음 시도
webhooks-latency = { $ms }ms
webhooks-redeliver = 다시 보내기
webhooks-delivery-title = { $event } 전송
webhooks-delivery-id = 전송 ID
webhooks-attempts = 시도
webhooks-attempts-none = 아직 시도하지 않았습니다.
webhooks-attempt-manual = 사용자가 다시 보냄
webhooks-body = 보낸 본문

# The notice admins get
webhooks-notice-disabled = 웹훅 “{ $name }”({ $url })이 연속 { $failures }회 전송에 실패하여 사용 중지되었습니다. 새 이벤트는 보관됩니다. 수신 측을 고친 뒤 웹훅 페이지에서 다시 사용하면 전송됩니다.

# Errors
webhooks-error-url-missing = 필수 항목입니다: 이벤트를 받을 URL.
webhooks-error-url-invalid = 올바른 URL이 아닙니다.
webhooks-error-url-scheme = http:// 또는 https://로 시작해야 합니다.
webhooks-error-url-credentials = 사용자 이름이나 비밀번호를 포함할 수 없습니다. 수신 측은 서명을 확인합니다.
webhooks-error-url-long = { $max }자를 넘습니다.
webhooks-error-url-internal = { $host }는 { $kind } 주소({ $address })를 가리킵니다. “사설 주소 허용”(allow_private)을 설정하지 않으면 내부 주소는 거부됩니다.
webhooks-error-url-unresolvable = { $host }의 주소를 찾을 수 없습니다.
webhooks-error-events-missing = 이벤트를 하나 이상 지정해야 합니다.
webhooks-error-event-unknown = “{ $kind }”는 이벤트가 아닙니다. 사용할 수 있는 이벤트: { $known }.
webhooks-error-secret-short = { $min }자 이상이어야 합니다.
webhooks-error-secret-long = 제어 문자 없이 { $max }자 이하여야 합니다.
webhooks-error-name-long = { $max }자 이하여야 합니다.
webhooks-error-status-unknown = 다음 중 하나여야 합니다: { $known }.
webhooks-error-limit = 1부터 { $max }까지의 정수여야 합니다.
webhooks-error-already-queued = 이 전송은 이미 전송 대기 중입니다.
