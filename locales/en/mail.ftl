# Mail to customers: the acknowledgement of a new request, the footer of every reply, fresh links.

mail-ack-received = Thank you for contacting us. We received your request and gave it the number #{ $ticket }.
mail-ack-next = A member of our team will get back to you soon. You do not need to write again: anything you add by replying to this email goes to the same request.
mail-footer-follow = Follow your request #{ $ticket }:
mail-footer-reply = Reply to this email to add to it.
mail-link-intro = Here is a new link to follow your request #{ $ticket } "{ $subject }":
mail-link-validity = { $days ->
    [one] It works for { $days } day. Links we sent before may no longer work.
   *[other] It works for { $days } days. Links we sent before may no longer work.
}
mail-csat-ask = Your request #{ $ticket } "{ $subject }" is solved. How did we do?
mail-csat-good = Good
mail-csat-bad = Bad
mail-csat-hint = One click records your answer; the page lets you add a comment or change it.
