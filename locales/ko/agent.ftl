# agent
# 상담원 화면: 로그인, 대기열, 티켓 페이지, 고객 페이지, 비밀번호, 관리.

## 상태, 우선순위, 채널
status-new = 신규
status-open = 진행 중
status-pending = 보류
status-solved = 해결됨
status-closed = 종료됨
priority-low = 낮음
priority-normal = 보통
priority-high = 높음
priority-urgent = 긴급
channel-email = 이메일
channel-web = 웹
channel-api = API

## 로그인
agent-login-title = 로그인
agent-login-heading = Casebook 로그인
agent-login-email = 이메일
agent-login-password = 비밀번호
agent-login-button = 로그인
agent-login-wrong = 이메일 또는 비밀번호가 올바르지 않습니다.

## 대기열
agent-queue-mine = 내 티켓
agent-queue-unassigned = 미배정
agent-queue-open = 진행 중 전체
agent-queue-pending = 보류
agent-queue-solved = 해결됨
agent-queue-all = 전체
agent-queue-tickets = 티켓
agent-queues = 대기열
agent-queue-all-teams-title = 모든 팀 보기
agent-queue-all-teams = (모든 팀)
agent-queue-tagged = 태그: { $tag }
agent-queue-any-tag-title = 모든 태그 보기
agent-queue-any-tag = (모든 태그)
agent-queue-empty = 티켓이 없습니다.
agent-queue-empty-mine = 미배정 대기열에서 티켓을 가져오세요.
agent-queue-keys = 단축키: { $j } / { $k } 이동, { $o } 열기, { $help } 전체 단축키 보기
agent-queue-urgent-first = SLA 기한이 급한 순서로 표시합니다.
agent-queue-newest-first = 최신순
agent-queue-older = 이전 티켓 →
agent-unknown-customer = (알 수 없음)
agent-views = 보기
agent-view-shared = (공유됨)
agent-view-yours = 내 보기
agent-view-shared-team = { $team } 팀과 공유
agent-view-shared-all = 공유 보기
agent-view-empty = 현재 이 보기에 해당하는 티켓이 없습니다.
agent-view-more = 티켓 더 보기 →
agent-view-delete = 이 보기 삭제

## 티켓 목록 열
agent-column-select = 선택
agent-column-subject = 제목
agent-column-customer = 고객
agent-column-status = 상태
agent-column-priority = 우선순위
agent-column-assignee = 담당자
agent-column-team = 팀
agent-column-tags = 태그
agent-column-channel = 채널
agent-column-age = 경과 시간
agent-column-updated = 최근 변경
agent-column-sla = SLA 기한
agent-column-plan = 요금제
agent-select-ticket = #{ $id } 선택
agent-age-title = 티켓이 생성된 후 지난 시간
agent-updated-title = 마지막 변경 후 지난 시간

## 보기로 저장
agent-save-view = 보기로 저장…
agent-save-view-name = 이름
agent-save-view-status = 상태
agent-save-view-priority = 우선순위
agent-save-view-assignee = 담당자
agent-save-view-tag = 태그
agent-save-view-channel = 채널
agent-save-view-idle = 변경 없음 (시간)
agent-save-view-waiting = 고객 대기 (시간)
agent-save-view-sla = SLA
agent-save-view-vip = VIP
agent-save-view-plan = 요금제
agent-save-view-segment = 세그먼트
agent-save-view-sort = 정렬
agent-save-view-columns = 열
agent-save-view-shared = 공유 대상
agent-save-view-any = 전체
agent-save-view-anyone = 모든 담당자
agent-save-view-me = 나
agent-save-view-vip-yes = VIP 고객
agent-save-view-vip-no = VIP 아님
agent-save-view-nobody = 공유 안 함 (나만)
agent-save-view-everyone = 모든 사람
agent-save-view-team = { $team } 팀
agent-save-view-button = 보기 저장
agent-sla-breached = 위반
agent-sla-at-risk = 위반 임박 (경고됨, 아직 위반 전)
agent-sla-attention = 위반 또는 위반 임박
agent-sort-newest = 최신순
agent-sort-oldest = 오래된 순
agent-sort-updated = 최근 변경순
agent-sort-priority = 우선순위 높은 순
agent-sort-sla = SLA 기한 임박순

