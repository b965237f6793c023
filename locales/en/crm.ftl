# crm

## Customer list and search
crm-customers-title = Customers
crm-search-placeholder = Name, organization, email, phone or external id
crm-likely-duplicates = Likely duplicates
crm-no-customers = No customers found.
crm-col-name = Name
crm-organization = Organization
crm-col-email = Email
crm-col-tickets = Tickets
crm-col-since = Since
crm-older-customers = Older customers →
crm-no-name = (no name)

## Likely duplicates
crm-duplicates-heading = Likely duplicate customers
crm-duplicates-intro = Customers sharing an external id or a phone number, or with the same name and an email address at the same domain. Merging moves identities, tickets and CRM events onto the customer kept; it can be undone for a while from the customer page.
crm-duplicates-none = No likely duplicates.
crm-col-customer = Customer
crm-col-looks-like = Looks like
crm-col-why = Why
crm-merge = Merge
crm-keep-and-merge = Keep #{ $keep }, merge #{ $merge } into it
crm-reason-external-id = same external id
crm-reason-phone = same phone number
crm-reason-name-domain = same name and email domain

## The customer page: identities, organization, merge and merge history
# $customer is the link to the customer kept.
crm-merged-into = This customer was merged into { $customer }.
crm-customer-number = customer #{ $id }
crm-identities = Identities
crm-identity-phone = Phone
crm-identity-external = External id
crm-identity-former = (former)
crm-identity-value = Value
crm-retire = Retire
crm-retire-title = Keep it as a former contact (it still matches incoming mail)
# $date, $time: a date or time element.
crm-retired-since = since { $date }
crm-add = Add
crm-merge-into-this = Merge into this customer
crm-merge-from-label = Merge another customer into this one (their id)
crm-merge-history = Merge history
# $from and $into are links to the two customers.
crm-merge-record = { $from } merged into { $into }
crm-merge-moved = moved { $identities ->
        [one] { $identities } identity
       *[other] { $identities } identities
    }, { $tickets ->
        [one] { $tickets } ticket
       *[other] { $tickets } tickets
    }, { $events ->
        [one] { $events } CRM event
       *[other] { $events } CRM events
    }
crm-merge-undone = undone { $time }
crm-undo = Undo
crm-undo-until = until { $time }

## Form errors
crm-error-kind = is not a known kind
crm-error-identity-kind = must be one of: { $choices }
crm-error-customer-id = must be a customer id

# Checks of customer identities, organization and merges.
crm-err-phone = must be a phone number (digits, optionally starting with +)
crm-err-phone-digits = must have 6 to 15 digits
crm-err-single-line = must be a single line of 1 to { $max } characters
crm-err-address-taken = { $value } belongs to customer #{ $owner }; merge the two customers instead
crm-err-too-long = is too long ({ $max } characters at most)
crm-err-merged-into = customer #{ $id } was merged into customer #{ $into }
crm-err-merge-self = must be another customer than the one merged into
crm-err-no-such-customer = no such customer
crm-err-merge-undone = this merge was already undone
crm-err-undo-window = the undo window of this merge has passed
crm-err-merged-away = customer #{ $into } was merged away since; undo that merge first
