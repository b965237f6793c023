# admin
# The admin index (/admin)
admin-index-title = 관리
admin-index-teams = 팀
admin-index-teams-about = 팀, 팀원, 팀장과 기본 팀을 관리합니다.
admin-index-rules = 라우팅 규칙
admin-index-rules-about = 새 티켓이 받을 팀, 우선순위, 태그를 정합니다.
admin-index-agents = 상담원
admin-index-agents-about = 사용자, 역할, 처리 용량, 상태와 기술을 관리합니다.
admin-index-sla = SLA
admin-index-sla-about = 업무 캘린더, SLA 정책과 에스컬레이션을 설정합니다.
admin-index-tags = 태그
admin-index-tags-about = 티켓에 붙은 태그의 이름을 바꾸고, 병합하고, 삭제합니다.
admin-index-macros = 매크로 및 저장된 답변
admin-index-macros-about = 답장 입력란과 일괄 변경에서 쓰는 답변과 원클릭 작업입니다. 공유 항목과 내 항목이 있습니다.
admin-index-quarantine = 격리함
admin-index-quarantine-about = 티켓으로 만들 수 없었던 메일과 그 이유입니다.
admin-index-language = 언어
admin-index-language-about = 언어를 고르지 않았고 브라우저도 Casebook이 지원하는 언어를 요청하지 않는 사람에게 쓰는 언어입니다.
admin-language-title = 기본 언어
admin-language-intro = Casebook은 각자가 고른 언어로, 고르지 않았다면 브라우저가 요청하는 언어로 표시합니다. 둘 다 없는 고객, 상담원, 메일에는 이 언어를 씁니다. 고객이 글을 쓰면 그 글의 언어로 답합니다.
admin-language-label = 기본 언어
admin-language-configured = 설정 파일대로 ({ $language })
admin-index-duplicates = 중복 의심 고객
admin-index-duplicates-about = 같은 사람일 수 있는 고객입니다.
# $link is the link "quarantine" (admin-index-unaccounted-link).
admin-index-unaccounted = 저장된 이메일 { $count }건이 메시지나 중복으로 처리되지 않았고 { $link }에도 보관되어 있지 않습니다. 로그에서 수신 오류를 확인하세요. 메일함에서 다시 시도합니다.
admin-index-unaccounted-link = 격리함

# Notifications page
notify-title = 알림
notify-unread = 읽지 않음 { $count }개
notify-mark-all-read = 모두 읽음으로 표시
notify-desktop = 데스크톱 알림 표시
notify-empty = 아직 알림이 없습니다.
notify-mark-read = 읽음으로 표시
notify-prefs-title = 알림 설정
notify-prefs-help = Casebook 알림: 여기에 표시되고 메뉴에 개수가 나타납니다. 끄면 기록되지 않습니다. 이메일 요약: { $minutes }분이 지나도 읽지 않은 알림을 최대 { $minutes }분마다 한 통의 메일로 보냅니다.
notify-prefs-no-email = 이 서버에는 발신 이메일이 설정되어 있지 않아 요약 메일을 보내지 않습니다.
notify-prefs-kind = 알림
notify-prefs-in-app = Casebook 알림
notify-prefs-email = 이메일 요약
notify-prefs-in-app-label = { $kind }: Casebook 알림
notify-prefs-email-label = { $kind }: 이메일 요약
# Kinds of notification
notify-kind-assigned = 티켓이 나에게 배정될 때
notify-kind-customer-reply = 내 담당 티켓에 고객이 글을 남길 때
notify-kind-mention = 내부 메모에서 누군가 나를 언급할 때
notify-kind-following = 팔로우하는 티켓이 변경될 때
notify-kind-sla-warning = SLA 경고
notify-kind-sla-breach = SLA 위반 (팀장)
notify-kind-escalated = 에스컬레이션
# The Follow card of the ticket page
notify-follow = 팔로우
notify-unfollow = 팔로우 취소
notify-following-help = 이 티켓의 모든 변경 사항을 알림으로 받고 있습니다.
notify-follow-help = 이 티켓의 모든 변경 사항을 알림으로 받습니다.

