# assign
# Shared names of priorities, channels and availability on assignment, SLA and bulk pages.
assign-availability-online = 온라인
assign-availability-away = 자리 비움
assign-availability-off = 오프라인
assign-availability-off-hours = 근무 시간 외

# Ticket page: why the ticket is where it is
assign-why-title = 이 티켓이 여기에 배정된 이유

# Teams page
assign-teams-title = 팀
# $link is the link "routing rules" (assign-teams-intro-link).
assign-teams-intro = 새 티켓은 { $link }에 따라 팀으로 전달되며, 어떤 규칙에도 해당하지 않는 티켓은 기본 팀으로 갑니다. 팀 안에서는 열린 티켓이 가장 적은 온라인 팀원이 다음 티켓을 받습니다.
assign-teams-intro-link = 라우팅 규칙
assign-badge-default = 기본
assign-badge-inactive = 비활성
assign-badge-off = 꺼짐
assign-team-members = 팀원 { $count }명
assign-team-waiting = 상담원 배정 대기 { $count }건
assign-name = 이름
assign-active = 활성
assign-default-team = 기본 팀
assign-lead = 팀장
assign-none-option = (없음)
assign-members = 팀원
assign-save-team = 팀 저장
assign-new-team = 새 팀
assign-create-team = 팀 만들기

# Routing rules page
assign-rules-title = 라우팅 규칙
assign-rules-intro = 위에서부터 차례로 확인하며, 새 티켓에 처음으로 일치하는 규칙이 팀, 우선순위, 태그, 필요 기술을 정합니다.
assign-rules-rule = 규칙
assign-rules-when = 조건
assign-rules-then = 동작
assign-edit = 편집
assign-move-up = { $name } 위로 이동
assign-move-down = { $name } 아래로 이동
assign-new-rule = 새 규칙
assign-rule-title = 규칙 { $name }
assign-back-to-rules = ← 라우팅 규칙
# A rule's conditions: "channel web or email and priority high".
assign-cond-or = {" 또는 "}
assign-cond-and = {", "}
assign-cond-channel = 채널: { $values }
assign-cond-mailbox = 메일함: { $values }
assign-cond-plan = 요금제: { $values }
assign-cond-segment = 세그먼트: { $values }
assign-cond-words = 단어: { $values }
assign-cond-priority = 우선순위: { $values }
assign-cond-vip = VIP
assign-cond-not-vip = VIP 아님
assign-cond-at-risk = 이탈 위험
assign-cond-not-at-risk = 이탈 위험 아님
assign-cond-every-ticket = 모든 티켓
# What a rule does: "team Billing; priority high; tags vip; skill german".
assign-then-separator = {"; "}
assign-then-team = 팀: { $team }
assign-then-deleted-team = 팀 #{ $id } (삭제됨: 기본 팀)
assign-then-default-team = 기본 팀
assign-then-priority = 우선순위: { $priority }
assign-then-tags = 태그: { $tags }
assign-then-skill = 기술: { $skill }
# The rule form
assign-rule-when = 조건 (입력한 항목을 모두 충족)
assign-rule-lists-help = 목록은 쉼표로 구분하며, 값 중 하나라도 일치하면 됩니다.
assign-rule-channel = 채널:
assign-rule-priority = 우선순위:
assign-rule-keywords = 제목 또는 메시지에 포함된 단어
assign-rule-mailbox = 메일함
assign-rule-plan = 고객 요금제
assign-rule-segment = 고객 세그먼트
assign-rule-vip = VIP
assign-rule-at-risk = 이탈 위험
assign-either = 상관없음
assign-rule-team = 팀
assign-rule-default-team-option = (기본 팀)
assign-team-inactive-option = { $team } (비활성)
assign-rule-set-priority = 우선순위 설정
assign-rule-keep-option = (유지)
assign-rule-tags = 태그 추가
assign-rule-skill = 필요 기술
assign-save-rule = 규칙 저장
assign-add-rule = 규칙 추가

# Routing settings on the admin agents page
assign-routing-title = 라우팅
assign-routing-intro = 자동 배정은 근무 시간(SLA 캘린더, 없으면 항상) 동안 온라인 상담원에게 처리 용량(열린 티켓 수)까지 새 티켓을 배정합니다. 상담원을 비활성화하면 그 상담원의 열린 티켓은 다른 상담원에게 배정됩니다.
assign-routing-agent = 상담원
assign-routing-teams = 팀
assign-routing-open = 열림
assign-routing-settings = 처리 용량 · 상태 · 기술
assign-routing-capacity-of = { $name }의 처리 용량
assign-routing-availability-of = { $name }의 상태
assign-routing-skills-of = { $name }의 기술
assign-routing-skills-placeholder = 기술
assign-routing-hours-of = { $name }의 근무 시간
assign-routing-always = 항상
assign-routing-active = 활성

# Own availability
assign-availability-title = 상태
# $state is the current availability, shown in bold.
assign-availability-current = 현재 상태는 { $state }입니다. 온라인 상담원만 새 티켓을 자동으로 배정받으며, 열린 티켓은 계속 내 담당으로 남습니다.
assign-availability-set = 설정

