# sla
# Business time: "45 min", "2 h 05 min", "3 d 4 h" ($minutes in "sla-duration-hours" is two digits).
sla-duration-minutes = { $minutes } د
sla-duration-hours = { $hours } س { $minutes } د
sla-duration-days = { $days } ي { $hours } س

# States of an SLA clock
sla-state-on-track = ضمن المسار
sla-state-warning = تحذير
sla-state-breached = مخالَفة
sla-state-met = مستوفاة
sla-state-paused = متوقفة مؤقتًا

# The clocks
sla-metric-first-response = الرد الأول
sla-metric-next-response = الرد التالي
sla-metric-resolution = الحل

# Ticket statuses (queues of the SLA and bulk pages)

# Days of the week
sla-day-monday = الاثنين
sla-day-tuesday = الثلاثاء
sla-day-wednesday = الأربعاء
sla-day-thursday = الخميس
sla-day-friday = الجمعة
sla-day-saturday = السبت
sla-day-sunday = الأحد
sla-day-short-monday = الاثنين
sla-day-short-tuesday = الثلاثاء
sla-day-short-wednesday = الأربعاء
sla-day-short-thursday = الخميس
sla-day-short-friday = الجمعة
sla-day-short-saturday = السبت
sla-day-short-sunday = الأحد

# The SLA card of the ticket page
sla-panel-title = اتفاقية مستوى الخدمة (SLA)
sla-panel-no-policy = لا تنطبق أي سياسة SLA على هذه التذكرة.
sla-panel-policy = السياسة { $policy } · التقويم { $calendar }
# $time and $due are times (shown as such on the page).
sla-clock-met = استُوفيت { $time }
sla-clock-met-late = استُوفيت متأخرة { $time } (الموعد { $due })
sla-clock-paused = يتبقى { $left } · بانتظار العميل
sla-clock-due = الموعد { $time }
sla-clock-left = يتبقى { $left } من وقت العمل
sla-clock-overdue = متأخرة { $overdue }
sla-escalate = تصعيد
sla-escalate-reason = السبب
sla-escalate-hand-to = تسليم إلى
sla-escalate-keep-assignee = (إبقاء المسؤول الحالي وإشعار قائد الفريق)
sla-escalate-raise-priority = رفع الأولوية درجة واحدة

# Stale & breaching
sla-stale-title = المتأخرة والمخالِفة
sla-stale-empty = لا شيء هنا.
sla-stale-select = تحديد
sla-stale-select-ticket = تحديد #{ $id }
sla-stale-subject = الموضوع
sla-stale-status = الحالة
sla-stale-priority = الأولوية
sla-stale-assignee = المسؤول
sla-stale-due = موعد SLA
sla-stale-last-activity = آخر نشاط لموظف الدعم
sla-stale-idle-label = دون نشاط لموظف الدعم منذ (ساعات عمل)
sla-stale-unassigned-label = دون إسناد منذ (دقائق عمل)
sla-stale-by-breach = حسب موعد المخالفة
sla-stale-idle = { $hours ->
    [zero] دون نشاط لموظف الدعم منذ { $hours } ساعة عمل
    [one] دون نشاط لموظف الدعم منذ ساعة عمل واحدة
    [two] دون نشاط لموظف الدعم منذ ساعتَي عمل
    [few] دون نشاط لموظف الدعم منذ { $hours } ساعات عمل
    [many] دون نشاط لموظف الدعم منذ { $hours } ساعة عمل
   *[other] دون نشاط لموظف الدعم منذ { $hours } ساعة عمل
}
sla-stale-unassigned = { $minutes ->
    [zero] دون إسناد منذ { $minutes } دقيقة عمل
    [one] دون إسناد منذ دقيقة عمل واحدة
    [two] دون إسناد منذ دقيقتَي عمل
    [few] دون إسناد منذ { $minutes } دقائق عمل
    [many] دون إسناد منذ { $minutes } دقيقة عمل
   *[other] دون إسناد منذ { $minutes } دقيقة عمل
}

