# The page frame, navigation, times and shared bits of every page.

app-name = Casebook
title-suffix = { $title } · Casebook
skip-to-content = Skip to content
nav-main = Main
nav-menu = Menu
nav-tickets = Tickets
nav-search = Search
nav-customers = Customers
nav-stale = Stale & breaching
nav-reports = Reports
nav-notifications = Notifications
nav-admin = Admin
nav-change-password = Change password
nav-availability = Availability
nav-language = Language
nav-log-out = Log out
language-picker = Language
role-agent = agent
role-lead = lead
role-admin = admin

time-just-now = just now
time-minutes = { $n } min
time-hours = { $n } h
time-days = { $n } d
time-ago = { $age } ago
time-utc = { $time } UTC

error-title = { $status } · { $reason }
error-back = Back to Casebook
error-status-400 = Bad request
error-status-401 = Not logged in
error-status-403 = Not allowed
error-status-404 = Not found
error-status-405 = Method not allowed
error-status-409 = Conflict
error-status-413 = Too large
error-status-415 = Unsupported type
error-status-422 = Could not be processed
error-status-429 = Too many requests
error-status-500 = Server error
error-status-503 = Unavailable
error-status-other = Error

form-fix-fields = Please correct the fields marked below.
button-save = Save
button-cancel = Cancel
button-send = Send
button-search = Search
button-apply = Apply
button-delete = Delete
yes = yes
no = no
none = none

account-language-title = Language
account-language-intro = The language Casebook shows you its pages, messages and mail in.
account-language-label = Your language
account-language-browser = Follow my browser ({ $language })
account-language-saved = Language saved.

# Counted things; the form follows the number.
count-tickets = { $count ->
    [one] { $count } ticket
   *[other] { $count } tickets
}
count-messages = { $count ->
    [one] { $count } message
   *[other] { $count } messages
}

# Messages of the page scripts (live desk, drafts, notifications, shortcuts). A script puts a
# value where %name% stands.
js-reload = Reload
js-new-activity = New activity.
js-changed-while-editing = This ticket changed while you were editing it (%changes%). Pressing Update will show you what changed first.
js-new-while-writing = New activity while you were writing: %changes% (shown above).
js-list-separator = {", "}
list-separator = {", "}
js-the-customer = The customer
js-a-message = a message
js-an-internal-note = an internal note
js-the-ticket = the ticket
js-none = none
js-field-change = %field% → %value%
js-who-what = %who%: %what%
js-field-status = status
js-field-priority = priority
js-field-assignee = assignee
js-field-team = team
js-field-subject = subject
js-field-tags = tags
js-viewing = %name% is viewing
js-replying = %name% is replying…
js-draft-saved = Draft saved
js-draft-discarded = Draft discarded
js-draft-not-saved = Draft not saved (%status%)
js-draft-unreachable = Draft not saved: the server could not be reached
js-notify-on = Desktop notifications are on (turn off)
js-notify-blocked = Desktop notifications are blocked in this browser
js-notify-show = Show desktop notifications
js-shortcuts-title = Keyboard shortcuts
js-key-walk = next / previous ticket (in a list: move the selection)
js-key-open = open the selected ticket
js-key-tick = tick the selected ticket for a bulk change
js-key-reply = write a public reply
js-key-note = write an internal note
js-key-assign = assign the ticket to me
js-key-solve = solve the ticket
js-key-macro = insert a saved reply
js-key-go = go to Mine, Unassigned, Open, Pending, Solved, All
js-key-search = search
js-key-help = show or hide this list
js-key-escape = leave a field, close this list
account-language-invalid = must be en, ko or ar
