# admin
# The admin index (/admin)
admin-index-title = الإدارة
admin-index-teams = الفرق
admin-index-teams-about = الفرق وأعضاؤها وقادتها والفريق الافتراضي.
admin-index-rules = قواعد التوجيه
admin-index-rules-about = الفريق والأولوية والوسوم التي تحصل عليها التذكرة الجديدة.
admin-index-agents = موظفو الدعم
admin-index-agents-about = الأشخاص والأدوار والسعة والتوفر والمهارات.
admin-index-sla = اتفاقية مستوى الخدمة (SLA)
admin-index-sla-about = تقويمات العمل وسياسات SLA والتصعيد.
admin-index-tags = الوسوم
admin-index-tags-about = إعادة تسمية الوسوم التي تحملها التذاكر ودمجها وحذفها.
admin-index-macros = وحدات الماكرو والردود المحفوظة
admin-index-macros-about = ردود وإجراءات بخطوة واحدة لمربع الرد والتغييرات الجماعية: المشتركة منها والخاصة بك.
admin-index-quarantine = العزل
admin-index-quarantine-about = رسائل بريد تعذّر تحويلها إلى تذاكر، مع السبب.
admin-index-language = اللغة
admin-index-language-about = لغة من لم يختر لغة ولا يطلب متصفحه لغة يتحدثها Casebook.
admin-language-title = اللغة الافتراضية
admin-language-intro = يخاطب Casebook كل شخص باللغة التي اختارها، وإلا فباللغة التي يطلبها متصفحه. ويحصل العملاء والموظفون والرسائل التي لا يحدد فيها أيٌّ منهما لغةً على هذه اللغة. ويُجاب العميل الذي يكتب باللغة التي كتب بها.
admin-language-label = اللغة الافتراضية
admin-language-configured = كما في الإعدادات ({ $language })
admin-index-duplicates = عملاء مكررون على الأرجح
admin-index-duplicates-about = عملاء قد يكونون الشخص نفسه.
# $link is the link "quarantine" (admin-index-unaccounted-link).
admin-index-unaccounted = { $count ->
    [zero] لا رسائل بريد مخزنة لم تصبح رسالة ولا نسخة مكررة وليست محفوظة في { $link }.
    [one] رسالة بريد مخزنة واحدة لم تصبح رسالة ولا نسخة مكررة وليست محفوظة في { $link }. راجع السجل بحثًا عن أخطاء الاستلام؛ سيعيد صندوق البريد المحاولة.
    [two] رسالتا بريد مخزنتان لم تصبحا رسالة ولا نسخة مكررة وليستا محفوظتين في { $link }. راجع السجل بحثًا عن أخطاء الاستلام؛ سيعيد صندوق البريد المحاولة.
    [few] { $count } رسائل بريد مخزنة لم تصبح رسائل ولا نسخًا مكررة وليست محفوظة في { $link }. راجع السجل بحثًا عن أخطاء الاستلام؛ سيعيد صندوق البريد المحاولة.
    [many] { $count } رسالة بريد مخزنة لم تصبح رسائل ولا نسخًا مكررة وليست محفوظة في { $link }. راجع السجل بحثًا عن أخطاء الاستلام؛ سيعيد صندوق البريد المحاولة.
   *[other] { $count } رسالة بريد مخزنة لم تصبح رسائل ولا نسخًا مكررة وليست محفوظة في { $link }. راجع السجل بحثًا عن أخطاء الاستلام؛ سيعيد صندوق البريد المحاولة.
}
admin-index-unaccounted-link = العزل

