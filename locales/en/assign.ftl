# assign
# Shared names of priorities, channels and availability on assignment, SLA and bulk pages.
assign-availability-online = online
assign-availability-away = away
assign-availability-off = off
assign-availability-off-hours = off hours

# Ticket page: why the ticket is where it is
assign-why-title = Why this ticket is where it is

# Teams page
assign-teams-title = Teams
# $link is the link "routing rules" (assign-teams-intro-link).
assign-teams-intro = New tickets go to a team by the { $link }; tickets no rule matches go to the default team. Within a team, the online member with the fewest open tickets gets the next one.
assign-teams-intro-link = routing rules
assign-badge-default = default
assign-badge-inactive = inactive
assign-badge-off = off
assign-team-members = { $count ->
    [one] { $count } member
   *[other] { $count } members
}
assign-team-waiting = { $count } waiting for an agent
assign-name = Name
assign-active = Active
assign-default-team = Default team
assign-lead = Lead
assign-none-option = (none)
assign-members = Members
assign-save-team = Save team
assign-new-team = New team
assign-create-team = Create team

# Routing rules page
assign-rules-title = Routing rules
assign-rules-intro = Checked from the top; the first rule that matches a new ticket decides its team, priority, tags and required skill.
assign-rules-rule = Rule
assign-rules-when = When
assign-rules-then = Then
assign-edit = Edit
assign-move-up = Move { $name } up
assign-move-down = Move { $name } down
assign-new-rule = New rule
assign-rule-title = Rule { $name }
assign-back-to-rules = ← Routing rules
# A rule's conditions: "channel web or email and priority high".
assign-cond-or = {" or "}
assign-cond-and = {" and "}
assign-cond-channel = channel { $values }
assign-cond-mailbox = mailbox { $values }
assign-cond-plan = plan { $values }
assign-cond-segment = segment { $values }
assign-cond-words = words { $values }
assign-cond-priority = priority { $values }
assign-cond-vip = VIP
assign-cond-not-vip = not VIP
assign-cond-at-risk = at risk
assign-cond-not-at-risk = not at risk
assign-cond-every-ticket = every ticket
# What a rule does: "team Billing; priority high; tags vip; skill german".
assign-then-separator = {"; "}
assign-then-team = team { $team }
assign-then-deleted-team = team #{ $id } (deleted: default team)
assign-then-default-team = default team
assign-then-priority = priority { $priority }
assign-then-tags = tags { $tags }
assign-then-skill = skill { $skill }
# The rule form
assign-rule-when = When (all that are filled in)
assign-rule-lists-help = Lists are comma-separated; any value matches.
assign-rule-channel = Channel:
assign-rule-priority = Priority:
assign-rule-keywords = Words in subject or message
assign-rule-mailbox = Mailbox
assign-rule-plan = Customer plan
assign-rule-segment = Customer segment
assign-rule-vip = VIP
assign-rule-at-risk = At risk
assign-either = either
assign-rule-team = Team
assign-rule-default-team-option = (default team)
assign-team-inactive-option = { $team } (inactive)
assign-rule-set-priority = Set priority
assign-rule-keep-option = (keep)
assign-rule-tags = Add tags
assign-rule-skill = Required skill
assign-save-rule = Save rule
assign-add-rule = Add rule

# Routing settings on the admin agents page
assign-routing-title = Routing
assign-routing-intro = Auto-assignment gives online agents new tickets up to their capacity (open tickets), within their working hours (an SLA calendar; none means always). Deactivating someone assigns their open tickets to others.
assign-routing-agent = Agent
assign-routing-teams = Teams
assign-routing-open = Open
assign-routing-settings = Capacity · availability · skills
assign-routing-capacity-of = Capacity of { $name }
assign-routing-availability-of = Availability of { $name }
assign-routing-skills-of = Skills of { $name }
assign-routing-skills-placeholder = skills
assign-routing-hours-of = Working hours of { $name }
assign-routing-always = always
assign-routing-active = active

# Own availability
assign-availability-title = Availability
# $state is the current availability, shown in bold.
assign-availability-current = You are { $state }. Only online agents get new tickets automatically; your open tickets stay yours.
assign-availability-set = Set

