# agent
# Pages for agents: login, queues, the ticket page, the customer page, password, admin.

## Statuses, priorities and channels (shared by every view that shows them)
status-new = new
status-open = open
status-pending = pending
status-solved = solved
status-closed = closed
priority-low = low
priority-normal = normal
priority-high = high
priority-urgent = urgent
channel-email = email
channel-web = web
channel-api = api

## Login
agent-login-title = Log in
agent-login-heading = Log in to Casebook
agent-login-email = Email
agent-login-password = Password
agent-login-button = Log in
agent-login-wrong = Wrong email or password.

## Queues
agent-queue-mine = Mine
agent-queue-unassigned = Unassigned
agent-queue-open = All open
agent-queue-pending = Pending
agent-queue-solved = Solved
agent-queue-all = All
agent-queue-tickets = Tickets
agent-queues = Queues
agent-queue-all-teams-title = Show every team
agent-queue-all-teams = (all teams)
agent-queue-tagged = tagged { $tag }
agent-queue-any-tag-title = Show every tag
agent-queue-any-tag = (any tag)
agent-queue-empty = Nothing here.
agent-queue-empty-mine = Pick a ticket from Unassigned.
agent-queue-keys = Keyboard: { $j } / { $k } to move, { $o } to open, { $help } for every shortcut.
agent-queue-urgent-first = Most urgent SLA first.
agent-queue-newest-first = Newest first
agent-queue-older = Older tickets →
agent-unknown-customer = (unknown)
agent-views = Views
agent-view-shared = (shared)
agent-view-yours = your view
agent-view-shared-team = shared with team { $team }
agent-view-shared-all = shared view
agent-view-empty = No ticket matches this view now.
agent-view-more = More tickets →
agent-view-delete = Delete this view

## Ticket table columns
agent-column-select = Select
agent-column-subject = Subject
agent-column-customer = Customer
agent-column-status = Status
agent-column-priority = Priority
agent-column-assignee = Assignee
agent-column-team = Team
agent-column-tags = Tags
agent-column-channel = Channel
agent-column-age = Age
agent-column-updated = Last change
agent-column-sla = SLA due
agent-column-plan = Plan
agent-select-ticket = Select #{ $id }
agent-age-title = Time since the ticket was created
agent-updated-title = Time since the last change

## Save as a view
agent-save-view = Save as a view…
agent-save-view-name = Name
agent-save-view-status = status
agent-save-view-priority = priority
agent-save-view-assignee = assignee
agent-save-view-tag = tag
agent-save-view-channel = channel
agent-save-view-idle = no change for (hours)
agent-save-view-waiting = customer waiting for (hours)
agent-save-view-sla = SLA
agent-save-view-vip = VIP
agent-save-view-plan = plan
agent-save-view-segment = segment
agent-save-view-sort = sort
agent-save-view-columns = Columns
agent-save-view-shared = shared with
agent-save-view-any = any
agent-save-view-anyone = anyone
agent-save-view-me = me
agent-save-view-vip-yes = VIP customers
agent-save-view-vip-no = not VIP
agent-save-view-nobody = nobody (mine)
agent-save-view-everyone = everyone
agent-save-view-team = team { $team }
agent-save-view-button = Save view
agent-sla-breached = breached
agent-sla-at-risk = at risk (warned, not yet breached)
agent-sla-attention = breached or at risk
agent-sort-newest = newest first
agent-sort-oldest = oldest first
agent-sort-updated = recently changed first
agent-sort-priority = most urgent priority first
agent-sort-sla = SLA due soonest first

## Conflict banner
agent-conflict-heading = This ticket changed since you opened it
agent-conflict-added-message = { $who } added a message
agent-conflict-added-note = { $who } added a internal note
agent-conflict-created = { $who } created the ticket
agent-conflict-changed = { $who } changed { $field } { $old } → { $new }
agent-conflict-history = Its history was updated.
agent-conflict-not-saved = Your change was not saved:
agent-conflict-mine-status = status → { $value }
agent-conflict-mine-priority = priority → { $value }
agent-conflict-mine-assignee = assignee → { $value }
agent-conflict-apply = Apply my change
agent-conflict-keep = Keep the ticket as it is
agent-conflict-reply-kept = Your reply was { $notsent }. It is kept in the reply box below: read the changes, then send it again.
agent-conflict-not-sent = not sent
agent-field-assignee = assignee
agent-field-team = team
agent-field-customer = customer
agent-field-solution = solution
agent-field-message = public message
agent-field-ticket = ticket
agent-field-status = status
agent-field-priority = priority
agent-field-subject = subject
agent-field-tags = tags
agent-field-cc = cc
agent-field-merged = merged into
agent-unassigned-value = unassigned
agent-who-agent = An agent
agent-who-customer = The customer
agent-nobody = nobody
agent-agent-id = agent { $id }