# Notifications page
notify-title = الإشعارات
notify-unread = { $count ->
    [zero] لا إشعارات غير مقروءة
    [one] إشعار واحد غير مقروء
    [two] إشعاران غير مقروءين
    [few] { $count } إشعارات غير مقروءة
    [many] { $count } إشعارًا غير مقروء
   *[other] { $count } إشعار غير مقروء
}
notify-mark-all-read = تعليم الكل كمقروء
notify-desktop = عرض إشعارات سطح المكتب
notify-empty = لا شيء بعد.
notify-mark-read = تعليم كمقروء
notify-prefs-title = ما تُبلَّغ به
notify-prefs-help = في Casebook: تظهر هنا ويُعرض عددها في القائمة؛ وعند إيقافها لا يُحفظ شيء. ملخص البريد الإلكتروني: ما يبقى غير مقروء بعد { $minutes } دقيقة، في رسالة واحدة كل { $minutes } دقيقة على الأكثر.
notify-prefs-no-email = البريد الصادر غير مُعدّ على هذا الخادم، لذا لا يُرسل أي ملخص.
notify-prefs-kind = الإشعار
notify-prefs-in-app = في Casebook
notify-prefs-email = ملخص البريد الإلكتروني
notify-prefs-in-app-label = { $kind }: في Casebook
notify-prefs-email-label = { $kind }: ملخص البريد الإلكتروني
# Kinds of notification
notify-kind-assigned = إسناد تذكرة إليّ
notify-kind-customer-reply = كتابة العميل في تذكرة مسندة إليّ
notify-kind-mention = إشارة أحدهم إليّ في ملاحظة داخلية
notify-kind-following = تغيّر تذكرة أتابعها
notify-kind-sla-warning = تحذيرات SLA
notify-kind-sla-breach = مخالفات SLA (لقادة الفرق)
notify-kind-escalated = التصعيدات
# The Follow card of the ticket page
notify-follow = متابعة
notify-unfollow = إلغاء المتابعة
notify-following-help = تصلك إشعارات بكل تغيير في هذه التذكرة.
notify-follow-help = تلقَّ إشعارات بكل تغيير في هذه التذكرة.

# Bulk changes
bulk-change = تغيير
bulk-scope-selected = التذاكر المحددة
bulk-scope-all = كل التذاكر في هذه القائمة
bulk-selected-tickets = التذاكر المحددة:
bulk-status = الحالة
bulk-priority = الأولوية
bulk-assignee = المسؤول
bulk-team = الفريق
bulk-add-tags = إضافة وسوم
bulk-remove-tags = إزالة وسوم
bulk-macro = الماكرو
bulk-no-change = (دون تغيير)
bulk-unassigned = غير مسندة
bulk-no-macro = (لا شيء)
bulk-apply = تطبيق…
bulk-title = تغيير جماعي
bulk-confirm-title = تأكيد التغيير الجماعي
bulk-confirm-heading = { $count ->
    [zero] تغيير { $count } تذكرة؟
    [one] تغيير تذكرة واحدة؟
    [two] تغيير تذكرتين؟
    [few] تغيير { $count } تذاكر؟
    [many] تغيير { $count } تذكرة؟
   *[other] تغيير { $count } تذكرة؟
}
bulk-confirm-help = التذاكر التي يغيّرها غيرك في أثناء ذلك تُترك كما هي وتُعرض بعد الانتهاء.
bulk-confirm-button = { $count ->
    [zero] تغيير { $count } تذكرة
    [one] تغيير تذكرة واحدة
    [two] تغيير تذكرتين
    [few] تغيير { $count } تذاكر
    [many] تغيير { $count } تذكرة
   *[other] تغيير { $count } تذكرة
}
bulk-result-heading = { $count ->
    [zero] لم تتغير أي تذكرة
    [one] تغيّرت تذكرة واحدة
    [two] تغيّرت تذكرتان
    [few] تغيّرت { $count } تذاكر
    [many] تغيّرت { $count } تذكرة
   *[other] تغيّرت { $count } تذكرة
}
bulk-result-stale = { $count ->
    [zero] لا تذاكر غيّرها غيرك بعد تحميل القائمة:
    [one] تذكرة واحدة غيّرها غيرك بعد أن حمّلت القائمة، فتُركت كما هي:
    [two] تذكرتان غيّرهما غيرك بعد أن حمّلت القائمة، فتُركتا كما هما:
    [few] { $count } تذاكر غيّرها غيرك بعد أن حمّلت القائمة، فتُركت كما هي:
    [many] { $count } تذكرة غيّرها غيرك بعد أن حمّلت القائمة، فتُركت كما هي:
   *[other] { $count } تذكرة غيّرها غيرك بعد أن حمّلت القائمة، فتُركت كما هي:
}
bulk-result-failed = { $count ->
    [zero] لا تذاكر تعذّر تغييرها:
    [one] تعذّر تغيير تذكرة واحدة:
    [two] تعذّر تغيير تذكرتين:
    [few] تعذّر تغيير { $count } تذاكر:
    [many] تعذّر تغيير { $count } تذكرة:
   *[other] تعذّر تغيير { $count } تذكرة:
}
bulk-back = العودة إلى القائمة
bulk-progress-heading = { $count ->
    [zero] جارٍ تغيير { $count } تذكرة…
    [one] جارٍ تغيير تذكرة واحدة…
    [two] جارٍ تغيير تذكرتين…
    [few] جارٍ تغيير { $count } تذاكر…
    [many] جارٍ تغيير { $count } تذكرة…
   *[other] جارٍ تغيير { $count } تذكرة…
}
bulk-progress-done = اكتمل { $done } من { $total }
bulk-progress-of = { $done } من { $total }
bulk-progress-counts = تغيّر: { $changed }، تُرك كما هو (غيّره غيرك): { $stale }، تعذّر تغييره: { $failed }. يمكنك مغادرة هذه الصفحة: سيستمر التغيير.

