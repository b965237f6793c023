# reports

## Dashboard and report pages
reports-title = التقارير
reports-filter-from = من
reports-filter-to = إلى
reports-filter-team = الفريق
reports-filter-all-teams = كل الفرق
reports-filter-show = عرض
reports-no-data = لا توجد بيانات
reports-no-previous-data = لا توجد بيانات سابقة
# $change is signed, e.g. "+12.5".
reports-change-vs-previous = { $change }٪ مقارنة بالفترة السابقة
reports-value-hours = { $hours } ساعة
reports-value-percent = { $value }٪
reports-csv = CSV
reports-download-csv = تنزيل CSV
reports-headline-numbers = الأرقام الرئيسية
reports-agent-performance = أداء موظفي الدعم
reports-all-reports = كل التقارير
reports-back = → التقارير
reports-tag-label = الوسم:
reports-term-label = كلمة من الموضوع:

## Headline cards
reports-card-tickets-created = التذاكر المُنشأة
reports-card-tickets-solved = التذاكر المحلولة
reports-card-median-first-response = وسيط وقت الرد الأول
reports-card-median-resolution = وسيط وقت الحل
reports-card-median-resolution-business = وسيط وقت الحل (ساعات العمل)
reports-card-reopen-rate = معدل إعادة الفتح
reports-card-one-touch = الحل من الرد الأول
reports-card-csat = CSAT
reports-card-sla-compliance = الالتزام باتفاقية مستوى الخدمة (SLA)

## Charts
reports-chart-created-vs-solved = المُنشأة مقابل المحلولة
reports-chart-backlog = التذاكر المفتوحة المتراكمة في نهاية كل فترة
reports-chart-resolution-distribution = توزيع أوقات الحل (التذاكر المحلولة)
reports-chart-backlog-age = التذاكر المفتوحة حسب عمرها (الآن)
reports-chart-top-terms = أكثر كلمات الموضوع تكرارًا
reports-chart-top-tags = أكثر الوسوم استخدامًا
reports-chart-sla = الالتزام بـ SLA
reports-chart-sla-trend = نسبة الالتزام بـ SLA ٪ (حسب موعد الاستحقاق)
reports-chart-data = عرض الأرقام في جدول
reports-series-created = المُنشأة
reports-series-solved = المحلولة
reports-series-open = المفتوحة

## Report names
reports-name-summary = الأرقام الرئيسية
reports-name-response-times = أوقات الرد الأول والحل
reports-name-volume = المُنشأة مقابل المحلولة، والتذاكر المفتوحة المتراكمة
reports-name-backlog-age = التذاكر المفتوحة حسب عمرها الآن
reports-name-resolution-distribution = توزيع أوقات الحل
reports-name-top-tags = أكثر الوسوم استخدامًا
reports-name-top-terms = أكثر كلمات الموضوع تكرارًا
reports-name-csat = رضا العملاء
reports-name-agents = أداء موظفي الدعم
reports-name-churn = مغادرة العملاء والاحتفاظ بهم حسب تجربة الدعم
reports-name-churn-ltv = القيمة الدائمة للعملاء المغادرين مقارنة بالباقين
reports-name-churn-customers = العملاء وراء أرقام المغادرة
reports-name-sla = الالتزام بـ SLA
reports-name-sla-trend = الالتزام بـ SLA عبر الزمن
reports-name-sla-breaches = تجاوزات SLA
reports-name-tickets = التذاكر المرتبطة بوسم أو كلمة

## Metrics (the "metric" column of reports); the English ones are the API's metric names
reports-metric-tickets-created = التذاكر المُنشأة
reports-metric-tickets-solved = التذاكر المحلولة
reports-metric-median-first-response-h = وسيط الرد الأول (ساعة)
reports-metric-median-first-response-business-h = وسيط الرد الأول بساعات العمل (ساعة)
reports-metric-median-resolution-h = وسيط الحل (ساعة)
reports-metric-median-resolution-business-h = وسيط الحل بساعات العمل (ساعة)
reports-metric-p90-resolution-h = المئين التسعون لوقت الحل (ساعة)
reports-metric-reopen-rate-pct = معدل إعادة الفتح (٪)
reports-metric-one-touch-rate-pct = معدل الحل من الرد الأول (٪)
reports-metric-csat-pct = CSAT (٪)
reports-metric-csat-ratings = عدد تقييمات CSAT
reports-metric-sla-compliance-pct = الالتزام بـ SLA (٪)
reports-metric-first-response = الرد الأول
reports-metric-next-response = الرد التالي
reports-metric-resolution = الحل

