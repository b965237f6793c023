# crm

## Customer list and search
crm-customers-title = 고객
crm-search-placeholder = 이름, 조직, 이메일, 전화번호 또는 외부 ID
crm-likely-duplicates = 중복 의심 고객
crm-no-customers = 고객을 찾을 수 없습니다.
crm-col-name = 이름
crm-organization = 조직
crm-col-email = 이메일
crm-col-tickets = 티켓
crm-col-since = 등록일
crm-older-customers = 이전 고객 →
crm-no-name = (이름 없음)

## Likely duplicates
crm-duplicates-heading = 중복 의심 고객
crm-duplicates-intro = 외부 ID나 전화번호가 같거나, 이름이 같고 이메일 도메인도 같은 고객입니다. 병합하면 신원 정보, 티켓, CRM 이벤트가 유지할 고객으로 옮겨집니다. 병합 후 일정 기간 동안 고객 페이지에서 되돌릴 수 있습니다.
crm-duplicates-none = 중복 의심 고객이 없습니다.
crm-col-customer = 고객
crm-col-looks-like = 유사 고객
crm-col-why = 이유
crm-merge = 병합
crm-keep-and-merge = #{ $keep } 유지, #{ $merge } 병합
crm-reason-external-id = 같은 외부 ID
crm-reason-phone = 같은 전화번호
crm-reason-name-domain = 같은 이름과 이메일 도메인

## The customer page: identities, organization, merge and merge history
crm-merged-into = 이 고객은 { $customer }에 병합되었습니다.
crm-customer-number = 고객 #{ $id }
crm-identities = 신원 정보
crm-identity-phone = 전화번호
crm-identity-external = 외부 ID
crm-identity-former = (이전)
crm-identity-value = 값
crm-retire = 사용 중지
crm-retire-title = 이전 연락처로 보관합니다(수신 메일과는 계속 일치시킵니다)
crm-retired-since = { $date }부터
crm-add = 추가
crm-merge-into-this = 이 고객에 병합
crm-merge-from-label = 다른 고객을 이 고객에 병합(해당 고객 ID)
crm-merge-history = 병합 기록
crm-merge-record = { $from } → { $into } 병합
crm-merge-moved = 신원 정보 { $identities }개, 티켓 { $tickets }개, CRM 이벤트 { $events }개 이동
crm-merge-undone = { $time }에 되돌림
crm-undo = 되돌리기
crm-undo-until = { $time }까지

## Form errors
crm-error-kind = 알 수 없는 유형입니다
crm-error-identity-kind = 다음 중 하나여야 합니다: { $choices }
crm-error-customer-id = 고객 ID여야 합니다

# 고객 식별 정보, 소속 조직, 병합 검사.
crm-err-phone = 전화번호 형식이어야 합니다 (숫자, 맨 앞에 + 사용 가능)
crm-err-phone-digits = 숫자가 6~15자리여야 합니다
crm-err-single-line = 1~{ $max }자의 한 줄이어야 합니다
crm-err-address-taken = { $value }은(는) 고객 #{ $owner }의 주소입니다. 두 고객을 병합해 주세요
crm-err-too-long = 너무 깁니다 (최대 { $max }자)
crm-err-merged-into = 고객 #{ $id }은(는) 고객 #{ $into }에 병합되었습니다
crm-err-merge-self = 병합 대상과 다른 고객이어야 합니다
crm-err-no-such-customer = 해당 고객이 없습니다
crm-err-merge-undone = 이미 취소된 병합입니다
crm-err-undo-window = 이 병합을 취소할 수 있는 기간이 지났습니다
crm-err-merged-away = 고객 #{ $into }은(는) 그 후 다른 고객에 병합되었습니다. 먼저 그 병합을 취소해 주세요
