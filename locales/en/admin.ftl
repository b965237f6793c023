# admin
# The admin index (/admin)
admin-index-title = Admin
admin-index-teams = Teams
admin-index-teams-about = Teams, their members, lead and the default team.
admin-index-rules = Routing rules
admin-index-rules-about = Which team, priority and tags a new ticket gets.
admin-index-agents = Agents
admin-index-agents-about = People, roles, capacity, availability and skills.
admin-index-sla = SLA
admin-index-sla-about = Business calendars, SLA policies and escalation.
admin-index-tags = Tags
admin-index-tags-about = Rename, merge and delete the tags tickets carry.
admin-index-macros = Macros and saved replies
admin-index-macros-about = Answers and one-step actions for the reply box and bulk changes: shared, and your own.
admin-index-quarantine = Quarantine
admin-index-quarantine-about = Mail that could not become a ticket, with the reason.
admin-index-language = Language
admin-index-language-about = The language of people who have not chosen one and whose browser asks for none Casebook speaks.
admin-language-title = Default language
admin-language-intro = Casebook speaks to everyone in the language they chose, else the one their browser asks for. Customers, agents and mail where neither says get this language. A customer who writes is answered in the language they wrote.
admin-language-label = Default language
admin-language-configured = As configured ({ $language })
admin-index-duplicates = Likely duplicates
admin-index-duplicates-about = Customers that may be the same person.
# $link is the link "quarantine" (admin-index-unaccounted-link).
admin-index-unaccounted = { $count ->
    [one] { $count } stored email became neither a message nor a duplicate and are not held in { $link }. Check the log for ingest errors; the mailbox retries them.
   *[other] { $count } stored emails became neither a message nor a duplicate and are not held in { $link }. Check the log for ingest errors; the mailbox retries them.
}
admin-index-unaccounted-link = quarantine

# Notifications page
notify-title = Notifications
notify-unread = { $count } unread
notify-mark-all-read = Mark all read
notify-desktop = Show desktop notifications
notify-empty = Nothing yet.
notify-mark-read = Mark read
notify-prefs-title = What you hear about
notify-prefs-help = In Casebook: listed here and counted in the menu; off, nothing is kept. Email digest: what is still unread after { $minutes } minutes, in one mail at most every { $minutes } minutes.
notify-prefs-no-email = Outbound email is not set up on this server, so no digest is sent.
notify-prefs-kind = Notification
notify-prefs-in-app = In Casebook
notify-prefs-email = Email digest
notify-prefs-in-app-label = { $kind }: in Casebook
notify-prefs-email-label = { $kind }: email digest
# Kinds of notification
notify-kind-assigned = A ticket is assigned to me
notify-kind-customer-reply = The customer writes on a ticket assigned to me
notify-kind-mention = Someone mentions me in an internal note
notify-kind-following = A ticket I follow changes
notify-kind-sla-warning = SLA warnings
notify-kind-sla-breach = SLA breaches (team leads)
notify-kind-escalated = Escalations
# The Follow card of the ticket page
notify-follow = Follow
notify-unfollow = Unfollow
notify-following-help = You hear about every change to this ticket.
notify-follow-help = Hear about every change to this ticket.

# Bulk changes
bulk-change = Change
bulk-scope-selected = the selected tickets
bulk-scope-all = every ticket in this list
bulk-selected-tickets = Selected tickets:
bulk-status = status
bulk-priority = priority
bulk-assignee = assignee
bulk-team = team
bulk-add-tags = add tags
bulk-remove-tags = remove tags
bulk-macro = macro
bulk-no-change = (no change)
bulk-unassigned = Unassigned
bulk-no-macro = (none)
bulk-apply = Apply…
bulk-title = Bulk change
bulk-confirm-title = Confirm bulk change
bulk-confirm-heading = { $count ->
    [one] Change { $count } ticket?
   *[other] Change { $count } tickets?
}
bulk-confirm-help = Tickets someone else changes in the meantime are left alone and listed afterwards.
bulk-confirm-button = { $count ->
    [one] Change { $count } ticket
   *[other] Change { $count } tickets
}
bulk-result-heading = { $count ->
    [one] Changed { $count } ticket
   *[other] Changed { $count } tickets
}
bulk-result-stale = { $count } changed by someone else after you loaded the list, so they were left alone:
bulk-result-failed = { $count } could not change:
bulk-back = Back to the list
bulk-progress-heading = { $count ->
    [one] Changing { $count } ticket…
   *[other] Changing { $count } tickets…
}
bulk-progress-done = { $done } of { $total } done
bulk-progress-of = { $done } of { $total }
bulk-progress-counts = { $changed } changed, { $stale } left alone (changed by someone else), { $failed } could not change. You can leave this page: the change goes on.