# Bulk changes
bulk-change = 변경 대상
bulk-scope-selected = 선택한 티켓
bulk-scope-all = 이 목록의 모든 티켓
bulk-selected-tickets = 선택한 티켓:
bulk-status = 상태
bulk-priority = 우선순위
bulk-assignee = 담당자
bulk-team = 팀
bulk-add-tags = 태그 추가
bulk-remove-tags = 태그 제거
bulk-macro = 매크로
bulk-no-change = (변경 안 함)
bulk-unassigned = 미배정
bulk-no-macro = (없음)
bulk-apply = 적용…
bulk-title = 일괄 변경
bulk-confirm-title = 일괄 변경 확인
bulk-confirm-heading = 티켓 { $count }개를 변경하시겠습니까?
bulk-confirm-help = 그사이 다른 사람이 변경한 티켓은 건너뛰고, 완료 후 목록으로 보여 드립니다.
bulk-confirm-button = 티켓 { $count }개 변경
bulk-result-heading = 티켓 { $count }개를 변경했습니다
bulk-result-stale = 목록을 불러온 뒤 다른 사람이 변경한 티켓 { $count }개는 건너뛰었습니다:
bulk-result-failed = 티켓 { $count }개를 변경하지 못했습니다:
bulk-back = 목록으로 돌아가기
bulk-progress-heading = 티켓 { $count }개를 변경하는 중…
bulk-progress-done = { $total }개 중 { $done }개 완료
bulk-progress-of = { $total }개 중 { $done }개
bulk-progress-counts = 변경 { $changed }개, 건너뜀 { $stale }개(다른 사람이 변경함), 변경 실패 { $failed }개. 이 페이지를 떠나도 변경은 계속 진행됩니다.

# Notification texts (stored in the recipient's language)
notify-ticket = #{ $id } “{ $subject }”
notify-assigned-by = { $agent }님이 티켓 { $ticket }을(를) 나에게 배정했습니다
notify-assigned = 티켓 { $ticket }이(가) 나에게 배정되었습니다
notify-assigned-auto = 티켓 { $ticket }이(가) 나에게 자동으로 배정되었습니다
notify-mention-by = { $agent }님이 { $ticket }의 메모에서 나를 언급했습니다
notify-mention = { $ticket }의 메모에서 나를 언급했습니다
notify-customer-reply = 고객이 { $ticket }에 글을 남겼습니다
notify-following-by = { $agent }님이 팔로우 중인 티켓 { $ticket }을(를) 변경했습니다: { $summary }
notify-following-changed = 팔로우 중인 티켓 { $ticket }이(가) 변경되었습니다: { $summary }
# What changed, for followers: "status open → pending, new customer message".
notify-summary-status = 상태 { $old } → { $new }
notify-summary-priority = 우선순위 { $old } → { $new }
notify-summary-unassigned = 배정 해제됨
notify-summary-assignee = 담당자 변경됨
notify-summary-team = 팀 변경됨
notify-summary-subject = 제목 변경됨
notify-summary-tag = 태그 { $tag } 추가됨
notify-summary-customer-message = 새 고객 메시지
notify-summary-reply = 새 답장
notify-summary-note = 새 내부 메모
notify-summary-customer = 고객 변경됨
notify-summary-solution = 해결책 표시됨
# The email digest
notify-digest-subject = Casebook: 읽지 않은 알림 { $count }개
notify-digest-intro = Casebook에서 읽지 않은 알림:
notify-digest-settings = 모든 알림 및 이메일 설정: { $url }

# Bulk changes: what a change does, and errors
bulk-describe-separator = {", "}
bulk-describe-status = 상태 → { $status }
bulk-describe-priority = 우선순위 → { $priority }
bulk-describe-assign = { $agent }에게 배정
bulk-describe-unassign = 배정 해제
bulk-describe-team = { $team } 팀으로 이동
bulk-describe-add-tags = 태그 추가: { $tags }
bulk-describe-remove-tags = 태그 제거: { $tags }
bulk-describe-macro = 매크로 “{ $title }” 적용
bulk-unknown-agent = 상담원 { $id }
bulk-unknown-team = 팀 { $id }
bulk-nothing-changed = 변경된 내용이 없습니다: { $reason }.
bulk-error-not-agent = 상담원 ID가 아닙니다
bulk-error-not-macro = 매크로가 아닙니다
bulk-error-not-team = 팀이 아닙니다
bulk-error-not-ticket = 티켓 ID가 아닙니다
bulk-error-unknown-queue = 알 수 없는 대기열입니다
bulk-error-team-id = 팀 ID여야 합니다
bulk-error-select-one = 티켓을 하나 이상 선택하세요
bulk-error-no-change = 변경 사항을 하나 이상 선택하세요(상태, 우선순위, 담당자, 팀, 태그 또는 매크로)
bulk-error-too-many = 한 번에 최대 { $max }개 티켓까지 가능합니다
bulk-error-list-too-long = 목록에 티켓이 { $max }개보다 많습니다. 먼저 범위를 좁히세요

