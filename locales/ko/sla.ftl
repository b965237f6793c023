# sla
# Business time: "45 min", "2 h 05 min", "3 d 4 h" ($minutes in "sla-duration-hours" is two digits).
sla-duration-minutes = { $minutes }분
sla-duration-hours = { $hours }시간 { $minutes }분
sla-duration-days = { $days }일 { $hours }시간

# States of an SLA clock
sla-state-on-track = 정상
sla-state-warning = 경고
sla-state-breached = 위반
sla-state-met = 충족
sla-state-paused = 일시 중지

# The clocks
sla-metric-first-response = 첫 응답
sla-metric-next-response = 다음 응답
sla-metric-resolution = 해결

# Ticket statuses (queues of the SLA and bulk pages)

# Days of the week
sla-day-monday = 월요일
sla-day-tuesday = 화요일
sla-day-wednesday = 수요일
sla-day-thursday = 목요일
sla-day-friday = 금요일
sla-day-saturday = 토요일
sla-day-sunday = 일요일
sla-day-short-monday = 월
sla-day-short-tuesday = 화
sla-day-short-wednesday = 수
sla-day-short-thursday = 목
sla-day-short-friday = 금
sla-day-short-saturday = 토
sla-day-short-sunday = 일

# The SLA card of the ticket page
sla-panel-title = SLA
sla-panel-no-policy = 이 티켓에 적용되는 SLA 정책이 없습니다.
sla-panel-policy = 정책 { $policy } · 캘린더 { $calendar }
# $time and $due are times (shown as such on the page).
sla-clock-met = { $time } 충족
sla-clock-met-late = { $time } 늦게 충족 (기한 { $due })
sla-clock-paused = { $left } 남음 · 고객 응답 대기 중
sla-clock-due = 기한 { $time }
sla-clock-left = 업무 시간 { $left } 남음
sla-clock-overdue = { $overdue } 초과
sla-escalate = 에스컬레이션
sla-escalate-reason = 사유
sla-escalate-hand-to = 넘겨받을 상담원
sla-escalate-keep-assignee = (담당자 유지, 팀장에게 알림)
sla-escalate-raise-priority = 우선순위 한 단계 올리기

# Stale & breaching
sla-stale-title = 방치 및 SLA 위반
sla-stale-empty = 해당하는 티켓이 없습니다.
sla-stale-select = 선택
sla-stale-select-ticket = #{ $id } 선택
sla-stale-subject = 제목
sla-stale-status = 상태
sla-stale-priority = 우선순위
sla-stale-assignee = 담당자
sla-stale-due = SLA 기한
sla-stale-last-activity = 마지막 상담원 활동
sla-stale-idle-label = 상담원 활동 없음 기준 (업무 시간, 시간)
sla-stale-unassigned-label = 미배정 기준 (업무 시간, 분)
sla-stale-by-breach = 위반 시각순
sla-stale-idle = 업무 시간 { $hours }시간 동안 상담원 활동 없음
sla-stale-unassigned = 업무 시간 { $minutes }분 동안 미배정

