# sla
# Business time: "45 min", "2 h 05 min", "3 d 4 h" ($minutes in "sla-duration-hours" is two digits).
sla-duration-minutes = { $minutes } min
sla-duration-hours = { $hours } h { $minutes } min
sla-duration-days = { $days } d { $hours } h

# States of an SLA clock
sla-state-on-track = on track
sla-state-warning = warning
sla-state-breached = breached
sla-state-met = met
sla-state-paused = paused

# The clocks
sla-metric-first-response = First response
sla-metric-next-response = Next response
sla-metric-resolution = Resolution

# Ticket statuses (queues of the SLA and bulk pages)

# Days of the week
sla-day-monday = monday
sla-day-tuesday = tuesday
sla-day-wednesday = wednesday
sla-day-thursday = thursday
sla-day-friday = friday
sla-day-saturday = saturday
sla-day-sunday = sunday
sla-day-short-monday = mon
sla-day-short-tuesday = tue
sla-day-short-wednesday = wed
sla-day-short-thursday = thu
sla-day-short-friday = fri
sla-day-short-saturday = sat
sla-day-short-sunday = sun

# The SLA card of the ticket page
sla-panel-title = SLA
sla-panel-no-policy = No SLA policy applies to this ticket.
sla-panel-policy = Policy { $policy } · calendar { $calendar }
# $time and $due are times (shown as such on the page).
sla-clock-met = met { $time }
sla-clock-met-late = met late { $time } (due { $due })
sla-clock-paused = { $left } left · waiting on the customer
sla-clock-due = due { $time }
sla-clock-left = { $left } business time left
sla-clock-overdue = { $overdue } overdue
sla-escalate = Escalate
sla-escalate-reason = Reason
sla-escalate-hand-to = Hand to
sla-escalate-keep-assignee = (keep assignee; notify the team lead)
sla-escalate-raise-priority = Raise priority one step

# Stale & breaching
sla-stale-title = Stale & breaching
sla-stale-empty = Nothing here.
sla-stale-select = Select
sla-stale-select-ticket = Select #{ $id }
sla-stale-subject = Subject
sla-stale-status = Status
sla-stale-priority = Priority
sla-stale-assignee = Assignee
sla-stale-due = SLA due
sla-stale-last-activity = Last agent activity
sla-stale-idle-label = No agent activity for (business hours)
sla-stale-unassigned-label = Unassigned for (business minutes)
sla-stale-by-breach = By breach time
sla-stale-idle = { $hours ->
    [one] No agent activity for { $hours } business hour
   *[other] No agent activity for { $hours } business hours
}
sla-stale-unassigned = { $minutes ->
    [one] Unassigned for { $minutes } business minute
   *[other] Unassigned for { $minutes } business minutes
}

# SLA admin page
sla-admin-title = SLA
sla-admin-policies = SLA policies
sla-admin-intro = Policies are tried top to bottom; the first whose conditions all hold applies. Targets count business time of the policy's calendar; a ticket pending on the customer pauses its clocks.
sla-admin-order = Order
sla-admin-name = Name
sla-admin-applies-to = Applies to
sla-admin-targets = Targets (first / next / resolution)
sla-admin-escalation = Escalation
sla-admin-active = Active
sla-admin-actions = Actions
sla-admin-policy-hours = { $calendar } hours · warn at { $percent }%
sla-admin-cond-priority = priority { $priority }
sla-admin-cond-segment = segment { $segment }
sla-admin-cond-plan = plan { $plan }
sla-admin-cond-team = team { $team }
sla-admin-every-ticket = every ticket
sla-admin-esc-warning-assignee = warning → assignee
sla-admin-esc-breach-priority = breach → priority +1
sla-admin-esc-breach-lead = breach → team lead
sla-admin-esc-breach-team = breach → team { $team }
sla-admin-deactivate = Deactivate
sla-admin-activate = Activate
sla-admin-add-policy = Add a policy
sla-admin-calendar = Calendar
sla-admin-order-help = Order (lower first)
sla-admin-only-priority = Only priority
sla-admin-any = (any)
sla-admin-only-segment = Only customer segment
sla-admin-segment-placeholder = e.g. enterprise
sla-admin-only-plan = Only customer plan
sla-admin-plan-placeholder = e.g. pro
sla-admin-only-team = Only team
sla-admin-priority = Priority
sla-admin-first-response-min = First response (min)
sla-admin-next-response-min = Next response (min)
sla-admin-resolution-min = Resolution (min)
sla-admin-target-label = { $priority } { $metric }
sla-admin-warn-at = Warn at (% of the target)
sla-admin-notify-assignee = At warning, notify the assignee
sla-admin-raise-priority = At breach, raise the priority one step
sla-admin-notify-lead = At breach, notify the team lead
sla-admin-move-to-team = At breach, move to team
sla-admin-stay = (stay)
sla-admin-add-policy-button = Add policy
sla-admin-calendars = Business calendars
sla-admin-closed-on = closed { $dates }
sla-admin-add-calendar = Add a calendar
sla-admin-time-zone = Time zone (IANA, e.g. Europe/Berlin)
sla-admin-day-hours = { $day } (e.g. 09:00-17:00, or 09:00-12:00, 13:00-17:00; empty = closed)
sla-admin-holidays = Holidays (dates, comma separated)
sla-admin-add-calendar-button = Add calendar

# Errors in SLA settings and escalations (after the field's name)
sla-error-agent-id = is not an agent id
sla-error-whole-number-range = must be a whole number from { $min } to { $max }
sla-error-whole-number = must be a whole number
sla-error-time = { $value } is not a time like 09:00
sla-error-day = is not a day of the week
sla-error-date = { $value } is not a date like 2026-12-25
sla-error-required = is required
sla-error-too-long = is too long ({ $max } characters at most)
sla-error-window = each window is ["09:00", "17:00"] or "09:00-17:00"
sla-error-name-taken = is already taken
sla-error-percent = must be between 1 and 100
sla-error-no-target = must set at least one target
sla-error-not-calendar = is not a calendar
sla-error-not-team = is not a team
sla-error-not-active-agent = is not an active agent
# The notification the new assignee or the team lead gets.
sla-escalated-notification = Ticket #{ $id } escalated by { $agent }: { $reason }

# Notifications to agents (in the recipient's language).
sla-notify-warning = Ticket #{ $ticket }: { $clock } SLA warning
sla-notify-breached = Ticket #{ $ticket }: { $clock } SLA breached
