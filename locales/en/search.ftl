# search

## The search page
search-title = Search
search-heading = Search tickets and resolutions
search-words = Words
search-status = Status
search-status-any = any
search-customer = Customer
search-customer-placeholder = email or id
search-team = Team
search-team-placeholder = name or id
search-tag = Tag
search-from = From
search-to = To
search-solved-only = Solved only
search-sort = Sort
search-sort-relevance = relevance
search-sort-date = date
search-rebuilding = { $count ->
    [one] The search index is catching up (about { $count } ticket left): some tickets may be missing from the results for now.
   *[other] The search index is catching up (about { $count } tickets left): some tickets may be missing from the results for now.
}
search-found-more = More than { $count } tickets found; the most recent are ranked
search-found = { $count ->
    [one] { $count } ticket found
   *[other] { $count } tickets found
}
search-index = Index: { $kind }
search-snippet-internal = internal note
search-snippet-resolution = resolution

## Ticket statuses and priorities

## The ticket page: similar solved tickets and saved replies
search-similar-title = Similar solved tickets
search-similar-none = No solved ticket is close enough.
search-similar-insert = Insert this answer as a draft reply
search-solution-label = Solution of this ticket
search-solution-default = (last public reply before solve)
search-solution-mark = Mark as solution
search-saved-replies = Saved replies
search-saved-replies-placeholder = search saved replies
search-saved-replies-find = Find
search-saved-replies-none = No saved reply matches.
search-macro-apply-title = Apply: the changes now, the text into your reply
search-macro-apply = Apply { $title }
search-macro-then-adds = ; then adds to your reply:

## Macros and saved replies (admin)
search-replies-title = Macros and saved replies
search-replies-intro = A saved reply is text for the reply box; a macro also changes the ticket when applied.
search-replies-placeholders = Placeholders:
search-replies-yours = Yours
search-replies-yours-none = None yet: only you see the ones you add below as personal.
search-replies-shared = Shared
search-replies-shared-none = None yet.
search-replies-new = New macro or saved reply
search-replies-personal = Only for me (personal)
search-replies-personal-note = It will be yours alone; leads and admins add shared ones.
search-replies-add = Add
search-reply-title = Title
search-reply-text = Text
search-reply-shared-note = Shared by a lead or admin; use it from a ticket's reply box or the bulk bar.
search-used-times = { $count ->
    [one] used { $count } time
   *[other] used { $count } times
}
search-macro-legend = When applied (a macro)
search-no-change = (no change)
search-priority = Priority
search-assign = Assign
search-assign-me = to whoever applies it
search-assign-none = to nobody
search-add-tags = Add tags
search-remove-tags = Remove tags
search-internal-note = Internal note
search-follow = Follow the ticket

## What a macro does (its summary)
search-action-status = status → { $status }
search-action-priority = priority → { $priority }
search-action-assign-me = assign to me
search-action-unassign = unassign
search-action-assign-agent = assign to agent { $agent }
search-action-add-tags = add tags { $tags }
search-action-remove-tags = remove tags { $tags }
search-action-team = move to team { $team }
search-action-note = add an internal note
search-action-follow = follow the ticket
search-action-separator = {", "}

## Search parameters and macro forms (form errors)
search-error-date = must be a date (YYYY-MM-DD) or an RFC 3339 time
search-error-too-long = is too long ({ $max } characters at most)
search-error-single-line = must be a single line
search-error-status = must be one of: { $choices }
search-error-customer = must be a customer id or email
search-error-team = must be a team id or name
search-error-to-after-from = must be after from
search-error-solved = must be true or false
search-error-sort = must be relevance or date
search-error-limit = must be between { $min } and { $max }
search-error-offset = must be between { $min } and { $max }
search-error-message-id = is not a message id
search-error-not-a-team = is not a team
search-error-at-most-chars = must be at most { $max } characters
search-error-required = is required
search-error-title-used = is already used by another macro
search-error-assign = must be me, none or an agent id
search-error-title-one-line = must be one line of at most { $max } characters
search-error-body-required = is required (or give the macro actions)
