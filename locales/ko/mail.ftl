# 고객에게 보내는 메일: 새 문의 접수 확인, 모든 답장의 꼬리말, 새 링크.

mail-ack-received = 문의해 주셔서 감사합니다. 요청이 접수되었으며 접수 번호는 #{ $ticket }입니다.
mail-ack-next = 담당자가 곧 연락드리겠습니다. 다시 문의하실 필요는 없습니다. 이 메일에 회신하시면 같은 요청에 내용이 추가됩니다.
mail-footer-follow = 요청 #{ $ticket } 진행 상황 보기:
mail-footer-reply = 이 메일에 회신하시면 요청에 내용을 추가할 수 있습니다.
mail-link-intro = 요청 #{ $ticket } "{ $subject }"의 진행 상황을 확인할 수 있는 새 링크입니다:
mail-link-validity = 이 링크는 { $days }일 동안 유효합니다. 이전에 보내 드린 링크는 더 이상 작동하지 않을 수 있습니다.
mail-csat-ask = 요청 #{ $ticket } "{ $subject }"이(가) 해결되었습니다. 저희 지원은 어떠셨나요?
mail-csat-good = 좋았어요
mail-csat-bad = 아쉬웠어요
mail-csat-hint = 한 번만 누르시면 응답이 기록됩니다. 열리는 페이지에서 의견을 남기거나 평가를 바꿀 수 있습니다.
