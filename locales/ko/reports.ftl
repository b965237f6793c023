# reports

## Dashboard and report pages
reports-title = 보고서
reports-filter-from = 시작일
reports-filter-to = 종료일
reports-filter-team = 팀
reports-filter-all-teams = 모든 팀
reports-filter-show = 보기
reports-no-data = 데이터 없음
reports-no-previous-data = 이전 데이터 없음
# $change is signed, e.g. "+12.5".
reports-change-vs-previous = 이전 기간 대비 { $change }%
reports-value-hours = { $hours }시간
reports-value-percent = { $value }%
reports-csv = CSV
reports-download-csv = CSV 다운로드
reports-headline-numbers = 핵심 지표
reports-agent-performance = 상담원 성과
reports-all-reports = 전체 보고서
reports-back = ← 보고서
reports-tag-label = 태그:
reports-term-label = 제목 키워드:

## Headline cards
reports-card-tickets-created = 생성된 티켓
reports-card-tickets-solved = 해결된 티켓
reports-card-median-first-response = 첫 응답 시간 중앙값
reports-card-median-resolution = 해결 시간 중앙값
reports-card-median-resolution-business = 해결 시간 중앙값(영업시간)
reports-card-reopen-rate = 재오픈율
reports-card-one-touch = 원터치 해결률
reports-card-csat = CSAT
reports-card-sla-compliance = SLA 준수율

## Charts
reports-chart-created-vs-solved = 생성 대비 해결
reports-chart-backlog = 기간 말 미해결 티켓
reports-chart-resolution-distribution = 해결 시간 분포(해결된 티켓)
reports-chart-backlog-age = 경과 기간별 미해결 티켓(현재)
reports-chart-top-terms = 제목 상위 키워드
reports-chart-top-tags = 상위 태그
reports-chart-sla = SLA 준수율
reports-chart-sla-trend = SLA 준수율 %(기한 기준)
reports-chart-data = 수치를 표로 보기
reports-series-created = 생성
reports-series-solved = 해결
reports-series-open = 미해결

## Report names
reports-name-summary = 핵심 지표
reports-name-response-times = 첫 응답 및 해결 시간
reports-name-volume = 생성 대비 해결 및 미해결 티켓
reports-name-backlog-age = 현재 미해결 티켓의 경과 기간
reports-name-resolution-distribution = 해결 시간 분포
reports-name-top-tags = 상위 태그
reports-name-top-terms = 제목 상위 키워드
reports-name-csat = 고객 만족도
reports-name-agents = 상담원 성과
reports-name-churn = 지원 경험별 이탈 및 유지
reports-name-churn-ltv = 이탈 고객과 유지 고객의 생애 가치
reports-name-churn-customers = 이탈 수치에 포함된 고객
reports-name-sla = SLA 준수율
reports-name-sla-trend = 기간별 SLA 준수율
reports-name-sla-breaches = SLA 위반
reports-name-tickets = 태그 또는 키워드별 티켓

## Metrics (the "metric" column of reports); the English ones are the API's metric names
reports-metric-tickets-created = 생성된 티켓
reports-metric-tickets-solved = 해결된 티켓
reports-metric-median-first-response-h = 첫 응답 시간 중앙값(시간)
reports-metric-median-first-response-business-h = 첫 응답 시간 중앙값, 영업시간 기준(시간)
reports-metric-median-resolution-h = 해결 시간 중앙값(시간)
reports-metric-median-resolution-business-h = 해결 시간 중앙값, 영업시간 기준(시간)
reports-metric-p90-resolution-h = 해결 시간 90번째 백분위수(시간)
reports-metric-reopen-rate-pct = 재오픈율(%)
reports-metric-one-touch-rate-pct = 원터치 해결률(%)
reports-metric-csat-pct = CSAT(%)
reports-metric-csat-ratings = CSAT 평가 수
reports-metric-sla-compliance-pct = SLA 준수율(%)
reports-metric-first-response = 첫 응답
reports-metric-next-response = 다음 응답
reports-metric-resolution = 해결

## Age and duration buckets
reports-bucket-under-1-day = 1일 미만
reports-bucket-1-3-days = 1~3일
reports-bucket-3-7-days = 3~7일
reports-bucket-7-30-days = 7~30일
reports-bucket-over-30-days = 30일 초과
reports-bucket-under-1-h = 1시간 미만
reports-bucket-1-4-h = 1~4시간
reports-bucket-4-8-h = 4~8시간
reports-bucket-8-24-h = 8~24시간
reports-bucket-over-7-days = 7일 초과

## Groups, breakdowns and outcomes
reports-group-all = (전체)
reports-group-no-team = (팀 없음)
reports-by-all = 전체
reports-by-team = 팀
reports-by-agent = 상담원
reports-by-channel = 채널
reports-by-priority = 우선순위
reports-by-segment = 세그먼트
reports-churn-all = 전체
reports-churn-breached = SLA 위반 티켓 있음
reports-churn-not-breached = SLA 위반 티켓 없음
reports-churn-slow = 해결 지연 있음
reports-churn-not-slow = 해결 지연 없음
reports-churn-bad-csat = 부정적 CSAT 평가 있음
reports-churn-no-bad-csat = 부정적 CSAT 평가 없음
reports-outcome-churned = 이탈
reports-outcome-retained = 유지