## 충돌 알림
agent-conflict-heading = 이 티켓을 연 뒤에 다른 변경이 있었습니다
agent-conflict-added-message = { $who }: 메시지 추가
agent-conflict-added-note = { $who }: 내부 메모 추가
agent-conflict-created = { $who }: 티켓 생성
agent-conflict-changed = { $who }: { $field } 변경 { $old } → { $new }
agent-conflict-history = 티켓 기록이 갱신되었습니다.
agent-conflict-not-saved = 변경 사항이 저장되지 않았습니다:
agent-conflict-mine-status = 상태 → { $value }
agent-conflict-mine-priority = 우선순위 → { $value }
agent-conflict-mine-assignee = 담당자 → { $value }
agent-conflict-apply = 내 변경 사항 적용
agent-conflict-keep = 티켓을 현재 상태로 유지
agent-conflict-reply-kept = 답장이 { $notsent }. 아래 답장 입력란에 그대로 남아 있으니 변경 내용을 확인한 뒤 다시 보내세요.
agent-conflict-not-sent = 전송되지 않았습니다
agent-field-assignee = 담당자
agent-field-team = 팀
agent-field-customer = 고객
agent-field-solution = 해결 답변
agent-field-message = 공개 메시지
agent-field-ticket = 티켓
agent-field-status = 상태
agent-field-priority = 우선순위
agent-field-subject = 제목
agent-field-tags = 태그
agent-field-cc = 참조
agent-field-merged = 병합 대상
agent-unassigned-value = 미배정
agent-who-agent = 상담원
agent-who-customer = 고객
agent-nobody = 없음
agent-agent-id = 상담원 { $id }

## 티켓 페이지
agent-presence-replying = { $name } 님이 답장 작성 중…
agent-presence-viewing = { $name } 님이 보는 중
agent-ticket-meta = { $channel } 채널 · { $time } 접수
agent-ticket-follow-up = { $ticket }의 후속 티켓
agent-internal-note-badge = 내부 메모
agent-split-title = 이 메시지를 같은 고객의 새 티켓으로 옮깁니다
agent-split = 분리
agent-forwarded = 전달된 메시지
agent-full-message = 전체 메시지 보기
agent-auto-reply = 자동 응답입니다. 접수 확인 메일을 보내지 않았습니다.
agent-list-mail = 메일링 리스트를 통해 받은 메일입니다. 접수 확인 메일을 보내지 않았습니다.
agent-threading-title = 이 이메일이 티켓에 연결된 방식
agent-threading = 스레드 연결: { $reason }
agent-delivery-failed = 이메일 전송 실패: { $error }
agent-delivery-unknown-error = 알 수 없는 오류
agent-delivery-queued = 이메일 전송 대기 중
agent-delivery-sent = 고객에게 이메일로 보냄
agent-attachment-view = { $name } 보기
agent-preview-refused = 이 파일은 브라우저에서 볼 수 없습니다. 내려받아서 확인하세요
agent-attachment-open = 열기
agent-reply-label = { $name } 님에게 답장하거나 내부 메모 추가
agent-reply-attach = 파일 첨부
agent-reply-public = 공개 답장
agent-reply-internal = 내부 메모
agent-reply-set-status = 상태 변경
agent-reply-keep-status = (유지)
agent-sidebar-ticket = 티켓
agent-sidebar-status = 상태
agent-sidebar-priority = 우선순위
agent-sidebar-assignee = 담당자
agent-sidebar-unassigned = 미배정
agent-sidebar-update = 업데이트
agent-customer = 고객
agent-recent-activity = 최근 활동
agent-history = 기록