## Ticket page
agent-presence-replying = { $name } is replying…
agent-presence-viewing = { $name } is viewing
agent-ticket-meta = via { $channel } · opened { $time }
agent-ticket-follow-up = follow-up of { $ticket }
agent-internal-note-badge = internal note
agent-split-title = Move this message into a new ticket of the same customer
agent-split = Split off
agent-forwarded = Forwarded message
agent-full-message = Show full message
agent-auto-reply = Automatic reply — no acknowledgement was sent.
agent-list-mail = Sent through a mailing list — no acknowledgement was sent.
agent-threading-title = How this email found its ticket
agent-threading = Threading: { $reason }
agent-delivery-failed = Email not delivered: { $error }
agent-delivery-unknown-error = unknown error
agent-delivery-queued = Email queued
agent-delivery-sent = Emailed to the customer
agent-attachment-view = View { $name }
agent-preview-refused = this file cannot be shown in the browser; download it instead
agent-attachment-open = open
agent-reply-label = Reply to { $name } or add an internal note
agent-reply-attach = Attach files
agent-reply-public = Public reply
agent-reply-internal = Internal note
agent-reply-set-status = and set status
agent-reply-keep-status = (keep)
agent-sidebar-ticket = Ticket
agent-sidebar-status = Status
agent-sidebar-priority = Priority
agent-sidebar-assignee = Assignee
agent-sidebar-unassigned = Unassigned
agent-sidebar-update = Update
agent-customer = Customer
agent-recent-activity = Recent activity
agent-history = History

## History lines
agent-actor-system = Casebook
agent-actor-customer = The customer
agent-event-created = { $who } created the ticket via { $channel }
agent-event-created-detail = { $who } created the ticket via { $channel } ({ $detail })
agent-event-status = { $who } changed status { $old } → { $new }
agent-event-priority = { $who } changed priority { $old } → { $new }
agent-event-assignee = { $who } reassigned { $old } → { $new }
agent-event-subject = { $who } renamed the ticket from “{ $old }”
agent-event-tag-added = { $who } tagged it { $tag }
agent-event-merged-into = { $who } merged it into { $ticket }
agent-event-merged-from = { $who } merged { $ticket } into it
agent-event-merged-from-unknown = { $who } merged a ticket into it
agent-event-merge-undone = { $who } undid a merge
agent-event-split-from = { $who } split it off { $ticket }
agent-event-split-from-unknown = { $who } split it off a ticket
agent-event-split-to = { $who } split a message off into { $ticket }
agent-event-split-to-unknown = { $who } split a message off into a new ticket
agent-event-tag-removed = { $who } removed the tag { $tag }
agent-event-cc-added = { $who } copied { $address }
agent-event-cc-removed = { $who } stopped copying { $address }
agent-event-reply = { $who } replied
agent-event-note = { $who } added an internal note
agent-event-first-response = { $who } sent the first response
agent-event-routed = { $who } routed the ticket: { $detail }
agent-event-assigned = { $who } auto-assigned: { $detail }
agent-event-delivery-failed = { $who } could not deliver an email: { $detail }
agent-event-ack-suppressed = { $who } sent no acknowledgement (limit for this customer reached)
agent-event-customer-merged = { $who } merged the customer: { $old } → { $new }
agent-event-customer-merge-undone = { $who } undid the merge of the customer: { $old } → { $new }
agent-event-team = { $who } moved the ticket to another team
agent-event-resolution = { $who } marked the message that solved it
agent-event-sla-warning = { $who }: { $clock } is at its warning threshold
agent-event-sla-breach = { $who }: { $clock } breached its target
agent-event-escalated = { $who } escalated: { $reason }
agent-event-other = { $who } { $what }