# Errors in assignment settings (after the field's name: "capacity must be a whole number")
assign-error-id = 올바른 ID가 아닙니다
assign-error-yes-no = 예, 아니요 또는 빈 값이어야 합니다
assign-error-whole-number = 정수여야 합니다
assign-error-calendar-id = 캘린더 ID여야 합니다
assign-error-required = 필수 항목입니다
assign-error-too-long = 너무 깁니다(최대 { $max }자)
assign-error-team-name-taken = 다른 팀에서 이미 사용 중입니다
assign-error-not-active-agent = 활성 상담원이 아닙니다
assign-error-members-max = 상담원은 최대 { $max }명까지입니다
assign-error-member-not-active = { $id }번은 활성 상담원이 아닙니다
assign-error-at-most = 최대 { $max }개까지입니다
assign-error-unknown-team = 알 수 없는 팀입니다
assign-error-position = 1 이상이어야 합니다
assign-error-only-admins = 다른 상담원의 설정은 관리자만 변경할 수 있습니다. 상담원은 자신의 상태만 설정할 수 있습니다
assign-error-capacity = 0에서 { $max } 사이여야 합니다
assign-error-availability = online, away, off 중 하나여야 합니다
assign-error-deactivate-self = 자기 자신을 비활성화할 수 없습니다
assign-error-no-calendar = 해당 캘린더가 없습니다(/api/v1/sla/calendars 참고)
assign-rules-actions = 작업

# Why a ticket is where it is: recorded when routing and assignment decide, read in the reader's language
assign-routing = { $route }{ $details }
assign-target-default = 기본 팀 { $team }
assign-target-team = 팀 { $team }
assign-target-unassigned = 미배정 (기본 팀 없음)
assign-route-keyword = {" "}(키워드 “{ $keyword }”)
assign-route-rule = 규칙 '{ $rule }'{ $keyword } → { $target }
assign-route-rule-fallback = 규칙 '{ $rule }'{ $keyword }: { $why } → { $target }
assign-route-no-rule = 일치하는 규칙 없음 → { $target }
assign-route-priority = ; 우선순위 { $priority }
assign-route-tags = ; 태그 { $tags }
assign-route-skill = ; 필요한 기술 '{ $skill }'
assign-fallback-no-team = 팀이 지정되지 않음
assign-fallback-inactive = 지정된 팀 { $team }이(가) 비활성 상태
assign-fallback-gone = 지정된 팀 #{ $id }이(가) 더 이상 없음
assign-route-because = { $routing } ({ $reason })
assign-route-kept = 팀 { $team } ({ $reason })
assign-route-waited = 팀 { $team }의 대기열에서 기다림 ({ $reason })
assign-route-deactivated = { $routing }; 팀이 방금 비활성화됨
assign-skip-status = { $routing }; 배정하지 않음: 티켓이 { $status } 상태
assign-skip-assigned = { $routing }; 이미 배정됨
assign-skip-meanwhile = { $routing }; 그 사이에 배정되었거나 닫힘
assign-reason-new = 새 티켓
assign-reason-requested = 요청됨
assign-reason-available = 응대 가능한 사람이 생김
assign-reason-agent-available = 상담원이 응대 가능해짐
assign-reason-reopened = 다시 열림
assign-reason-unassigned = 상담원이 배정을 해제함
assign-reason-team-deactivated = 팀이 비활성화됨
assign-reason-assignee-deactivated = 이전 담당자가 비활성화됨
assign-reason-hours = 근무 시간이 시작되었을 수 있음
assign-reason-joined = 상담원이 팀에 합류함
assign-reason-team-activated = 팀이 활성화됨
assign-reason-reassigned = 티켓 #{ $ticket }이(가) 재배정됨
assign-reason-ticket-status = 티켓 #{ $ticket }이(가) { $status } 상태가 됨
assign-skill-nobody = 팀에 '{ $skill }' 기술을 가진 사람이 없어 모든 팀원 대상
assign-skill-some = '{ $skill }' 기술 보유 { $total }명 중 { $count }명
assign-unavailable-unassigned = 방금 배정 해제됨
assign-unavailable-over = 용량 초과 (최대 { $capacity })
assign-unavailable-full = 용량 가득 참 { $open }/{ $capacity }
assign-availability-other = { $state }
assign-unavailable-agent = { $name } { $reason }
assign-why-unavailable = {" "}(응대 불가: { $list })
assign-why-skill = ; { $skill }
assign-why-waiting-unassigned = 미배정 대기 중: { $routing }
assign-why-waiting-team = 팀 { $team }의 대기열에서 대기 중: { $routing }
assign-why-no-members = 팀 { $team }의 대기열에서 대기 중: { $routing }{ $skill }; 팀에 활성 팀원이 없음
assign-why-nobody = 팀 { $team }의 대기열에서 대기 중: { $routing }{ $skill }; 응대 가능한 사람 없음{ $unavailable }
assign-load-only = { $name }: 진행 중 { $open }건, 유일한 대상
assign-load-tie = { $name }: 진행 중 { $open }건, { $others }와(과) 동률; 마지막 배정 후 가장 오래 기다림
assign-load-fewest = { $name }: 진행 중 { $open }건, 가장 적음
assign-load-of = { $name } { $open }/{ $capacity }
assign-why-assigned = { $name }에게 배정: { $routing }{ $skill }; 응대 가능 { $count }명; { $load } (부하: { $loads }){ $unavailable }
assign-reason-sla-breach = SLA 위반: { $clock }
