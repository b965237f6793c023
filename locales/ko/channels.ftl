# channels: messaging gateways (SMS, chat, social) at /admin/channels, their inbound webhooks and replies

channels-title = 채널
channels-admin-index-about = SMS, 채팅, 소셜 게이트웨이를 연결합니다. 메시지는 티켓이 되고 상담원의 답장은 같은 게이트웨이로 돌아갑니다.
channels-intro = 채널 하나가 게이트웨이 하나입니다. 메시지는 서명과 함께 채널의 수신 URL로 들어와 메일이나 웹 양식과 같은 접수 경로를 거칩니다. 이 채널 티켓에 보낸 상담원의 공개 답장은 게이트웨이가 받을 때까지 재시도하며 전송됩니다.
channels-none = 아직 채널이 없습니다.
channels-back = ← 모든 채널
channels-add = 채널 연결
channels-add-button = 연결
channels-edit = 이 채널 변경
channels-save = 저장
channels-delete = 이 채널 삭제
channels-docs = 게이트웨이가 메시지를 보내고 답장을 받는 방법: docs/channels.md.
channels-col-state = 상태
channels-state-active = 사용 중
channels-state-inactive = 사용 안 함
channels-inbound-url = 수신 URL
channels-secrets-once = 이 비밀 키는 지금 한 번만 표시됩니다. 게이트웨이에 복사해 두세요:
channels-adapter-generic = 일반 (Casebook JSON 웹훅)
channels-adapter-twilio = Twilio

# Fields
channels-field-slug = 슬러그
channels-field-slug-help = 채널 URL의 일부: 영문 소문자, 숫자, 하이픈.
channels-field-name = 이름
channels-field-kind = 종류
channels-field-adapter = 게이트웨이 형식
channels-field-adapter-help = 일반: 문서에 설명된 작은 어댑터가 있는 모든 게이트웨이. Twilio: Twilio의 메시징 웹훅과 Messages API. 나중에 바꿀 수 없습니다.
channels-field-reply-url = 답장 URL
channels-field-inbound-secret = 수신 비밀 키
channels-field-new-inbound-secret = 새 수신 비밀 키 (비워 두면 유지)
channels-field-reply-secret = 답장 비밀 키
channels-field-new-reply-secret = 새 답장 비밀 키 (비워 두면 유지)
channels-field-secret-help = { $min }자 이상. 비워 두면 새로 만들어 드립니다.
channels-field-twilio-sid = 계정 SID
channels-field-twilio-token = 인증 토큰
channels-field-new-twilio-token = 새 인증 토큰 (비워 두면 유지)
channels-field-twilio-from = 답장을 보낼 번호
channels-field-twilio-base = API 기본 URL
channels-field-allow-private = 사설 및 루프백 주소로의 답장 허용
channels-field-active = 사용 (메시지를 받고 답장을 보냄)

# Errors
channels-error-slug = 하이픈으로 시작하지 않는 1~{ $max }자의 영문 소문자, 숫자, 하이픈이어야 합니다
channels-error-slug-taken = 다른 채널이 이미 슬러그 { $slug }을(를) 사용합니다
channels-error-kind = sms, chat, social 중 하나여야 합니다
channels-error-adapter = generic 또는 twilio여야 합니다
channels-error-adapter-fixed = 바꿀 수 없습니다. 새 채널을 연결하세요
channels-error-from = 전화번호, 핸들 또는 이메일이 필요합니다
channels-error-base64 = base64가 아닙니다
channels-error-attachment = data(base64) 또는 url이 필요합니다
channels-error-replay = 이미 받은 전송입니다(서명 재사용). 전송마다 새로 서명하세요
channels-error-twilio-signature = X-Twilio-Signature 헤더가 없거나 이 요청과 맞지 않습니다
channels-subject-fallback = { $channel }을(를) 통한 메시지

# On the ticket page
agent-message-via = { $channel } 경유
agent-message-via-gateway = { $channel } 경유 ({ $name })
channels-delivery-failed = 채널로 전송 실패: { $error }
channels-delivery-queued = 채널로 전송 대기 중
channels-delivery-retrying = 마지막 시도: { $error }. 다시 시도합니다
channels-delivery-sent = 채널로 보냄
channel-sms = SMS
channel-chat = 채팅
channel-social = 소셜

# Threading
thread-gateway-conversation = 채널의 대화 { $id }이(가) 열린 티켓에서 이어집니다
thread-gateway-recent = 이 채널에서 고객의 열린 티켓 #{ $ticket } ({ $days }일 이내 변경)