# SLA admin page
sla-admin-title = اتفاقية مستوى الخدمة (SLA)
sla-admin-policies = سياسات SLA
sla-admin-intro = تُجرَّب السياسات من الأعلى إلى الأسفل، وتُطبَّق أول سياسة تتحقق جميع شروطها. تُحسب الأهداف بوقت العمل في تقويم السياسة، وتتوقف مؤقتات التذكرة ما دامت بانتظار العميل.
sla-admin-order = الترتيب
sla-admin-name = الاسم
sla-admin-applies-to = تنطبق على
sla-admin-targets = الأهداف (الرد الأول / الرد التالي / الحل)
sla-admin-escalation = التصعيد
sla-admin-active = نشطة
sla-admin-actions = الإجراءات
sla-admin-policy-hours = ساعات { $calendar } · تحذير عند { $percent }٪
sla-admin-cond-priority = الأولوية { $priority }
sla-admin-cond-segment = الشريحة { $segment }
sla-admin-cond-plan = الباقة { $plan }
sla-admin-cond-team = الفريق { $team }
sla-admin-every-ticket = كل التذاكر
sla-admin-esc-warning-assignee = تحذير ← المسؤول
sla-admin-esc-breach-priority = مخالفة ← الأولوية +1
sla-admin-esc-breach-lead = مخالفة ← قائد الفريق
sla-admin-esc-breach-team = مخالفة ← الفريق { $team }
sla-admin-deactivate = إلغاء التنشيط
sla-admin-activate = تنشيط
sla-admin-add-policy = إضافة سياسة
sla-admin-calendar = التقويم
sla-admin-order-help = الترتيب (الأصغر أولًا)
sla-admin-only-priority = أولوية محددة فقط
sla-admin-any = (الكل)
sla-admin-only-segment = شريحة عملاء محددة فقط
sla-admin-segment-placeholder = مثل enterprise
sla-admin-only-plan = باقة عملاء محددة فقط
sla-admin-plan-placeholder = مثل pro
sla-admin-only-team = فريق محدد فقط
sla-admin-priority = الأولوية
sla-admin-first-response-min = الرد الأول (دقيقة)
sla-admin-next-response-min = الرد التالي (دقيقة)
sla-admin-resolution-min = الحل (دقيقة)
sla-admin-target-label = { $metric } – { $priority }
sla-admin-warn-at = التحذير عند (٪ من الهدف)
sla-admin-notify-assignee = عند التحذير، إشعار المسؤول
sla-admin-raise-priority = عند المخالفة، رفع الأولوية درجة واحدة
sla-admin-notify-lead = عند المخالفة، إشعار قائد الفريق
sla-admin-move-to-team = عند المخالفة، النقل إلى الفريق
sla-admin-stay = (دون نقل)
sla-admin-add-policy-button = إضافة السياسة
sla-admin-calendars = تقويمات العمل
sla-admin-closed-on = مغلق في { $dates }
sla-admin-add-calendar = إضافة تقويم
sla-admin-time-zone = المنطقة الزمنية (IANA، مثل Asia/Riyadh)
sla-admin-day-hours = { $day } (مثل 09:00-17:00 أو 09:00-12:00, 13:00-17:00؛ اتركه فارغًا إن كان يوم عطلة)
sla-admin-holidays = العطلات (تواريخ مفصولة بفواصل)
sla-admin-add-calendar-button = إضافة التقويم

# Errors in SLA settings and escalations (after the field's name)
sla-error-agent-id = ليس معرّف موظف دعم
sla-error-whole-number-range = يجب أن يكون عددًا صحيحًا من { $min } إلى { $max }
sla-error-whole-number = يجب أن يكون عددًا صحيحًا
sla-error-time = { $value } ليس وقتًا بصيغة 09:00
sla-error-day = ليس يومًا من أيام الأسبوع
sla-error-date = { $value } ليس تاريخًا بصيغة 2026-12-25
sla-error-required = مطلوب
sla-error-too-long = طويل جدًا (الحد الأقصى { $max } حرف)
sla-error-window = يجب أن تكون كل فترة بصيغة ["09:00", "17:00"] أو "09:00-17:00"
sla-error-name-taken = مستخدم بالفعل
sla-error-percent = يجب أن يكون بين 1 و100
sla-error-no-target = يجب تعيين هدف واحد على الأقل
sla-error-not-calendar = ليس تقويمًا
sla-error-not-team = ليس فريقًا
sla-error-not-active-agent = ليس موظف دعم نشطًا
# The notification the new assignee or the team lead gets.
sla-escalated-notification = صعّد { $agent } التذكرة #{ $id }: { $reason }

# إشعارات موظفي الدعم (بلغة المستلم).
sla-notify-warning = التذكرة #{ $ticket }: تحذير SLA ‏({ $clock })
sla-notify-breached = التذكرة #{ $ticket }: مخالفة SLA ‏({ $clock })