# Tags admin page
admin-tags-title = 태그
admin-tags-intro = 이미 사용 중인 태그 이름으로 바꾸면 두 태그가 병합됩니다. 각 티켓은 상담원이 편집할 때처럼 기록을 남기며 변경됩니다.
admin-tags-empty = 아직 태그가 없습니다. 상담원은 티켓 페이지에서 태그를 추가하고, 라우팅 규칙은 새 티켓에 태그를 추가합니다.
admin-tags-tag = 태그
admin-tags-tickets = 티켓
admin-tags-rename-into = 이름 변경 또는 병합 대상
admin-tags-new-name-for = { $tag }의 새 이름
admin-tags-rename = 이름 변경
admin-tags-renamed = 티켓 { $count }개에서 “{ $tag }” 태그가 “{ $to }”(으)로 바뀌었습니다
admin-tags-removed = 티켓 { $count }개에서 “{ $tag }” 태그를 제거했습니다
# Tags and Cc cards of the ticket page
tags-panel-empty = 아직 태그가 없습니다.
tags-panel-tickets-with-tag = 이 태그가 있는 티켓
tags-panel-remove-tag = { $tag } 태그 제거
tags-panel-add-tags = 태그 추가
tags-panel-add-placeholder = 태그 추가(쉼표로 구분)
cc-panel-title = 참조
cc-panel-customer-only = 공개 답장은 고객에게만 전송됩니다.
cc-panel-also-to = 공개 답장을 함께 받는 사람:
cc-panel-stop-copying = { $address } 참조 중지
cc-panel-remove = 제거
cc-panel-copy-someone = 참조 추가
cc-panel-copy-placeholder = 참조 추가: name@example.com
cc-panel-add = 추가

# Merge card of the ticket page
merge-title = 병합
# $link is the merged-into ticket's number, a link.
merge-merged-into = { $link } 티켓으로 병합되었습니다. 메시지와 고객 연결은 이제 그 티켓에 있습니다.
merge-undo = 병합 취소
# $time is a time.
merge-undo-until = { $time }까지
merge-into-label = 이 티켓을 병합할 대상 #
merge-into-placeholder = 번호
merge-button = 병합
merge-help = 메시지, 파일, 고객 연결이 대상 티켓으로 옮겨지고, 이 티켓은 대상 티켓을 가리킨 채 종료됩니다. 병합은 취소할 수 있습니다.
merge-error-ticket-number = 티켓 번호여야 합니다(예: 123)
merge-error-into-required = 필수 항목입니다: 병합할 대상 티켓
merge-error-not-a-ticket = 티켓 번호가 아닙니다
merge-error-undo-expired = 이 병합은 더 이상 취소할 수 없습니다

# Saved views: errors (after the field's name)
views-error-number = 숫자여야 합니다
views-error-yes-no = yes 또는 no여야 합니다
views-error-sla = breached, at_risk, attention 중 하나여야 합니다
views-error-sort = newest, oldest, updated, priority, sla 중 하나여야 합니다
views-error-too-long = 최대 { $max }자까지 가능합니다
views-error-column = 열이 아닙니다({ $columns } 중 하나)
views-error-queue = 알 수 없는 대기열입니다
views-error-assignee = me 또는 상담원 ID여야 합니다
views-error-not-active-agent = 활성 상담원이 아닙니다
views-error-not-team = 팀이 아닙니다
views-error-hours = { $min }에서 { $max } 사이여야 합니다
views-error-name = 필수 항목입니다(최대 { $max }자)
views-error-only-leads-share = 보기는 팀장과 관리자만 공유할 수 있습니다
views-error-team-own = 공유 보기에만 해당합니다(내 보기는 나만 사용합니다)
views-error-only-leads-delete = 공유 보기는 팀장과 관리자만 삭제할 수 있습니다