## 기록
agent-actor-system = Casebook
agent-actor-customer = 고객
agent-event-created = { $who }: { $channel } 채널로 티켓 생성
agent-event-created-detail = { $who }: { $channel } 채널로 티켓 생성 ({ $detail })
agent-event-status = { $who }: 상태 변경 { $old } → { $new }
agent-event-priority = { $who }: 우선순위 변경 { $old } → { $new }
agent-event-assignee = { $who }: 담당자 변경 { $old } → { $new }
agent-event-subject = { $who }: 제목 변경 (이전 제목: “{ $old }”)
agent-event-tag-added = { $who }: 태그 추가 { $tag }
agent-event-merged-into = { $who }: { $ticket }에 병합
agent-event-merged-from = { $who }: { $ticket }을(를) 이 티켓에 병합
agent-event-merged-from-unknown = { $who }: 다른 티켓을 이 티켓에 병합
agent-event-merge-undone = { $who }: 병합 취소
agent-event-split-from = { $who }: { $ticket }에서 분리
agent-event-split-from-unknown = { $who }: 다른 티켓에서 분리
agent-event-split-to = { $who }: 메시지 분리 → { $ticket }
agent-event-split-to-unknown = { $who }: 메시지를 새 티켓으로 분리
agent-event-tag-removed = { $who }: 태그 삭제 { $tag }
agent-event-cc-added = { $who }: 참조 추가 { $address }
agent-event-cc-removed = { $who }: 참조 삭제 { $address }
agent-event-reply = { $who }: 답장
agent-event-note = { $who }: 내부 메모 추가
agent-event-first-response = { $who }: 첫 응답 보냄
agent-event-routed = { $who }: 티켓 라우팅: { $detail }
agent-event-assigned = { $who }: 자동 배정: { $detail }
agent-event-delivery-failed = { $who }: 이메일 전송 실패: { $detail }
agent-event-ack-suppressed = { $who }: 접수 확인 메일 보내지 않음 (이 고객의 한도 도달)
agent-event-customer-merged = { $who }: 고객 병합 { $old } → { $new }
agent-event-customer-merge-undone = { $who }: 고객 병합 취소 { $old } → { $new }
agent-event-team = { $who }: 티켓을 다른 팀으로 옮김
agent-event-resolution = { $who }: 해결한 메시지를 표시함
agent-event-sla-warning = { $who }: { $clock } 경고 기준에 도달함
agent-event-sla-breach = { $who }: { $clock } 목표를 넘김
agent-event-escalated = { $who }: 에스컬레이션함: { $reason }
agent-event-other = { $who }: { $what }

## 고객 카드와 고객 페이지
agent-card-churn-risk = 이탈 위험
agent-card-since = { $date }부터 고객 ({ $age })
agent-card-plan = 요금제 { $plan }
agent-card-mrr = MRR { $amount } { $currency }
agent-card-lifetime = 고객 생애 가치 { $values }
agent-card-came-from = 유입 경로 { $source }
agent-card-csat = 최근 CSAT { $score }
agent-card-tickets = 진행 중 { $open }건 · 전체 티켓 { $total }개
agent-customer-timeline = 타임라인 필터
agent-customer-everything = 전체
agent-customer-nothing = 아직 기록이 없습니다.
agent-customer-ticket = 티켓 { $ticket }
agent-customer-profile = 프로필
agent-crm-tickets = 티켓
agent-crm-order = 주문
agent-crm-subscription = 구독
agent-crm-deal = 거래
agent-crm-campaign-touch = 캠페인 접점
agent-crm-email-engagement = 이메일 반응
agent-crm-csat = CSAT
agent-crm-nps = NPS
agent-crm-signup = 가입
agent-crm-note = 메모

