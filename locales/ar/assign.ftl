# assign
# Shared names of priorities, channels and availability on assignment, SLA and bulk pages.
assign-availability-online = متصل
assign-availability-away = غير متواجد
assign-availability-off = غير متصل
assign-availability-off-hours = خارج ساعات العمل

# Ticket page: why the ticket is where it is
assign-why-title = سبب وجود هذه التذكرة هنا

# Teams page
assign-teams-title = الفرق
# $link is the link "routing rules" (assign-teams-intro-link).
assign-teams-intro = تُوجَّه التذاكر الجديدة إلى فريق وفق { $link }، وتذهب التذاكر التي لا تطابق أي قاعدة إلى الفريق الافتراضي. وداخل الفريق، يحصل العضو المتصل صاحب أقل عدد من التذاكر المفتوحة على التذكرة التالية.
assign-teams-intro-link = قواعد التوجيه
assign-badge-default = افتراضي
assign-badge-inactive = غير نشط
assign-badge-off = متوقفة
assign-team-members = { $count ->
    [zero] لا أعضاء
    [one] عضو واحد
    [two] عضوان
    [few] { $count } أعضاء
    [many] { $count } عضوًا
   *[other] { $count } عضو
}
assign-team-waiting = { $count ->
    [zero] لا تذاكر بانتظار موظف دعم
    [one] تذكرة واحدة بانتظار موظف دعم
    [two] تذكرتان بانتظار موظف دعم
    [few] { $count } تذاكر بانتظار موظف دعم
    [many] { $count } تذكرة بانتظار موظف دعم
   *[other] { $count } تذكرة بانتظار موظف دعم
}
assign-name = الاسم
assign-active = نشط
assign-default-team = الفريق الافتراضي
assign-lead = قائد الفريق
assign-none-option = (لا أحد)
assign-members = الأعضاء
assign-save-team = حفظ الفريق
assign-new-team = فريق جديد
assign-create-team = إنشاء الفريق

# Routing rules page
assign-rules-title = قواعد التوجيه
assign-rules-intro = تُفحص القواعد من الأعلى إلى الأسفل، وأول قاعدة تطابق التذكرة الجديدة تحدد فريقها وأولويتها ووسومها والمهارة المطلوبة لها.
assign-rules-rule = القاعدة
assign-rules-when = الشرط
assign-rules-then = الإجراء
assign-edit = تعديل
assign-move-up = نقل { $name } إلى الأعلى
assign-move-down = نقل { $name } إلى الأسفل
assign-new-rule = قاعدة جديدة
assign-rule-title = القاعدة { $name }
assign-back-to-rules = → قواعد التوجيه
# A rule's conditions: "channel web or email and priority high".
assign-cond-or = {" أو "}
assign-cond-and = {"، "}
assign-cond-channel = القناة: { $values }
assign-cond-mailbox = صندوق البريد: { $values }
assign-cond-plan = الباقة: { $values }
assign-cond-segment = الشريحة: { $values }
assign-cond-words = الكلمات: { $values }
assign-cond-priority = الأولوية: { $values }
assign-cond-vip = عميل مميز (VIP)
assign-cond-not-vip = ليس عميلًا مميزًا (VIP)
assign-cond-at-risk = معرّض لخطر المغادرة
assign-cond-not-at-risk = غير معرّض لخطر المغادرة
assign-cond-every-ticket = كل التذاكر
# What a rule does: "team Billing; priority high; tags vip; skill german".
assign-then-separator = {"؛ "}
assign-then-team = الفريق: { $team }
assign-then-deleted-team = الفريق #{ $id } (محذوف: الفريق الافتراضي)
assign-then-default-team = الفريق الافتراضي
assign-then-priority = الأولوية: { $priority }
assign-then-tags = الوسوم: { $tags }
assign-then-skill = المهارة: { $skill }
# The rule form
assign-rule-when = الشرط (كل الحقول المعبأة)
assign-rule-lists-help = افصل بين القيم بفواصل؛ تكفي مطابقة أي قيمة منها.
assign-rule-channel = القناة:
assign-rule-priority = الأولوية:
assign-rule-keywords = كلمات في الموضوع أو الرسالة
assign-rule-mailbox = صندوق البريد
assign-rule-plan = باقة العميل
assign-rule-segment = شريحة العميل
assign-rule-vip = عميل مميز (VIP)
assign-rule-at-risk = معرّض لخطر المغادرة
assign-either = أيٌّ منهما
assign-rule-team = الفريق
assign-rule-default-team-option = (الفريق الافتراضي)
assign-team-inactive-option = { $team } (غير نشط)
assign-rule-set-priority = تعيين الأولوية
assign-rule-keep-option = (دون تغيير)
assign-rule-tags = إضافة وسوم
assign-rule-skill = المهارة المطلوبة
assign-save-rule = حفظ القاعدة
assign-add-rule = إضافة القاعدة

