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