## Age and duration buckets
reports-bucket-under-1-day = أقل من يوم
reports-bucket-1-3-days = 1–3 أيام
reports-bucket-3-7-days = 3–7 أيام
reports-bucket-7-30-days = 7–30 يومًا
reports-bucket-over-30-days = أكثر من 30 يومًا
reports-bucket-under-1-h = أقل من ساعة
reports-bucket-1-4-h = 1–4 ساعات
reports-bucket-4-8-h = 4–8 ساعات
reports-bucket-8-24-h = 8–24 ساعة
reports-bucket-over-7-days = أكثر من 7 أيام

## Groups, breakdowns and outcomes
reports-group-all = (الكل)
reports-group-no-team = (بلا فريق)
reports-by-all = الكل
reports-by-team = الفريق
reports-by-agent = موظف الدعم
reports-by-channel = القناة
reports-by-priority = الأولوية
reports-by-segment = الشريحة
reports-churn-all = الكل
reports-churn-breached = لديه تذكرة تجاوزت SLA
reports-churn-not-breached = ليست لديه تذكرة تجاوزت SLA
reports-churn-slow = تأخر حل إحدى تذاكره
reports-churn-not-slow = لم يتأخر حل أي من تذاكره
reports-churn-bad-csat = قدّم تقييم CSAT سلبيًا
reports-churn-no-bad-csat = لم يقدّم تقييم CSAT سلبيًا
reports-outcome-churned = غادر
reports-outcome-retained = بقي

## Notes under reports
reports-note-sla-missing = بيانات SLA غير متاحة
reports-note-sla-missing-summary = بيانات SLA غير متاحة: العمود sla_compliance_pct فارغ
reports-note-churn = العملاء الذين لديهم اشتراك نشط في بداية الفترة؛ ويُعدّ العميل مغادرًا إذا أُلغي اشتراكه بنهايتها. لا ينطبق عامل تصفية الفريق.
reports-note-churn-sla-missing = العملاء الذين لديهم اشتراك نشط في بداية الفترة؛ ويُعدّ العميل مغادرًا إذا أُلغي اشتراكه بنهايتها. لا ينطبق عامل تصفية الفريق. بيانات SLA غير متاحة، لذا استُبعد التقسيم حسب التذاكر التي تجاوزت SLA.

## Column headings (pages and CSV downloads); the English ones are the API's column names
reports-col-metric = المقياس
reports-col-value = القيمة
reports-col-previous = السابقة
reports-col-change-pct = التغيّر (٪)
reports-col-bucket = الفترة
reports-col-created = المُنشأة
reports-col-solved = المحلولة
reports-col-open-at-end = المفتوحة في نهاية الفترة
reports-col-status = الحالة
reports-col-age = العمر
reports-col-tickets = التذاكر
reports-col-tag = الوسم
reports-col-term = الكلمة
reports-col-ticket-id = رقم التذكرة
reports-col-subject = الموضوع
reports-col-created-at = تاريخ الإنشاء
reports-col-link = الرابط
reports-col-by = التقسيم
reports-col-group = المجموعة
reports-col-ratings = التقييمات
reports-col-good = جيد
reports-col-bad = سيئ
reports-col-csat-pct = CSAT (٪)
reports-col-median-h = الوسيط (ساعة)
reports-col-p90-h = المئين التسعون (ساعة)
reports-col-mean-h = المتوسط (ساعة)
reports-col-business-median-h = الوسيط بساعات العمل (ساعة)
reports-col-business-p90-h = المئين التسعون بساعات العمل (ساعة)
reports-col-business-mean-h = المتوسط بساعات العمل (ساعة)
reports-col-agent-id = معرّف موظف الدعم
reports-col-agent = موظف الدعم
reports-col-median-resolution-h = وسيط الحل (ساعة)
reports-col-csat-ratings = تقييمات CSAT
reports-col-open-load = التذاكر المفتوحة المسندة
reports-col-customers = العملاء
reports-col-churned = المغادرون
reports-col-retained = الباقون
reports-col-churn-rate-pct = معدل المغادرة (٪)
reports-col-retention-rate-pct = معدل الاحتفاظ (٪)
reports-col-outcome = النتيجة
reports-col-currency = العملة
reports-col-total-ltv = إجمالي القيمة الدائمة
reports-col-average-ltv = متوسط القيمة الدائمة
reports-col-customer-id = معرّف العميل
reports-col-customer = العميل
reports-col-breached-ticket = تذكرة تجاوزت SLA
reports-col-slow-resolution = حل متأخر
reports-col-bad-csat = تقييم CSAT سلبي
reports-col-due = المستحقة
reports-col-met = المستوفاة
reports-col-breached = المتجاوزة
reports-col-pending = المعلّقة
reports-col-compliance-pct = نسبة الالتزام (٪)
reports-col-due-at = موعد الاستحقاق
reports-col-breached-at = وقت التجاوز
reports-col-team = الفريق
reports-col-assignee = المسند إليه

