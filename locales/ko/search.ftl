# search

## The search page
search-title = 검색
search-heading = 티켓 및 해결 방법 검색
search-words = 검색어
search-status = 상태
search-status-any = 전체
search-customer = 고객
search-customer-placeholder = 이메일 또는 ID
search-team = 팀
search-team-placeholder = 이름 또는 ID
search-tag = 태그
search-from = 시작일
search-to = 종료일
search-solved-only = 해결된 티켓만
search-sort = 정렬
search-sort-relevance = 관련성순
search-sort-date = 날짜순
search-rebuilding = 검색 색인을 갱신하고 있습니다(남은 티켓 약 { $count }개). 당분간 일부 티켓이 결과에 나타나지 않을 수 있습니다.
search-found-more = 티켓이 { $count }개 넘게 검색되었습니다. 최근 티켓을 기준으로 순위를 매겼습니다
search-found = 티켓 { $count }개 검색됨
search-index = 색인: { $kind }
search-snippet-internal = 내부 메모
search-snippet-resolution = 해결 방법

## Ticket statuses and priorities

## The ticket page: similar solved tickets and saved replies
search-similar-title = 비슷한 해결 티켓
search-similar-none = 충분히 비슷한 해결 티켓이 없습니다.
search-similar-insert = 이 답변을 답장 초안으로 넣기
search-solution-label = 이 티켓의 해결 방법
search-solution-default = (해결 전 마지막 공개 답장)
search-solution-mark = 해결 방법으로 지정
search-saved-replies = 저장된 답장
search-saved-replies-placeholder = 저장된 답장 검색
search-saved-replies-find = 찾기
search-saved-replies-none = 일치하는 저장된 답장이 없습니다.
search-macro-apply-title = 적용: 변경 사항은 바로 반영되고, 텍스트는 답장에 추가됩니다
search-macro-apply = { $title } 적용
search-macro-then-adds = ; 이어서 답장에 추가:

## Macros and saved replies (admin)
search-replies-title = 매크로 및 저장된 답장
search-replies-intro = 저장된 답장은 답장 입력란에 넣는 텍스트이고, 매크로는 적용할 때 티켓도 변경합니다.
search-replies-placeholders = 자리 표시자:
search-replies-yours = 내 항목
search-replies-yours-none = 아직 없습니다. 아래에서 개인용으로 추가한 항목은 나만 볼 수 있습니다.
search-replies-shared = 공유 항목
search-replies-shared-none = 아직 없습니다.
search-replies-new = 새 매크로 또는 저장된 답장
search-replies-personal = 나만 사용(개인용)
search-replies-personal-note = 나만 사용할 수 있습니다. 공유 항목은 리드와 관리자가 추가합니다.
search-replies-add = 추가
search-reply-title = 제목
search-reply-text = 텍스트
search-reply-shared-note = 리드나 관리자가 공유한 항목입니다. 티켓의 답장 입력란이나 일괄 작업 막대에서 사용하세요.
search-used-times = { $count }회 사용
search-macro-legend = 적용 시 동작(매크로)
search-no-change = (변경 없음)
search-priority = 우선순위
search-assign = 배정
search-assign-me = 적용한 상담원에게
search-assign-none = 배정 해제
search-add-tags = 태그 추가
search-remove-tags = 태그 제거
search-internal-note = 내부 메모
search-follow = 티켓 팔로우

## What a macro does (its summary)
search-action-status = 상태 → { $status }
search-action-priority = 우선순위 → { $priority }
search-action-assign-me = 나에게 배정
search-action-unassign = 배정 해제
search-action-assign-agent = 상담원 { $agent }에게 배정
search-action-add-tags = 태그 추가: { $tags }
search-action-remove-tags = 태그 제거: { $tags }
search-action-team = 팀 이동: { $team }
search-action-note = 내부 메모 추가
search-action-follow = 티켓 팔로우
search-action-separator = {", "}

## Search parameters and macro forms (form errors)
search-error-date = 날짜(YYYY-MM-DD) 또는 RFC 3339 시각이어야 합니다
search-error-too-long = 너무 깁니다(최대 { $max }자)
search-error-single-line = 한 줄이어야 합니다
search-error-status = 다음 중 하나여야 합니다: { $choices }
search-error-customer = 고객 ID 또는 이메일이어야 합니다
search-error-team = 팀 ID 또는 이름이어야 합니다
search-error-to-after-from = 시작일보다 뒤여야 합니다
search-error-solved = true 또는 false여야 합니다
search-error-sort = relevance 또는 date여야 합니다
search-error-limit = { $min }에서 { $max } 사이여야 합니다
search-error-offset = { $min }에서 { $max } 사이여야 합니다
search-error-message-id = 메시지 ID가 아닙니다
search-error-not-a-team = 존재하지 않는 팀입니다
search-error-at-most-chars = 최대 { $max }자까지 입력할 수 있습니다
search-error-required = 필수 항목입니다
search-error-title-used = 다른 매크로에서 이미 사용 중입니다
search-error-assign = me, none 또는 상담원 ID여야 합니다
search-error-title-one-line = 최대 { $max }자의 한 줄이어야 합니다
search-error-body-required = 필수 항목입니다(또는 매크로 동작을 지정하세요)