# Routing settings on the admin agents page
assign-routing-title = التوجيه
assign-routing-intro = يمنح الإسناد التلقائي موظفي الدعم المتصلين تذاكر جديدة حتى حدّ سعتهم (عدد التذاكر المفتوحة)، ضمن ساعات عملهم (تقويم اتفاقية مستوى الخدمة (SLA)؛ بدونه يكون العمل في كل الأوقات). وعند إلغاء تنشيط أحدهم تُسند تذاكره المفتوحة إلى غيره.
assign-routing-agent = موظف الدعم
assign-routing-teams = الفرق
assign-routing-open = المفتوحة
assign-routing-settings = السعة · التوفر · المهارات
assign-routing-capacity-of = سعة { $name }
assign-routing-availability-of = توفر { $name }
assign-routing-skills-of = مهارات { $name }
assign-routing-skills-placeholder = المهارات
assign-routing-hours-of = ساعات عمل { $name }
assign-routing-always = دائمًا
assign-routing-active = نشط

# Own availability
assign-availability-title = التوفر
# $state is the current availability, shown in bold.
assign-availability-current = حالتك الآن: { $state }. لا يحصل على التذاكر الجديدة تلقائيًا إلا موظفو الدعم المتصلون، وتبقى تذاكرك المفتوحة مسندة إليك.
assign-availability-set = تعيين

# Errors in assignment settings (after the field's name: "capacity must be a whole number")
assign-error-id = ليس معرّفًا صالحًا
assign-error-yes-no = يجب أن يكون نعم أو لا أو فارغًا
assign-error-whole-number = يجب أن يكون عددًا صحيحًا
assign-error-calendar-id = يجب أن يكون معرّف تقويم
assign-error-required = مطلوب
assign-error-too-long = طويل جدًا (الحد الأقصى { $max } حرف)
assign-error-team-name-taken = مستخدم بالفعل لفريق آخر
assign-error-not-active-agent = ليس موظف دعم نشطًا
assign-error-members-max = الحد الأقصى { $max } موظف دعم
assign-error-member-not-active = { $id } ليس موظف دعم نشطًا
assign-error-at-most = الحد الأقصى { $max }
assign-error-unknown-team = ليس فريقًا معروفًا
assign-error-position = يجب أن يكون 1 أو أكثر
assign-error-only-admins = لا يغيّر إعدادات موظفي الدعم الآخرين إلا المسؤولون؛ ويمكن لموظف الدعم تعيين توفره فقط
assign-error-capacity = يجب أن يكون بين 0 و{ $max }
assign-error-availability = يجب أن يكون أحد القيم: online أو away أو off
assign-error-deactivate-self = لا يمكنك إلغاء تنشيط نفسك
assign-error-no-calendar = لا يوجد تقويم بهذا المعرّف (راجع /api/v1/sla/calendars)
assign-rules-actions = الإجراءات