## 비밀번호
agent-password-title = 비밀번호 변경
agent-password-done = 비밀번호를 변경했습니다. 다른 세션은 모두 로그아웃되었습니다.
agent-password-current = 현재 비밀번호
agent-password-new = 새 비밀번호 (12자 이상, 서로 관련 없는 단어 몇 개를 이어 쓰면 좋습니다)
agent-password-button = 비밀번호 변경

## 격리
agent-quarantine-title = 격리함
agent-quarantine-heading = 격리된 이메일
agent-quarantine-intro = 스스로 티켓이 되지 못한 메일입니다. 여기 있는 메일은 사라지지 않습니다. 재시도는 모든 검사를 다시 실행하고, 티켓으로 전환은 검사와 관계없이 티켓을 만들며, 무시는 메시지를 보관하되 목록에 더 이상 표시하지 않습니다.
agent-quarantine-held-only = 보류 중인 메일만 보기
agent-quarantine-show-all = 처리된 메일도 보기
agent-quarantine-empty = 격리된 메일이 없습니다.
agent-quarantine-reason = 사유
agent-quarantine-from = 보낸 사람
agent-quarantine-subject = 제목
agent-quarantine-size = 크기
agent-quarantine-received = 수신
agent-quarantine-status = 상태
agent-quarantine-actions = 작업
agent-quarantine-status-held = 보류 중
agent-quarantine-status-released = 티켓으로 전환됨
agent-quarantine-status-dismissed = 무시됨
agent-quarantine-retry = 재시도
agent-quarantine-release = 티켓으로 전환
agent-quarantine-dismiss = 무시
agent-quarantine-older = 이전 →

## 관리: 상담원
agent-admin-title = 상담원
agent-admin-name = 이름
agent-admin-email = 이메일
agent-admin-role = 역할
agent-admin-add-heading = 상담원 추가
agent-admin-password = 초기 비밀번호
agent-admin-add = 상담원 추가

## 고객 링크
agent-links-heading = 고객 링크
agent-links-none = 사용 가능한 링크가 없습니다.
agent-links-active = 사용 가능한 링크 { $count }개.
agent-links-active-until = 사용 가능한 링크 { $count }개, 가장 최근 링크는 { $date }까지 유효합니다.
agent-links-last-sent = 마지막 발송: { $ago }.
agent-links-reissue = 취소하고 새 링크 메일로 보내기
agent-links-revoke = 모두 취소

# How an email found its ticket (recorded when it arrived, read in the reader's language)
thread-new-ticket = 새 티켓: 기존 티켓에 대한 참조 없음
thread-private-link = 고객의 비공개 링크로 작성됨
thread-in-reply-to = In-Reply-To가 메시지 <{ $id }>와 일치
thread-references = References가 메시지 <{ $id }>와 일치
thread-subject = 제목에 티켓 [#{ $ticket }]이(가) 있음
thread-address = 티켓 #{ $ticket }의 회신 주소로 보냄
thread-foreign = 새 티켓: 다른 고객의 티켓 #{ $ticket }을(를) 참조함
thread-follow-up = 후속 티켓: 티켓 #{ $ticket }이(가) 닫혀 있음
thread-reused-id = { $reason }; 이 Message-ID는 내용이 다른 메시지 { $message }에서 이미 쓰였음
thread-bounce = 메시지 <{ $id }>의 반송
agent-delivery-failed-detail = 메시지 { $message }: { $error }

# Why mail was held in quarantine
quarantine-parse-error = 읽을 수 없음
quarantine-too-large = 너무 큼
quarantine-loop = 메일 루프
quarantine-blocked = 차단된 발신자
quarantine-rate-limited = 이 발신자의 메일이 너무 많음
quarantine-auto-reply = 자동 회신
quarantine-bounce = 반송
quarantine-no-sender = 발신자 없음
quarantine-storage-error = 저장할 수 없음
quarantine-spoofed = 위조된 발신자
quarantine-receipt = 읽음 확인
