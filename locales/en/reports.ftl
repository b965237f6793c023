# reports

## Dashboard and report pages
reports-title = Reports
reports-filter-from = From
reports-filter-to = To
reports-filter-team = Team
reports-filter-all-teams = All teams
reports-filter-show = Show
reports-no-data = no data
reports-no-previous-data = no previous data
# $change is signed, e.g. "+12.5".
reports-change-vs-previous = { $change }% vs previous period
reports-value-hours = { $hours } h
reports-value-percent = { $value } %
reports-csv = CSV
reports-download-csv = Download CSV
reports-headline-numbers = Headline numbers
reports-agent-performance = Agent performance
reports-all-reports = All reports
reports-back = ← Reports
reports-tag-label = Tag:
reports-term-label = Subject term:

## Headline cards
reports-card-tickets-created = Tickets created
reports-card-tickets-solved = Tickets solved
reports-card-median-first-response = Median first response
reports-card-median-resolution = Median resolution
reports-card-median-resolution-business = Median resolution (business)
reports-card-reopen-rate = Reopen rate
reports-card-one-touch = One-touch resolution
reports-card-csat = CSAT
reports-card-sla-compliance = SLA compliance

## Charts
reports-chart-created-vs-solved = Created vs solved
reports-chart-backlog = Open backlog at the end of each period
reports-chart-resolution-distribution = Resolution time distribution (tickets solved)
reports-chart-backlog-age = Open tickets by age (now)
reports-chart-top-terms = Top subject terms
reports-chart-top-tags = Top tags
reports-chart-sla = SLA compliance
reports-chart-sla-trend = SLA compliance % (by due date)
reports-chart-data = Show the numbers as a table
reports-series-created = created
reports-series-solved = solved
reports-series-open = open

## Report names
reports-name-summary = Headline numbers
reports-name-response-times = First response and resolution times
reports-name-volume = Created vs solved, and open backlog
reports-name-backlog-age = Open tickets by age now
reports-name-resolution-distribution = Resolution time distribution
reports-name-top-tags = Top tags
reports-name-top-terms = Top subject terms
reports-name-csat = Customer satisfaction
reports-name-agents = Agent performance
reports-name-churn = Churn and retention by support experience
reports-name-churn-ltv = Lifetime value of churned vs retained customers
reports-name-churn-customers = Customers behind the churn numbers
reports-name-sla = SLA compliance
reports-name-sla-trend = SLA compliance over time
reports-name-sla-breaches = SLA breaches
reports-name-tickets = Tickets behind a tag or term

## Metrics (the "metric" column of reports); the English ones are the API's metric names
reports-metric-tickets-created = tickets_created
reports-metric-tickets-solved = tickets_solved
reports-metric-median-first-response-h = median_first_response_h
reports-metric-median-first-response-business-h = median_first_response_business_h
reports-metric-median-resolution-h = median_resolution_h
reports-metric-median-resolution-business-h = median_resolution_business_h
reports-metric-p90-resolution-h = p90_resolution_h
reports-metric-reopen-rate-pct = reopen_rate_pct
reports-metric-one-touch-rate-pct = one_touch_rate_pct
reports-metric-csat-pct = csat_pct
reports-metric-csat-ratings = csat_ratings
reports-metric-sla-compliance-pct = sla_compliance_pct
reports-metric-first-response = first_response
reports-metric-next-response = next_response
reports-metric-resolution = resolution

## Age and duration buckets
reports-bucket-under-1-day = < 1 day
reports-bucket-1-3-days = 1–3 days
reports-bucket-3-7-days = 3–7 days
reports-bucket-7-30-days = 7–30 days
reports-bucket-over-30-days = > 30 days
reports-bucket-under-1-h = < 1 h
reports-bucket-1-4-h = 1–4 h
reports-bucket-4-8-h = 4–8 h
reports-bucket-8-24-h = 8–24 h
reports-bucket-over-7-days = > 7 days