## Report parameters (form errors)
reports-error-out-of-range = خارج النطاق المسموح
reports-error-date = يجب أن يكون تاريخًا (YYYY-MM-DD) أو وقتًا بصيغة RFC 3339
reports-error-to-after-from = يجب أن يكون بعد تاريخ البداية
reports-error-period-too-long = { $days ->
    [zero] يجب ألا تتجاوز الفترة { $days } يوم
    [one] يجب ألا تتجاوز الفترة يومًا واحدًا
    [two] يجب ألا تتجاوز الفترة يومين
    [few] يجب ألا تتجاوز الفترة { $days } أيام
    [many] يجب ألا تتجاوز الفترة { $days } يومًا
   *[other] يجب ألا تتجاوز الفترة { $days } يوم
}
reports-error-team = يجب أن يكون معرّف فريق
reports-error-by = يجب أن يكون أحد الخيارات: { $choices }
reports-error-interval = يجب أن يكون day أو week
reports-error-too-long = { $max ->
    [zero] طويل جدًا
    [one] طويل جدًا (الحد الأقصى حرف واحد)
    [two] طويل جدًا (الحد الأقصى حرفان)
    [few] طويل جدًا (الحد الأقصى { $max } أحرف)
    [many] طويل جدًا (الحد الأقصى { $max } حرفًا)
   *[other] طويل جدًا (الحد الأقصى { $max } حرف)
}
reports-error-tag-or-term = حدّد وسمًا (أو كلمة)

## The customer's rating page
reports-rate-title = تقييم الطلب رقم { $id }
reports-rate-heading = كيف كانت خدمتنا في الطلب رقم { $id }؟
reports-rate-saved = شكرًا لك — تم حفظ تقييمك. يمكنك تغييره أو إضافة تعليق أدناه.
reports-rate-chosen = اخترت «{ $rating }». اضغط «حفظ التقييم» لإرساله، مع تعليق إن أردت.
reports-rate-not-solved = يمكنك تقييم هذا الطلب بعد حلّه.
reports-rate-your-rating = تقييمك
reports-rating-good = جيد
reports-rating-bad = سيئ
reports-rating-good-word = جيد
reports-rating-bad-word = سيئ
reports-rate-comment = تعليق (اختياري)
reports-rate-save = حفظ التقييم
reports-rate-back = العودة إلى طلبك
reports-rate-panel = تقييم هذا الطلب
reports-rate-given = قيّمت هذا الطلب بـ«{ $rating }». لتغيير التقييم:
reports-rate-ask = كيف كانت خدمتنا؟
reports-rate-error-choice = يجب أن يكون التقييم جيدًا أو سيئًا
reports-rate-error-not-solved = لم يُحل هذا الطلب بعد؛ يمكنك تقييمه بعد حلّه