# Notification texts (stored in the recipient's language)
notify-ticket = #{ $id } “{ $subject }”
notify-assigned-by = Ticket { $ticket } was assigned to you by { $agent }
notify-assigned = Ticket { $ticket } was assigned to you
notify-assigned-auto = Ticket { $ticket } was assigned to you automatically
notify-mention-by = You were mentioned in a note on { $ticket } by { $agent }
notify-mention = You were mentioned in a note on { $ticket }
notify-customer-reply = The customer wrote on { $ticket }
notify-following-by = Followed ticket { $ticket } changed by { $agent }: { $summary }
notify-following-changed = Followed ticket { $ticket } changed: { $summary }
# What changed, for followers: "status open → pending, new customer message".
notify-summary-status = status { $old } → { $new }
notify-summary-priority = priority { $old } → { $new }
notify-summary-unassigned = unassigned
notify-summary-assignee = assignee changed
notify-summary-team = team changed
notify-summary-subject = subject changed
notify-summary-tag = tag { $tag } added
notify-summary-customer-message = new customer message
notify-summary-reply = new reply
notify-summary-note = new internal note
notify-summary-customer = customer changed
notify-summary-solution = solution marked
# The email digest
notify-digest-subject = { $count ->
    [one] Casebook: { $count } unread notification
   *[other] Casebook: { $count } unread notifications
}
notify-digest-intro = Unread in Casebook:
notify-digest-settings = All notifications and email settings: { $url }

# Bulk changes: what a change does, and errors
bulk-describe-separator = {", "}
bulk-describe-status = status → { $status }
bulk-describe-priority = priority → { $priority }
bulk-describe-assign = assign to { $agent }
bulk-describe-unassign = unassign
bulk-describe-team = move to team { $team }
bulk-describe-add-tags = add tags { $tags }
bulk-describe-remove-tags = remove tags { $tags }
bulk-describe-macro = apply macro “{ $title }”
bulk-unknown-agent = agent { $id }
bulk-unknown-team = team { $id }
bulk-nothing-changed = Nothing changed: { $reason }.
bulk-error-not-agent = is not an agent id
bulk-error-not-macro = is not a macro
bulk-error-not-team = is not a team
bulk-error-not-ticket = is not a ticket id
bulk-error-unknown-queue = is not a known queue
bulk-error-team-id = must be a team id
bulk-error-select-one = select at least one ticket
bulk-error-no-change = choose at least one change (status, priority, assignee, team, tags or a macro)
bulk-error-too-many = at most { $max } tickets at once
bulk-error-list-too-long = the list has more than { $max } tickets; narrow it first

# Tags admin page
admin-tags-title = Tags
admin-tags-intro = Renaming a tag to one already in use merges the two. Every ticket changes through its history, like an agent's edit.
admin-tags-empty = No tags yet. Agents add them on the ticket page; routing rules add them to new tickets.
admin-tags-tag = Tag
admin-tags-tickets = Tickets
admin-tags-rename-into = Rename or merge into
admin-tags-new-name-for = New name for { $tag }
admin-tags-rename = Rename
admin-tags-renamed = { $count ->
    [one] “{ $tag }” is now “{ $to }” on { $count } ticket
   *[other] “{ $tag }” is now “{ $to }” on { $count } tickets
}
admin-tags-removed = { $count ->
    [one] “{ $tag }” was removed from { $count } ticket
   *[other] “{ $tag }” was removed from { $count } tickets
}
# Tags and Cc cards of the ticket page
tags-panel-empty = No tags yet.
tags-panel-tickets-with-tag = Tickets with this tag
tags-panel-remove-tag = Remove tag { $tag }
tags-panel-add-tags = Add tags
tags-panel-add-placeholder = Add tags, separated by commas
cc-panel-title = Cc
cc-panel-customer-only = Public replies go to the customer only.
cc-panel-also-to = Public replies also go to:
cc-panel-stop-copying = Stop copying { $address }
cc-panel-remove = Remove
cc-panel-copy-someone = Copy someone
cc-panel-copy-placeholder = Copy someone: name@example.com
cc-panel-add = Add

# Merge card of the ticket page
merge-title = Merge
# $link is the merged-into ticket's number, a link.
merge-merged-into = Merged into { $link }; its messages and the customer's link are there now.
merge-undo = Undo the merge
# $time is a time.
merge-undo-until = until { $time }
merge-into-label = Merge this ticket into #
merge-into-placeholder = number
merge-button = Merge
merge-help = Its messages, files and the customer's link move there; this ticket is closed with a pointer. You can undo it.
merge-error-ticket-number = must be a ticket number, such as 123
merge-error-into-required = is required: the ticket to merge into
merge-error-not-a-ticket = is not a ticket number
merge-error-undo-expired = this merge can no longer be undone

# Saved views: errors (after the field's name)
views-error-number = must be a number
views-error-yes-no = must be yes or no
views-error-sla = must be breached, at_risk or attention
views-error-sort = must be newest, oldest, updated, priority or sla
views-error-too-long = must be at most { $max } characters
views-error-column = is not a column (one of { $columns })
views-error-queue = is not a known queue
views-error-assignee = must be me or an agent id
views-error-not-active-agent = is not an active agent
views-error-not-team = is not a team
views-error-hours = must be between { $min } and { $max }
views-error-name = is required ({ $max } characters at most)
views-error-only-leads-share = only leads and admins share views
views-error-team-own = is for shared views (an own view is yours alone)
views-error-only-leads-delete = only leads and admins delete shared views
