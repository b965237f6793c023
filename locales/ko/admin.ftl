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