## Groups, breakdowns and outcomes
reports-group-all = (all)
reports-group-no-team = (no team)
reports-by-all = all
reports-by-team = team
reports-by-agent = agent
reports-by-channel = channel
reports-by-priority = priority
reports-by-segment = segment
reports-churn-all = all
reports-churn-breached = had a breached ticket
reports-churn-not-breached = no breached ticket
reports-churn-slow = had a slow resolution
reports-churn-not-slow = no slow resolution
reports-churn-bad-csat = gave a bad CSAT rating
reports-churn-no-bad-csat = no bad CSAT rating
reports-outcome-churned = churned
reports-outcome-retained = retained

## Notes under reports
reports-note-sla-missing = SLA data not available
reports-note-sla-missing-summary = SLA data not available: sla_compliance_pct is empty
reports-note-churn = Customers with an active subscription at the start of the period; churned = their subscription is cancelled at its end. The team filter does not apply.
reports-note-churn-sla-missing = Customers with an active subscription at the start of the period; churned = their subscription is cancelled at its end. The team filter does not apply. SLA data not available: the breached-ticket split is left out.

## Column headings (pages and CSV downloads); the English ones are the API's column names
reports-col-metric = metric
reports-col-value = value
reports-col-previous = previous
reports-col-change-pct = change_pct
reports-col-bucket = bucket
reports-col-created = created
reports-col-solved = solved
reports-col-open-at-end = open_at_end
reports-col-status = status
reports-col-age = age
reports-col-tickets = tickets
reports-col-tag = tag
reports-col-term = term
reports-col-ticket-id = ticket_id
reports-col-subject = subject
reports-col-created-at = created_at
reports-col-link = link
reports-col-by = by
reports-col-group = group
reports-col-ratings = ratings
reports-col-good = good
reports-col-bad = bad
reports-col-csat-pct = csat_pct
reports-col-median-h = median_h
reports-col-p90-h = p90_h
reports-col-mean-h = mean_h
reports-col-business-median-h = business_median_h
reports-col-business-p90-h = business_p90_h
reports-col-business-mean-h = business_mean_h
reports-col-agent-id = agent_id
reports-col-agent = agent
reports-col-median-resolution-h = median_resolution_h
reports-col-csat-ratings = csat_ratings
reports-col-open-load = open_load
reports-col-customers = customers
reports-col-churned = churned
reports-col-retained = retained
reports-col-churn-rate-pct = churn_rate_pct
reports-col-retention-rate-pct = retention_rate_pct
reports-col-outcome = outcome
reports-col-currency = currency
reports-col-total-ltv = total_ltv
reports-col-average-ltv = average_ltv
reports-col-customer-id = customer_id
reports-col-customer = customer
reports-col-breached-ticket = breached_ticket
reports-col-slow-resolution = slow_resolution
reports-col-bad-csat = bad_csat
reports-col-due = due
reports-col-met = met
reports-col-breached = breached
reports-col-pending = pending
reports-col-compliance-pct = compliance_pct
reports-col-due-at = due_at
reports-col-breached-at = breached_at
reports-col-team = team
reports-col-assignee = assignee

## Report parameters (form errors)
reports-error-out-of-range = is out of range
reports-error-date = must be a date (YYYY-MM-DD) or an RFC 3339 time
reports-error-to-after-from = must be after from
reports-error-period-too-long = must be at most { $days } days after from
reports-error-team = must be a team id
reports-error-by = must be one of: { $choices }
reports-error-interval = must be day or week
reports-error-too-long = is too long ({ $max } characters at most)
reports-error-tag-or-term = name a tag (or a term)

## The customer's rating page
reports-rate-title = Rate request #{ $id }
reports-rate-heading = How did we do with request #{ $id }?
reports-rate-saved = Thank you — your rating is saved. You can change it or add a comment below.
reports-rate-chosen = You chose { $rating }. Press “Save rating” to send it, with a comment if you like.
reports-rate-not-solved = You can rate this request once it is solved.
reports-rate-your-rating = Your rating
reports-rating-good = Good
reports-rating-bad = Bad
reports-rating-good-word = good
reports-rating-bad-word = bad
reports-rate-comment = Comment (optional)
reports-rate-save = Save rating
reports-rate-back = Back to your request
reports-rate-panel = Rate this request
reports-rate-given = You rated this request { $rating }. Change it:
reports-rate-ask = How did we do?
reports-rate-error-choice = must be good or bad
reports-rate-error-not-solved = this request is not solved yet; you can rate it once it is