# SLA admin page
sla-admin-title = SLA
sla-admin-policies = SLA 정책
sla-admin-intro = 정책은 위에서 아래 순서로 확인하며, 조건을 모두 충족하는 첫 번째 정책이 적용됩니다. 목표 시간은 정책 캘린더의 업무 시간으로 계산하며, 고객 응답을 기다리는 티켓은 시간 측정이 일시 중지됩니다.
sla-admin-order = 순서
sla-admin-name = 이름
sla-admin-applies-to = 적용 대상
sla-admin-targets = 목표 (첫 응답 / 다음 응답 / 해결)
sla-admin-escalation = 에스컬레이션
sla-admin-active = 활성
sla-admin-actions = 작업
sla-admin-policy-hours = { $calendar } 근무 시간 · { $percent }%에서 경고
sla-admin-cond-priority = 우선순위 { $priority }
sla-admin-cond-segment = 세그먼트 { $segment }
sla-admin-cond-plan = 요금제 { $plan }
sla-admin-cond-team = 팀 { $team }
sla-admin-every-ticket = 모든 티켓
sla-admin-esc-warning-assignee = 경고 → 담당자
sla-admin-esc-breach-priority = 위반 → 우선순위 +1
sla-admin-esc-breach-lead = 위반 → 팀장
sla-admin-esc-breach-team = 위반 → 팀 { $team }
sla-admin-deactivate = 비활성화
sla-admin-activate = 활성화
sla-admin-add-policy = 정책 추가
sla-admin-calendar = 캘린더
sla-admin-order-help = 순서 (낮을수록 먼저)
sla-admin-only-priority = 특정 우선순위만
sla-admin-any = (전체)
sla-admin-only-segment = 특정 고객 세그먼트만
sla-admin-segment-placeholder = 예: enterprise
sla-admin-only-plan = 특정 고객 요금제만
sla-admin-plan-placeholder = 예: pro
sla-admin-only-team = 특정 팀만
sla-admin-priority = 우선순위
sla-admin-first-response-min = 첫 응답 (분)
sla-admin-next-response-min = 다음 응답 (분)
sla-admin-resolution-min = 해결 (분)
sla-admin-target-label = { $priority } { $metric }
sla-admin-warn-at = 경고 시점 (목표 대비 %)
sla-admin-notify-assignee = 경고 시 담당자에게 알림
sla-admin-raise-priority = 위반 시 우선순위 한 단계 올리기
sla-admin-notify-lead = 위반 시 팀장에게 알림
sla-admin-move-to-team = 위반 시 이동할 팀
sla-admin-stay = (이동 안 함)
sla-admin-add-policy-button = 정책 추가
sla-admin-calendars = 업무 캘린더
sla-admin-closed-on = 휴무일 { $dates }
sla-admin-add-calendar = 캘린더 추가
sla-admin-time-zone = 시간대 (IANA, 예: Asia/Seoul)
sla-admin-day-hours = { $day } (예: 09:00-17:00 또는 09:00-12:00, 13:00-17:00, 비워 두면 휴무)
sla-admin-holidays = 공휴일 (날짜, 쉼표로 구분)
sla-admin-add-calendar-button = 캘린더 추가

# Errors in SLA settings and escalations (after the field's name)
sla-error-agent-id = 상담원 ID가 아닙니다
sla-error-whole-number-range = { $min }에서 { $max } 사이의 정수여야 합니다
sla-error-whole-number = 정수여야 합니다
sla-error-time = { $value }은(는) 09:00 형식의 시각이 아닙니다
sla-error-day = 요일이 아닙니다
sla-error-date = { $value }은(는) 2026-12-25 형식의 날짜가 아닙니다
sla-error-required = 필수 항목입니다
sla-error-too-long = 너무 깁니다(최대 { $max }자)
sla-error-window = 각 시간대는 ["09:00", "17:00"] 또는 "09:00-17:00" 형식이어야 합니다
sla-error-name-taken = 이미 사용 중입니다
sla-error-percent = 1에서 100 사이여야 합니다
sla-error-no-target = 목표를 하나 이상 설정해야 합니다
sla-error-not-calendar = 캘린더가 아닙니다
sla-error-not-team = 팀이 아닙니다
sla-error-not-active-agent = 활성 상담원이 아닙니다
# The notification the new assignee or the team lead gets.
sla-escalated-notification = { $agent }님이 티켓 #{ $id }을(를) 에스컬레이션했습니다: { $reason }

# 상담원에게 보내는 알림 (받는 사람의 언어로).
sla-notify-warning = 티켓 #{ $ticket }: { $clock } SLA 경고
sla-notify-breached = 티켓 #{ $ticket }: { $clock } SLA 위반