# Notification texts (stored in the recipient's language)
notify-ticket = #{ $id } «{ $subject }»
notify-assigned-by = أسند { $agent } إليك التذكرة { $ticket }
notify-assigned = أُسندت إليك التذكرة { $ticket }
notify-assigned-auto = أُسندت إليك التذكرة { $ticket } تلقائيًا
notify-mention-by = أشار إليك { $agent } في ملاحظة على { $ticket }
notify-mention = أُشير إليك في ملاحظة على { $ticket }
notify-customer-reply = كتب العميل في { $ticket }
notify-following-by = غيّر { $agent } التذكرة { $ticket } التي تتابعها: { $summary }
notify-following-changed = تغيّرت التذكرة { $ticket } التي تتابعها: { $summary }
# What changed, for followers: "status open → pending, new customer message".
notify-summary-status = الحالة { $old } ← { $new }
notify-summary-priority = الأولوية { $old } ← { $new }
notify-summary-unassigned = أُلغي الإسناد
notify-summary-assignee = تغيّر المسؤول
notify-summary-team = تغيّر الفريق
notify-summary-subject = تغيّر الموضوع
notify-summary-tag = أُضيف الوسم { $tag }
notify-summary-customer-message = رسالة جديدة من العميل
notify-summary-reply = رد جديد
notify-summary-note = ملاحظة داخلية جديدة
notify-summary-customer = تغيّر العميل
notify-summary-solution = حُدّد الحل
# The email digest
notify-digest-subject = { $count ->
    [zero] Casebook: لا إشعارات غير مقروءة
    [one] Casebook: إشعار واحد غير مقروء
    [two] Casebook: إشعاران غير مقروءين
    [few] Casebook: { $count } إشعارات غير مقروءة
    [many] Casebook: { $count } إشعارًا غير مقروء
   *[other] Casebook: { $count } إشعار غير مقروء
}
notify-digest-intro = غير المقروء في Casebook:
notify-digest-settings = كل الإشعارات وإعدادات البريد الإلكتروني: { $url }

# Bulk changes: what a change does, and errors
bulk-describe-separator = {"، "}
bulk-describe-status = الحالة ← { $status }
bulk-describe-priority = الأولوية ← { $priority }
bulk-describe-assign = الإسناد إلى { $agent }
bulk-describe-unassign = إلغاء الإسناد
bulk-describe-team = النقل إلى الفريق { $team }
bulk-describe-add-tags = إضافة الوسوم { $tags }
bulk-describe-remove-tags = إزالة الوسوم { $tags }
bulk-describe-macro = تطبيق الماكرو «{ $title }»
bulk-unknown-agent = موظف الدعم { $id }
bulk-unknown-team = الفريق { $id }
bulk-nothing-changed = لم يتغير شيء: { $reason }.
bulk-error-not-agent = ليس معرّف موظف دعم
bulk-error-not-macro = ليس ماكرو
bulk-error-not-team = ليس فريقًا
bulk-error-not-ticket = ليس معرّف تذكرة
bulk-error-unknown-queue = ليس قائمة انتظار معروفة
bulk-error-team-id = يجب أن يكون معرّف فريق
bulk-error-select-one = حدّد تذكرة واحدة على الأقل
bulk-error-no-change = اختر تغييرًا واحدًا على الأقل (الحالة أو الأولوية أو المسؤول أو الفريق أو الوسوم أو ماكرو)
bulk-error-too-many = الحد الأقصى { $max } تذكرة في المرة الواحدة
bulk-error-list-too-long = تضم القائمة أكثر من { $max } تذكرة؛ ضيّق نطاقها أولًا

