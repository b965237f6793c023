# errors
# Error pages and the messages of refused input (the API shows the English ones).

## Errors of any request
error-validation = { $field } { $message }
error-unauthorized = authentication required
error-not-found = { $what } not found
error-stale = the ticket changed since you loaded it (now at version { $version })
error-too-large = request body too large
error-rate-limited = too many requests; try again in { $secs } s
error-unavailable = the database cannot take this now (down, overloaded or out of disk space); try again in { $secs } s
error-search-unavailable = search is not answering; try again in { $secs } s
error-internal = internal error (reference { $reference })
error-already-exists = already exists
error-csrf = the form has expired or did not come from this site; reload the page and try again
error-malformed-form = malformed form: { $detail }
error-needs-admin = this needs the admin role
error-needs-lead = this needs the lead or admin role

## What was not found (the error page of a 404)
error-not-found-action = action not found
error-not-found-agent = agent not found
error-not-found-attachment = attachment not found
error-not-found-bulk-change = bulk change not found
error-not-found-calendar = calendar not found
error-not-found-current-identity = current identity not found
error-not-found-customer = customer not found
error-not-found-endpoint = endpoint not found
error-not-found-identity = identity not found
error-not-found-link-action = link action not found
error-not-found-macro = macro not found
error-not-found-merge = merge not found
error-not-found-message = message not found
error-not-found-notification = notification not found
error-not-found-page = page not found
error-not-found-policy = policy not found
error-not-found-quarantined-message = quarantined message not found
error-not-found-report = report not found
error-not-found-rule = rule not found
error-not-found-saved-reply = saved reply not found
error-not-found-tag = tag not found
error-not-found-team = team not found
error-not-found-text-to-insert = text to insert not found
error-not-found-ticket = ticket not found
error-not-found-view = view not found

## Messages of a refused field (shown next to the field)
error-nul = must not contain NUL characters
error-required = is required
error-too-long = is too long
error-too-long-chars = is too long ({ $max } characters at most)
error-too-large-kb = is too large ({ $max } KB at most)
error-too-many-files = at most { $max } files
error-too-many-cc = at most { $max }
error-cc-limit = a ticket copies at most { $max } people
error-not-email = is not an email address
error-single-line = must be a single line
error-tag-same-name = is the tag's current name
error-not-active-agent = is not an active agent
error-not-agent-id = is not an agent id
error-not-ticket-version = is not a ticket version
error-not-message-of-ticket = is not a message of this ticket
error-status-change = cannot change from { $from } to { $to }
error-unknown-queue = is not a known queue
error-team-id = must be a team id
error-view-id = must be a view id
error-ticket-id = must be a ticket id
error-event-id = must be an event id
error-queue-or-all = must be queue or all
error-presence-state = must be viewing, replying or left
error-password-spaces = must not be only spaces
error-password-short = must be at least { $min } characters
error-password-weak = is too easy to guess; a few unrelated words or a longer phrase are best
error-password-weak-why = is too easy to guess ({ $why }); a few unrelated words or a longer phrase are best
error-password-wrong = is not correct
error-email-taken = is already used by another agent
error-not-found-ticket-link = this link is not valid or has expired; ticket link not found
error-not-found-rating-link = this rating link is not valid or has expired; ticket link not found
error-email-required = is required
error-email-too-long = is too long ({ $max } characters at most)
error-email-invalid = is not an email address
error-sign-in-alert = { $count ->
    [one] { $count } failed sign-in to your account in the last 15 minutes, the latest from { $address }. Sign-ins from browsers you used before still work; if this was not you, change your password.
   *[other] { $count } failed sign-ins to your account in the last 15 minutes, the latest from { $address }. Sign-ins from browsers you used before still work; if this was not you, change your password.
}
