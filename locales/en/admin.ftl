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