# Tags admin page
admin-tags-title = الوسوم
admin-tags-intro = إعادة تسمية وسم باسم وسم مستخدم بالفعل تدمجهما معًا. تتغير كل تذكرة عبر سجلها، كما لو عدّلها موظف دعم.
admin-tags-empty = لا وسوم بعد. يضيفها موظفو الدعم في صفحة التذكرة، وتضيفها قواعد التوجيه إلى التذاكر الجديدة.
admin-tags-tag = الوسم
admin-tags-tickets = التذاكر
admin-tags-rename-into = إعادة التسمية أو الدمج في
admin-tags-new-name-for = اسم جديد لـ { $tag }
admin-tags-rename = إعادة تسمية
admin-tags-renamed = { $count ->
    [zero] أصبح «{ $tag }» الآن «{ $to }» في { $count } تذكرة
    [one] أصبح «{ $tag }» الآن «{ $to }» في تذكرة واحدة
    [two] أصبح «{ $tag }» الآن «{ $to }» في تذكرتين
    [few] أصبح «{ $tag }» الآن «{ $to }» في { $count } تذاكر
    [many] أصبح «{ $tag }» الآن «{ $to }» في { $count } تذكرة
   *[other] أصبح «{ $tag }» الآن «{ $to }» في { $count } تذكرة
}
admin-tags-removed = { $count ->
    [zero] أُزيل «{ $tag }» من { $count } تذكرة
    [one] أُزيل «{ $tag }» من تذكرة واحدة
    [two] أُزيل «{ $tag }» من تذكرتين
    [few] أُزيل «{ $tag }» من { $count } تذاكر
    [many] أُزيل «{ $tag }» من { $count } تذكرة
   *[other] أُزيل «{ $tag }» من { $count } تذكرة
}
# Tags and Cc cards of the ticket page
tags-panel-empty = لا وسوم بعد.
tags-panel-tickets-with-tag = التذاكر التي تحمل هذا الوسم
tags-panel-remove-tag = إزالة الوسم { $tag }
tags-panel-add-tags = إضافة وسوم
tags-panel-add-placeholder = أضف وسومًا مفصولة بفواصل
cc-panel-title = نسخة إلى
cc-panel-customer-only = تُرسل الردود العامة إلى العميل وحده.
cc-panel-also-to = تُرسل الردود العامة أيضًا إلى:
cc-panel-stop-copying = إيقاف إرسال نسخة إلى { $address }
cc-panel-remove = إزالة
cc-panel-copy-someone = إضافة نسخة إلى شخص
cc-panel-copy-placeholder = نسخة إلى: name@example.com
cc-panel-add = إضافة

# Merge card of the ticket page
merge-title = الدمج
# $link is the merged-into ticket's number, a link.
merge-merged-into = دُمجت في { $link }؛ رسائلها وارتباط العميل موجودة هناك الآن.
merge-undo = التراجع عن الدمج
# $time is a time.
merge-undo-until = حتى { $time }
merge-into-label = دمج هذه التذكرة في #
merge-into-placeholder = الرقم
merge-button = دمج
merge-help = تنتقل رسائلها وملفاتها وارتباط العميل إلى هناك، وتُغلق هذه التذكرة مع إشارة إلى الأخرى. يمكنك التراجع عن ذلك.
merge-error-ticket-number = يجب أن يكون رقم تذكرة، مثل 123
merge-error-into-required = مطلوب: التذكرة المراد الدمج فيها
merge-error-not-a-ticket = ليس رقم تذكرة
merge-error-undo-expired = لم يعد بالإمكان التراجع عن هذا الدمج

# Saved views: errors (after the field's name)
views-error-number = يجب أن يكون رقمًا
views-error-yes-no = يجب أن يكون yes أو no
views-error-sla = يجب أن يكون breached أو at_risk أو attention
views-error-sort = يجب أن يكون newest أو oldest أو updated أو priority أو sla
views-error-too-long = يجب ألا يتجاوز { $max } حرفًا
views-error-column = ليس عمودًا (أحد: { $columns })
views-error-queue = ليس قائمة انتظار معروفة
views-error-assignee = يجب أن يكون me أو معرّف موظف دعم
views-error-not-active-agent = ليس موظف دعم نشطًا
views-error-not-team = ليس فريقًا
views-error-hours = يجب أن يكون بين { $min } و{ $max }
views-error-name = مطلوب (الحد الأقصى { $max } حرفًا)
views-error-only-leads-share = لا يشارك طرق العرض إلا قادة الفرق والمسؤولون
views-error-team-own = خاص بطرق العرض المشتركة (طريقة العرض الخاصة بك لك وحدك)
views-error-only-leads-delete = لا يحذف طرق العرض المشتركة إلا قادة الفرق والمسؤولون
