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
