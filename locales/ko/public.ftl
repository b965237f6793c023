# 고객용 페이지: 문의 양식과 개인 링크로 보는 요청.

public-contact-title = 고객 지원 문의
public-contact-intro = 어떤 일이 있었는지 알려 주세요. 요청 진행 상황을 확인하고 내용을 추가할 수 있는 개인 링크를 보내 드립니다.
public-your-name = 이름
public-your-email = 이메일
public-subject = 제목
public-message = 내용
public-attachment = 첨부 파일 (선택)
public-leave-empty = 이 칸은 비워 두세요
public-received-title = 요청 접수 완료
public-thank-you = 감사합니다
public-received = 요청이 접수되었습니다.

public-link-gone-title = 더 이상 사용할 수 없는 링크입니다
public-link-expired = 링크가 만료되었습니다
public-link-expired-help = 요청 링크는 { $days }일 동안 유효합니다. 요청에 등록된 이메일 주소로 새 링크를 보내 드릴 수 있습니다.
public-link-mail-new = 새 링크 받기
public-link-withdrawn = 취소된 링크입니다
public-link-withdrawn-help = 지원팀에서 이 링크를 새 링크로 교체했습니다. 가장 최근에 받은 링크를 사용하시거나 저희가 보낸 메일에 회신해 주세요.
public-link-renewed-title = 새 링크를 보내 드렸습니다
public-link-renewed = 요청에 등록된 이메일 주소로 새 링크를 보냈습니다. 도착하기까지 몇 분 정도 걸릴 수 있습니다.

public-request-title = 요청 #{ $ticket }
public-created = 요청 #{ $ticket }이(가) 접수되었습니다.
public-private-link = 진행 상황을 확인할 수 있는 개인 링크입니다. 링크가 있으면 누구나 이 대화를 볼 수 있으니 안전하게 보관해 주세요:
public-status-new = 접수됨 — 곧 연락드리겠습니다
public-status-open = 처리 중 — 담당자가 확인하고 있습니다
public-status-pending = 고객님의 답변을 기다리고 있습니다
public-status-solved = 해결됨 — 아직 문제가 남아 있다면 회신해 주세요. 요청을 다시 열어 드립니다
public-status-closed = 종료됨 — 여기에 글을 남기시면 새 요청이 시작됩니다
public-you = 나
public-support-author = { $name } (지원팀)
public-add-to-request = 요청에 내용 추가
public-cc-title = 답장 참조
public-cc-none = 답장은 고객님께만 발송됩니다.
public-cc-add-label = 동료를 참조에 추가
public-cc-add = 추가
public-name-too-long = 너무 깁니다 (최대 { $max }자)
public-name-single-line = 한 줄로 입력해 주세요