# Why a ticket is where it is: recorded when routing and assignment decide, read in the reader's language
assign-routing = { $route }{ $details }
assign-target-default = الفريق الافتراضي { $team }
assign-target-team = الفريق { $team }
assign-target-unassigned = غير مسندة (لا يوجد فريق افتراضي)
assign-route-keyword = {" "}(الكلمة المفتاحية «{ $keyword }»)
assign-route-rule = القاعدة «{ $rule }»{ $keyword } ← { $target }
assign-route-rule-fallback = القاعدة «{ $rule }»{ $keyword } { $why } ← { $target }
assign-route-no-rule = لم تطابق أي قاعدة ← { $target }
assign-route-priority = ؛ الأولوية { $priority }
assign-route-tags = ؛ الوسوم { $tags }
assign-route-skill = ؛ تتطلب مهارة «{ $skill }»
assign-fallback-no-team = لا تحدد فريقًا
assign-fallback-inactive = تحدد الفريق { $team } وهو غير نشط
assign-fallback-gone = تحدد الفريق رقم { $id } الذي لم يعد موجودًا
assign-route-because = { $routing } ({ $reason })
assign-route-kept = الفريق { $team } ({ $reason })
assign-route-waited = انتظرت في قائمة انتظار الفريق { $team } ({ $reason })
assign-route-deactivated = { $routing }؛ عُطّل الفريق للتو
assign-skip-status = { $routing }؛ لم تُسند: حالة التذكرة { $status }
assign-skip-assigned = { $routing }؛ مسندة بالفعل
assign-skip-meanwhile = { $routing }؛ أُسندت أو أُغلقت في الأثناء
assign-reason-new = تذكرة جديدة
assign-reason-requested = بناءً على طلب
assign-reason-available = أصبح أحدهم متاحًا
assign-reason-agent-available = أصبح أحد الموظفين متاحًا
assign-reason-reopened = أُعيد فتحها
assign-reason-unassigned = ألغى موظف إسنادها
assign-reason-team-deactivated = عُطّل فريقها
assign-reason-assignee-deactivated = عُطّل المسؤول السابق عنها
assign-reason-hours = ربما بدأت ساعات العمل
assign-reason-joined = انضم موظف إلى الفريق
assign-reason-team-activated = فُعّل الفريق
assign-reason-reassigned = أُعيد إسناد التذكرة رقم { $ticket }
assign-reason-ticket-status = أصبحت حالة التذكرة رقم { $ticket } { $status }
assign-skill-nobody = لا أحد في الفريق يملك مهارة «{ $skill }»، لذا أي عضو
assign-skill-some = { $count } من { $total } يملكون مهارة «{ $skill }»
assign-unavailable-unassigned = أُلغي إسنادها إليه للتو
assign-unavailable-over = تجاوز السعة (الحد الأقصى { $capacity })
assign-unavailable-full = بلغ السعة { $open }/{ $capacity }
assign-availability-other = { $state }
assign-unavailable-agent = { $name } { $reason }
assign-why-unavailable = {" "}(غير متاحين: { $list })
assign-why-skill = ؛ { $skill }
assign-why-waiting-unassigned = في انتظار الإسناد: { $routing }
assign-why-waiting-team = في قائمة انتظار الفريق { $team }: { $routing }
assign-why-no-members = في قائمة انتظار الفريق { $team }: { $routing }{ $skill }؛ لا أعضاء نشطين في الفريق
assign-why-nobody = في قائمة انتظار الفريق { $team }: { $routing }{ $skill }؛ لا أحد متاح{ $unavailable }
assign-load-only = لدى { $name } { $open } مفتوحة، وهو الوحيد
assign-load-tie = لدى { $name } { $open } مفتوحة، بالتساوي مع { $others }؛ الأطول انتظارًا منذ آخر إسناد
assign-load-fewest = لدى { $name } { $open } مفتوحة، الأقل
assign-load-of = { $name } { $open }/{ $capacity }
assign-why-assigned = أُسندت إلى { $name }: { $routing }{ $skill }؛ { $count } متاحون؛ { $load } (الأحمال: { $loads }){ $unavailable }
assign-reason-sla-breach = تجاوز اتفاقية مستوى الخدمة: { $clock }