## Customer card and page
agent-card-churn-risk = Churn risk
agent-card-since = Customer since { $date } ({ $age })
agent-card-plan = Plan { $plan }
agent-card-mrr = MRR { $amount } { $currency }
agent-card-lifetime = Lifetime value { $values }
agent-card-came-from = Came from { $source }
agent-card-csat = Last CSAT { $score }
agent-card-tickets = { $total ->
    [one] { $open } open · { $total } ticket in all
   *[other] { $open } open · { $total } tickets in all
}
agent-customer-timeline = Timeline filter
agent-customer-everything = Everything
agent-customer-nothing = Nothing yet.
agent-customer-ticket = Ticket { $ticket }
agent-customer-profile = Profile
agent-crm-tickets = tickets
agent-crm-order = order
agent-crm-subscription = subscription
agent-crm-deal = deal
agent-crm-campaign-touch = campaign touch
agent-crm-email-engagement = email engagement
agent-crm-csat = csat
agent-crm-nps = nps
agent-crm-signup = signup
agent-crm-note = note

## Password
agent-password-title = Change password
agent-password-done = Password changed. Other sessions were logged out.
agent-password-current = Current password
agent-password-new = New password (at least 12 characters; a few unrelated words work well)
agent-password-button = Change password

## Quarantine
agent-quarantine-title = Quarantine
agent-quarantine-heading = Quarantined email
agent-quarantine-intro = Mail that could not become a ticket by itself. Nothing here is lost: retry runs every check again, release makes a ticket regardless, dismiss keeps the message but stops showing it.
agent-quarantine-held-only = Show held only
agent-quarantine-show-all = Show resolved too
agent-quarantine-empty = Nothing is held.
agent-quarantine-reason = Reason
agent-quarantine-from = From
agent-quarantine-subject = Subject
agent-quarantine-size = Size
agent-quarantine-received = Received
agent-quarantine-status = Status
agent-quarantine-actions = Actions
agent-quarantine-status-held = held
agent-quarantine-status-released = released
agent-quarantine-status-dismissed = dismissed
agent-quarantine-retry = Retry
agent-quarantine-release = Release as ticket
agent-quarantine-dismiss = Dismiss
agent-quarantine-older = Older →

## Admin: agents
agent-admin-title = Agents
agent-admin-name = Name
agent-admin-email = Email
agent-admin-role = Role
agent-admin-add-heading = Add an agent
agent-admin-password = Initial password
agent-admin-add = Add agent

## Customer links panel
agent-links-heading = Customer link
agent-links-none = No working link.
agent-links-active = { $count ->
    [one] { $count } working link.
   *[other] { $count } working links.
}
agent-links-active-until = { $count ->
    [one] { $count } working link, the newest until { $date }.
   *[other] { $count } working links, the newest until { $date }.
}
agent-links-last-sent = Last sent { $ago }.
agent-links-reissue = Revoke and mail a new link
agent-links-revoke = Revoke all

# How an email found its ticket (recorded when it arrived, read in the reader's language)
thread-new-ticket = new ticket: no reference to an existing ticket
thread-private-link = written through the customer's private link
thread-in-reply-to = In-Reply-To matches message <{ $id }>
thread-references = References matches message <{ $id }>
thread-subject = subject names ticket [#{ $ticket }]
thread-address = sent to the reply address of ticket #{ $ticket }
thread-foreign = new ticket: refers to ticket #{ $ticket }, which belongs to another customer
thread-follow-up = follow-up: ticket #{ $ticket } is closed
thread-reused-id = { $reason }; its Message-ID was used before, by message { $message } with different content
thread-bounce = bounce of message <{ $id }>
agent-delivery-failed-detail = message { $message }: { $error }

# Why mail was held in quarantine
quarantine-parse-error = could not be read
quarantine-too-large = too large
quarantine-loop = mail loop
quarantine-blocked = sender blocked
quarantine-rate-limited = too many from this sender
quarantine-auto-reply = automatic reply
quarantine-bounce = bounce
quarantine-no-sender = no sender
quarantine-storage-error = could not be stored
quarantine-spoofed = forged sender
quarantine-receipt = read receipt
