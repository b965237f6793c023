# The customer's pages: the support form and a request seen through its private link.

public-contact-title = Contact support
public-contact-intro = Tell us what happened. You will get a private link to follow your request and add to it.
public-your-name = Your name
public-your-email = Your email
public-subject = Subject
public-message = Message
public-attachment = Attachment (optional)
public-leave-empty = Leave this empty
public-received-title = Request received
public-thank-you = Thank you
public-received = We received your request.

public-link-gone-title = This link no longer works
public-link-expired = This link has expired
public-link-expired-help = Links to a request work for { $days } days. We can mail a new one to the address on the request.
public-link-mail-new = Mail me a new link
public-link-withdrawn = This link was withdrawn
public-link-withdrawn-help = The support team replaced this link. Use the newest link we mailed you, or reply to any of our emails.
public-link-renewed-title = A new link is on its way
public-link-renewed = We mailed a new link to the address on the request. It can take a few minutes to arrive.

public-request-title = Request #{ $ticket }
public-created = We received your request #{ $ticket }.
public-private-link = This is your private link to follow it. Keep it safe — anyone with it can read this conversation:
public-status-new = received — we will be in touch soon
public-status-open = open — we are working on it
public-status-pending = waiting for your reply
public-status-solved = solved — reply if anything is still wrong and we will reopen it
public-status-closed = closed — writing here starts a new request
public-you = You
public-support-author = { $name } (support)
public-add-to-request = Add to your request
public-cc-title = Copied on replies
public-cc-none = Only you get our replies.
public-cc-add-label = Copy a colleague
public-cc-add = Add
public-name-too-long = is too long ({ $max } characters at most)
public-name-single-line = must be a single line
