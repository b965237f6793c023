# 페이지 틀, 메뉴, 시간과 모든 페이지에 공통인 부분.

app-name = Casebook
title-suffix = { $title } · Casebook
skip-to-content = 본문으로 건너뛰기
nav-main = 주 메뉴
nav-menu = 메뉴
nav-tickets = 티켓
nav-search = 검색
nav-customers = 고객
nav-stale = 지연 및 SLA 위반
nav-reports = 보고서
nav-notifications = 알림
nav-admin = 관리
nav-change-password = 비밀번호 변경
nav-availability = 근무 상태
nav-language = 언어
nav-log-out = 로그아웃
language-picker = 언어
role-agent = 상담원
role-lead = 팀장
role-admin = 관리자

time-just-now = 방금
time-minutes = { $n }분
time-hours = { $n }시간
time-days = { $n }일
time-ago = { $age } 전
time-utc = { $time } UTC

error-title = { $status } · { $reason }
error-back = Casebook으로 돌아가기
error-status-400 = 잘못된 요청
error-status-401 = 로그인이 필요합니다
error-status-403 = 권한이 없습니다
error-status-404 = 찾을 수 없습니다
error-status-405 = 허용되지 않는 방식입니다
error-status-409 = 충돌
error-status-413 = 너무 큽니다
error-status-415 = 지원하지 않는 형식입니다
error-status-422 = 처리할 수 없습니다
error-status-429 = 요청이 너무 많습니다
error-status-500 = 서버 오류
error-status-503 = 일시적으로 사용할 수 없습니다
error-status-other = 오류

form-fix-fields = 아래 표시된 항목을 고쳐 주세요.
button-save = 저장
button-cancel = 취소
button-send = 보내기
button-search = 검색
button-apply = 적용
button-delete = 삭제
yes = 예
no = 아니요
none = 없음

account-language-title = 언어
account-language-intro = Casebook의 화면, 메시지와 메일을 어떤 언어로 볼지 정합니다.
account-language-label = 사용 언어
account-language-browser = 브라우저 설정 따르기 ({ $language })
account-language-saved = 언어를 저장했습니다.

count-tickets = 티켓 { $count }개
count-messages = 메시지 { $count }개
