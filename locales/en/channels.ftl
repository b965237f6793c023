# channels: messaging gateways (SMS, chat, social) at /admin/channels, their inbound webhooks and replies

channels-title = Channels
channels-admin-index-about = Connect SMS, chat and social gateways: their messages become tickets, and agents' replies go back through them.
channels-intro = Each channel is one gateway. Its messages arrive at the channel's inbound URL, signed, and go through the same intake as mail and the web form; agents' public replies on its tickets are sent back to the gateway, retried until it takes them.
channels-none = No channels yet.
channels-back = ← All channels
channels-add = Connect a channel
channels-add-button = Connect
channels-edit = Change this channel
channels-save = Save
channels-delete = Delete this channel
channels-docs = How a gateway posts messages and receives replies: docs/channels.md.
channels-col-state = State
channels-state-active = active
channels-state-inactive = inactive
channels-inbound-url = Inbound URL
channels-secrets-once = These secrets are shown only now. Copy them into the gateway:
channels-adapter-generic = Generic (Casebook's JSON webhook)
channels-adapter-twilio = Twilio

# Fields
channels-field-slug = Slug
channels-field-slug-help = Part of the channel's URLs: lower-case letters, digits and hyphens.
channels-field-name = Name
channels-field-kind = Kind
channels-field-adapter = Gateway format
channels-field-adapter-help = Generic: any gateway with a small adapter, as described in the documentation. Twilio: Twilio's messaging webhook and Messages API. It cannot be changed later.
channels-field-reply-url = Reply URL
channels-field-inbound-secret = Inbound secret
channels-field-new-inbound-secret = New inbound secret (leave empty to keep it)
channels-field-reply-secret = Reply secret
channels-field-new-reply-secret = New reply secret (leave empty to keep it)
channels-field-secret-help = At least { $min } characters; leave empty to have one made for you.
channels-field-twilio-sid = Account SID
channels-field-twilio-token = Auth token
channels-field-new-twilio-token = New auth token (leave empty to keep it)
channels-field-twilio-from = Number replies come from
channels-field-twilio-base = API base URL
channels-field-allow-private = Allow replies to private and loopback addresses
channels-field-active = Active (takes messages and sends replies)

# Errors
channels-error-slug = must be 1 to { $max } lower-case letters, digits or hyphens, not starting with a hyphen
channels-error-slug-taken = another channel already has the slug { $slug }
channels-error-kind = must be one of: sms, chat, social
channels-error-adapter = must be generic or twilio
channels-error-adapter-fixed = cannot be changed; connect a new channel instead
channels-error-from = needs a phone, handle or email
channels-error-base64 = is not base64
channels-error-attachment = needs data (base64) or a url
channels-error-replay = this delivery was already received (replayed signature); sign each delivery anew
channels-error-twilio-signature = the X-Twilio-Signature header is missing or does not match this request
channels-subject-fallback = Message via { $channel }

# On the ticket page
agent-message-via = via { $channel }
agent-message-via-gateway = via { $channel } ({ $name })
channels-delivery-failed = Not delivered to the channel: { $error }
channels-delivery-queued = Waiting to be sent to the channel
channels-delivery-retrying = last attempt: { $error }; trying again
channels-delivery-sent = Sent through the channel
channel-sms = SMS
channel-chat = chat
channel-social = social

# Threading
thread-gateway-conversation = conversation { $id } of the channel continues on its open ticket
thread-gateway-recent = the customer's open ticket #{ $ticket } on this channel (changed within { $days } days)