# Errors in assignment settings (after the field's name: "capacity must be a whole number")
assign-error-id = is not a valid id
assign-error-yes-no = must be yes, no or empty
assign-error-whole-number = must be a whole number
assign-error-calendar-id = must be a calendar id
assign-error-required = is required
assign-error-too-long = is too long ({ $max } characters at most)
assign-error-team-name-taken = is already used by another team
assign-error-not-active-agent = is not an active agent
assign-error-members-max = at most { $max } agents
assign-error-member-not-active = { $id } is not an active agent
assign-error-at-most = at most { $max }
assign-error-unknown-team = is not a known team
assign-error-position = must be 1 or more
assign-error-only-admins = only admins change other agents; agents may set their own availability
assign-error-capacity = must be between 0 and { $max }
assign-error-availability = must be one of: online, away, off
assign-error-deactivate-self = you cannot deactivate yourself
assign-error-no-calendar = no such calendar (see /api/v1/sla/calendars)
assign-rules-actions = Actions

# Why a ticket is where it is: recorded when routing and assignment decide, read in the reader's language
assign-routing = { $route }{ $details }
assign-target-default = default team { $team }
assign-target-team = team { $team }
assign-target-unassigned = Unassigned (no default team)
assign-route-keyword = {" "}(keyword “{ $keyword }”)
assign-route-rule = rule '{ $rule }'{ $keyword } → { $target }
assign-route-rule-fallback = rule '{ $rule }'{ $keyword } { $why } → { $target }
assign-route-no-rule = no rule matched → { $target }
assign-route-priority = ; priority { $priority }
assign-route-tags = ; tags { $tags }
assign-route-skill = ; needs skill '{ $skill }'
assign-fallback-no-team = names no team
assign-fallback-inactive = names team { $team }, which is inactive
assign-fallback-gone = names team #{ $id }, which no longer exists
assign-route-because = { $routing } ({ $reason })
assign-route-kept = team { $team } ({ $reason })
assign-route-waited = waited in team { $team }'s queue ({ $reason })
assign-route-deactivated = { $routing }; the team was just deactivated
assign-skip-status = { $routing }; not assigned: the ticket is { $status }
assign-skip-assigned = { $routing }; already assigned
assign-skip-meanwhile = { $routing }; assigned or closed meanwhile
assign-reason-new = new ticket
assign-reason-requested = requested
assign-reason-available = someone became available
assign-reason-agent-available = an agent became available
assign-reason-reopened = reopened
assign-reason-unassigned = unassigned by an agent
assign-reason-team-deactivated = its team was deactivated
assign-reason-assignee-deactivated = the previous assignee was deactivated
assign-reason-hours = working hours may have begun
assign-reason-joined = an agent joined the team
assign-reason-team-activated = the team was activated
assign-reason-reassigned = ticket #{ $ticket } was reassigned
assign-reason-ticket-status = ticket #{ $ticket } was { $status }
assign-skill-nobody = nobody in the team has skill '{ $skill }', so any member
assign-skill-some = { $count } of { $total } with skill '{ $skill }'
assign-unavailable-unassigned = just unassigned
assign-unavailable-over = over capacity ({ $capacity } max)
assign-unavailable-full = at capacity { $open }/{ $capacity }
assign-availability-other = { $state }
assign-unavailable-agent = { $name } { $reason }
assign-why-unavailable = {" "}(not available: { $list })
assign-why-skill = ; { $skill }
assign-why-waiting-unassigned = Waiting in Unassigned: { $routing }
assign-why-waiting-team = Waiting in team { $team }'s queue: { $routing }
assign-why-no-members = Waiting in team { $team }'s queue: { $routing }{ $skill }; the team has no active members
assign-why-nobody = Waiting in team { $team }'s queue: { $routing }{ $skill }; nobody available{ $unavailable }
assign-load-only = { $name } had { $open } open, the only one
assign-load-tie = { $name } had { $open } open, tied with { $others }; longest since last assignment
assign-load-fewest = { $name } had { $open } open, fewest
assign-load-of = { $name } { $open }/{ $capacity }
assign-why-assigned = Assigned to { $name }: { $routing }{ $skill }; { $count } available; { $load } (loads: { $loads }){ $unavailable }
assign-reason-sla-breach = SLA breach: { $clock }
