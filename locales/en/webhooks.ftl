# webhooks: outbound webhooks (/admin/webhooks) and their errors

webhooks-title = Webhooks
webhooks-admin-index-about = Send ticket, message, SLA, rating and customer events to other systems, signed, with a delivery log.
webhooks-intro = Casebook posts each event a subscription asks for to its URL, signed with its secret. Deliveries are retried with growing pauses and arrive in order per ticket; a subscription that keeps failing is disabled and admins are told.
webhooks-none = No webhooks yet.
webhooks-back = ← All webhooks

# The events
webhooks-event-ticket-created = A ticket is created
webhooks-event-ticket-updated = A ticket changes
webhooks-event-ticket-solved = A ticket is solved
webhooks-event-ticket-reopened = A ticket is reopened
webhooks-event-message-added = A message or note is added
webhooks-event-sla-warning = An SLA warning
webhooks-event-sla-breach = An SLA breach
webhooks-event-csat-received = A customer rates a ticket
webhooks-event-customer-merged = Customers are merged

# Delivery states
webhooks-status-pending = waiting
webhooks-status-retrying = retrying
webhooks-status-delivered = delivered
webhooks-status-failed = failed
webhooks-status-paused = kept while disabled
webhooks-state-active = active
webhooks-state-disabled = disabled
webhooks-disabled-failing = { $failures ->
    [one] Disabled after { $failures } failed attempt in a row.
   *[other] Disabled after { $failures } failed attempts in a row.
}
webhooks-disabled-admin = Disabled by an admin.
webhooks-failing-now = { $failures ->
    [one] { $failures } failed attempt in a row
   *[other] { $failures } failed attempts in a row
}
webhooks-paused-count = { $count ->
    [one] { $count } delivery is kept and will be sent when you enable it.
   *[other] { $count } deliveries are kept and will be sent when you enable it.
}

# Lists and forms
webhooks-col-name = Name
webhooks-col-url = URL
webhooks-col-events = Events
webhooks-col-state = State
webhooks-col-when = When
webhooks-col-event = Event
webhooks-col-ticket = Ticket
webhooks-col-status = Status
webhooks-col-attempts = Attempts
webhooks-col-answer = Last answer
webhooks-col-result = Result
webhooks-col-actions = Actions
webhooks-add = Add a webhook
webhooks-add-button = Add webhook
webhooks-edit = Change this webhook
webhooks-save = Save
webhooks-field-name = Name
webhooks-field-url = URL that receives the events
webhooks-field-events = Events to send
webhooks-field-secret = Secret (leave empty to have one made)
webhooks-field-new-secret = New secret (leave empty to keep the current one)
webhooks-field-secret-help = At least { $min } characters. Receivers check the Casebook-Signature header with it.
webhooks-field-allow-private = Allow private and loopback addresses
webhooks-field-allow-private-help = Only for receivers inside your own network: without it, URLs that point at 127.0.0.1, 10.x, 192.168.x, link-local or other internal addresses are refused.
webhooks-secret-once = The secret of this webhook is shown only now. Copy it into the receiver:
webhooks-secret-hint = Secret ends in
webhooks-failures = Failed attempts in a row
webhooks-enable = Enable (and send what was kept)
webhooks-disable = Disable
webhooks-delete = Delete with its log
webhooks-log = Deliveries
webhooks-log-empty = No deliveries yet.
webhooks-filter-status = Status
webhooks-filter-any = any
webhooks-filter = Show
webhooks-older = Older deliveries
webhooks-next-attempt = next attempt
webhooks-latency = { $ms } ms
webhooks-redeliver = Send again
webhooks-delivery-title = Delivery of { $event }
webhooks-delivery-id = Delivery id
webhooks-attempts = Attempts
webhooks-attempts-none = Not attempted yet.
webhooks-attempt-manual = sent again by a person
webhooks-body = Body sent

# The notice admins get
webhooks-notice-disabled = Webhook “{ $name }” ({ $url }) was disabled after { $failures } failed deliveries in a row. Its new events are kept; fix the receiver, then enable it on the Webhooks page to send them.

# Errors
webhooks-error-url-missing = is required: the URL that receives the events.
webhooks-error-url-invalid = is not a valid URL.
webhooks-error-url-scheme = must start with http:// or https://.
webhooks-error-url-credentials = must not carry a user name or password; receivers check the signature instead.
webhooks-error-url-long = is longer than { $max } characters.
webhooks-error-url-internal = points at { $host }, a { $kind } address ({ $address }). Internal addresses are refused unless “allow private addresses” (allow_private) is set.
webhooks-error-url-unresolvable = names { $host }, which does not resolve.
webhooks-error-events-missing = must name at least one event.
webhooks-error-event-unknown = “{ $kind }” is not an event; known ones: { $known }.
webhooks-error-secret-short = must be at least { $min } characters.
webhooks-error-secret-long = must be at most { $max } characters, without control characters.
webhooks-error-name-long = must be at most { $max } characters.
webhooks-error-status-unknown = must be one of { $known }.
webhooks-error-limit = must be a whole number from 1 to { $max }.
webhooks-error-already-queued = This delivery is already waiting to be sent.