## Notes under reports
reports-note-sla-missing = SLA 데이터가 없습니다
reports-note-sla-missing-summary = SLA 데이터가 없어 SLA 준수율(sla_compliance_pct)이 비어 있습니다.
reports-note-churn = 기간 시작 시점에 구독이 활성 상태인 고객이 대상입니다. 이탈은 기간 말까지 구독이 해지된 경우입니다. 팀 필터는 적용되지 않습니다.
reports-note-churn-sla-missing = 기간 시작 시점에 구독이 활성 상태인 고객이 대상입니다. 이탈은 기간 말까지 구독이 해지된 경우입니다. 팀 필터는 적용되지 않습니다. SLA 데이터가 없어 SLA 위반 티켓 기준 분류는 제외했습니다.

## Column headings (pages and CSV downloads); the English ones are the API's column names
reports-col-metric = 지표
reports-col-value = 값
reports-col-previous = 이전
reports-col-change-pct = 변화율(%)
reports-col-bucket = 구간
reports-col-created = 생성
reports-col-solved = 해결
reports-col-open-at-end = 기간 말 미해결
reports-col-status = 상태
reports-col-age = 경과 기간
reports-col-tickets = 티켓
reports-col-tag = 태그
reports-col-term = 키워드
reports-col-ticket-id = 티켓 ID
reports-col-subject = 제목
reports-col-created-at = 생성 시각
reports-col-link = 링크
reports-col-by = 기준
reports-col-group = 그룹
reports-col-ratings = 평가 수
reports-col-good = 좋음
reports-col-bad = 나쁨
reports-col-csat-pct = CSAT(%)
reports-col-median-h = 중앙값(시간)
reports-col-p90-h = 90번째 백분위수(시간)
reports-col-mean-h = 평균(시간)
reports-col-business-median-h = 영업시간 중앙값(시간)
reports-col-business-p90-h = 영업시간 90번째 백분위수(시간)
reports-col-business-mean-h = 영업시간 평균(시간)
reports-col-agent-id = 상담원 ID
reports-col-agent = 상담원
reports-col-median-resolution-h = 해결 시간 중앙값(시간)
reports-col-csat-ratings = CSAT 평가 수
reports-col-open-load = 담당 중인 미해결 티켓
reports-col-customers = 고객 수
reports-col-churned = 이탈
reports-col-retained = 유지
reports-col-churn-rate-pct = 이탈률(%)
reports-col-retention-rate-pct = 유지율(%)
reports-col-outcome = 결과
reports-col-currency = 통화
reports-col-total-ltv = 총 LTV
reports-col-average-ltv = 평균 LTV
reports-col-customer-id = 고객 ID
reports-col-customer = 고객
reports-col-breached-ticket = SLA 위반 티켓
reports-col-slow-resolution = 해결 지연
reports-col-bad-csat = 부정적 CSAT
reports-col-due = 기한 도래
reports-col-met = 준수
reports-col-breached = 위반
reports-col-pending = 진행 중
reports-col-compliance-pct = 준수율(%)
reports-col-due-at = 기한
reports-col-breached-at = 위반 시각
reports-col-team = 팀
reports-col-assignee = 담당자

## Report parameters (form errors)
reports-error-out-of-range = 범위를 벗어났습니다
reports-error-date = 날짜(YYYY-MM-DD) 또는 RFC 3339 시각이어야 합니다
reports-error-to-after-from = 시작일보다 뒤여야 합니다
reports-error-period-too-long = 시작일로부터 { $days }일 이내여야 합니다
reports-error-team = 팀 ID여야 합니다
reports-error-by = 다음 중 하나여야 합니다: { $choices }
reports-error-interval = day 또는 week여야 합니다
reports-error-too-long = 너무 깁니다(최대 { $max }자)
reports-error-tag-or-term = 태그 또는 키워드를 지정해야 합니다

## The customer's rating page
reports-rate-title = 요청 #{ $id } 평가
reports-rate-heading = 요청 #{ $id }에 대한 응대는 어떠셨나요?
reports-rate-saved = 감사합니다. 평가가 저장되었습니다. 아래에서 평가를 바꾸거나 의견을 남길 수 있습니다.
reports-rate-chosen = ‘{ $rating }’을 선택하셨습니다. 보내려면 “평가 저장”을 누르세요. 원하시면 의견도 함께 남길 수 있습니다.
reports-rate-not-solved = 요청이 해결된 후에 평가할 수 있습니다.
reports-rate-your-rating = 평가
reports-rating-good = 좋음
reports-rating-bad = 나쁨
reports-rating-good-word = 좋음
reports-rating-bad-word = 나쁨
reports-rate-comment = 의견(선택)
reports-rate-save = 평가 저장
reports-rate-back = 요청으로 돌아가기
reports-rate-panel = 이 요청 평가하기
reports-rate-given = 이 요청을 ‘{ $rating }’으로 평가하셨습니다. 변경:
reports-rate-ask = 응대는 어떠셨나요?
reports-rate-error-choice = 좋음 또는 나쁨이어야 합니다
reports-rate-error-not-solved = 아직 해결되지 않은 요청입니다. 해결된 후에 평가할 수 있습니다.
