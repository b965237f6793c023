# agent
# صفحات موظفي الدعم: تسجيل الدخول، وقوائم الانتظار، وصفحة التذكرة، وصفحة العميل، وكلمة المرور، والإدارة.

## الحالات والأولويات والقنوات
status-new = جديدة
status-open = مفتوحة
status-pending = معلّقة
status-solved = محلولة
status-closed = مغلقة
priority-low = منخفضة
priority-normal = عادية
priority-high = عالية
priority-urgent = عاجلة
channel-email = البريد الإلكتروني
channel-web = الويب
channel-api = API

## تسجيل الدخول
agent-login-title = تسجيل الدخول
agent-login-heading = تسجيل الدخول إلى Casebook
agent-login-email = البريد الإلكتروني
agent-login-password = كلمة المرور
agent-login-button = تسجيل الدخول
agent-login-wrong = البريد الإلكتروني أو كلمة المرور غير صحيحة.

## قوائم الانتظار
agent-queue-mine = تذاكري
agent-queue-unassigned = غير المسندة
agent-queue-open = كل المفتوحة
agent-queue-pending = المعلّقة
agent-queue-solved = المحلولة
agent-queue-all = الكل
agent-queue-tickets = التذاكر
agent-queues = قوائم الانتظار
agent-queue-all-teams-title = عرض كل الفرق
agent-queue-all-teams = (كل الفرق)
agent-queue-tagged = بالوسم { $tag }
agent-queue-any-tag-title = عرض كل الوسوم
agent-queue-any-tag = (أي وسم)
agent-queue-empty = لا يوجد شيء هنا.
agent-queue-empty-mine = اختر تذكرة من قائمة غير المسندة.
agent-queue-keys = لوحة المفاتيح: { $j } / { $k } للتنقل، و{ $o } للفتح، و{ $help } لعرض كل الاختصارات.
agent-queue-urgent-first = الأقرب إلى موعد اتفاقية مستوى الخدمة (SLA) أولًا.
agent-queue-newest-first = الأحدث أولًا
agent-queue-older = ← تذاكر أقدم
agent-unknown-customer = (غير معروف)
agent-views = طرق العرض
agent-view-shared = (مشتركة)
agent-view-yours = طريقة عرض خاصة بك
agent-view-shared-team = مشتركة مع فريق { $team }
agent-view-shared-all = طريقة عرض مشتركة
agent-view-empty = لا توجد تذكرة تطابق طريقة العرض هذه حاليًا.
agent-view-more = ← مزيد من التذاكر
agent-view-delete = حذف طريقة العرض هذه

## أعمدة قائمة التذاكر
agent-column-select = تحديد
agent-column-subject = الموضوع
agent-column-customer = العميل
agent-column-status = الحالة
agent-column-priority = الأولوية
agent-column-assignee = المسؤول
agent-column-team = الفريق
agent-column-tags = الوسوم
agent-column-channel = القناة
agent-column-age = العمر
agent-column-updated = آخر تغيير
agent-column-sla = موعد SLA
agent-column-plan = الخطة
agent-select-ticket = تحديد #{ $id }
agent-age-title = الوقت المنقضي منذ إنشاء التذكرة
agent-updated-title = الوقت المنقضي منذ آخر تغيير

## الحفظ كطريقة عرض
agent-save-view = حفظ كطريقة عرض…
agent-save-view-name = الاسم
agent-save-view-status = الحالة
agent-save-view-priority = الأولوية
agent-save-view-assignee = المسؤول
agent-save-view-tag = الوسم
agent-save-view-channel = القناة
agent-save-view-idle = دون تغيير منذ (ساعات)
agent-save-view-waiting = العميل ينتظر منذ (ساعات)
agent-save-view-sla = SLA
agent-save-view-vip = كبار العملاء
agent-save-view-plan = الخطة
agent-save-view-segment = الشريحة
agent-save-view-sort = الترتيب
agent-save-view-columns = الأعمدة
agent-save-view-shared = المشاركة مع
agent-save-view-any = الكل
agent-save-view-anyone = أي شخص
agent-save-view-me = أنا
agent-save-view-vip-yes = كبار العملاء
agent-save-view-vip-no = ليسوا من كبار العملاء
agent-save-view-nobody = لا أحد (لي فقط)
agent-save-view-everyone = الجميع
agent-save-view-team = فريق { $team }
agent-save-view-button = حفظ طريقة العرض
agent-sla-breached = مخالفة
agent-sla-at-risk = معرّضة للمخالفة (صدر تحذير ولم تُخالَف بعد)
agent-sla-attention = مخالفة أو معرّضة للمخالفة
agent-sort-newest = الأحدث أولًا
agent-sort-oldest = الأقدم أولًا
agent-sort-updated = الأحدث تغييرًا أولًا
agent-sort-priority = الأعلى أولوية أولًا
agent-sort-sla = الأقرب إلى موعد SLA أولًا

## تنبيه التعارض
agent-conflict-heading = تغيّرت هذه التذكرة منذ أن فتحتها
agent-conflict-added-message = { $who }: إضافة رسالة
agent-conflict-added-note = { $who }: إضافة ملاحظة داخلية
agent-conflict-created = { $who }: إنشاء التذكرة
agent-conflict-changed = { $who }: تغيير { $field } من { $old } إلى { $new }
agent-conflict-history = تم تحديث سجل التذكرة.
agent-conflict-not-saved = لم يُحفظ تغييرك:
agent-conflict-mine-status = الحالة: { $value }
agent-conflict-mine-priority = الأولوية: { $value }
agent-conflict-mine-assignee = المسؤول: { $value }
agent-conflict-apply = تطبيق تغييري
agent-conflict-keep = إبقاء التذكرة كما هي
agent-conflict-reply-kept = { $notsent }. ما زال ردك محفوظًا في مربع الرد أدناه: اطّلع على التغييرات ثم أرسله مجددًا.
agent-conflict-not-sent = لم يُرسَل ردك
agent-field-assignee = المسؤول
agent-field-team = الفريق
agent-field-customer = العميل
agent-field-solution = الحل
agent-field-message = الرسالة العامة
agent-field-ticket = التذكرة
agent-field-status = الحالة
agent-field-priority = الأولوية
agent-field-subject = الموضوع
agent-field-tags = الوسوم
agent-field-cc = النسخة
agent-field-merged = الدمج في
agent-unassigned-value = غير مسندة
agent-who-agent = موظف دعم
agent-who-customer = العميل
agent-nobody = لا أحد
agent-agent-id = موظف الدعم { $id }

## صفحة التذكرة
agent-presence-replying = { $name } يكتب ردًا…
agent-presence-viewing = { $name } يطّلع على التذكرة
agent-ticket-meta = عبر { $channel } · فُتحت { $time }
agent-ticket-follow-up = متابعة للتذكرة { $ticket }
agent-internal-note-badge = ملاحظة داخلية
agent-split-title = نقل هذه الرسالة إلى تذكرة جديدة للعميل نفسه
agent-split = فصل
agent-forwarded = رسالة مُعاد توجيهها
agent-full-message = عرض الرسالة كاملة
agent-auto-reply = رد تلقائي — لم يُرسَل إشعار استلام.
agent-list-mail = وصلت عبر قائمة بريدية — لم يُرسَل إشعار استلام.
agent-threading-title = كيف رُبطت هذه الرسالة بتذكرتها
agent-threading = الربط بالتذكرة: { $reason }
agent-delivery-failed = تعذّر تسليم البريد: { $error }
agent-delivery-unknown-error = خطأ غير معروف
agent-delivery-queued = البريد في قائمة الإرسال
agent-delivery-sent = أُرسلت بالبريد إلى العميل
agent-attachment-view = عرض { $name }
agent-preview-refused = لا يمكن عرض هذا الملف في المتصفح؛ نزّله بدلًا من ذلك
agent-attachment-open = فتح
agent-reply-label = الرد على { $name } أو إضافة ملاحظة داخلية
agent-reply-attach = إرفاق ملفات
agent-reply-public = رد عام
agent-reply-internal = ملاحظة داخلية
agent-reply-set-status = وتعيين الحالة
agent-reply-keep-status = (دون تغيير)
agent-sidebar-ticket = التذكرة
agent-sidebar-status = الحالة
agent-sidebar-priority = الأولوية
agent-sidebar-assignee = المسؤول
agent-sidebar-unassigned = غير مسندة
agent-sidebar-update = تحديث
agent-customer = العميل
agent-recent-activity = النشاط الأخير
agent-history = السجل

## أسطر السجل
agent-actor-system = Casebook
agent-actor-customer = العميل
agent-event-created = { $who }: إنشاء التذكرة عبر { $channel }
agent-event-created-detail = { $who }: إنشاء التذكرة عبر { $channel } ({ $detail })
agent-event-status = { $who }: تغيير الحالة من { $old } إلى { $new }
agent-event-priority = { $who }: تغيير الأولوية من { $old } إلى { $new }
agent-event-assignee = { $who }: إعادة الإسناد من { $old } إلى { $new }
agent-event-subject = { $who }: إعادة تسمية التذكرة (الموضوع السابق: “{ $old }”)
agent-event-tag-added = { $who }: إضافة الوسم { $tag }
agent-event-merged-into = { $who }: دمج التذكرة في { $ticket }
agent-event-merged-from = { $who }: دمج { $ticket } في هذه التذكرة
agent-event-merged-from-unknown = { $who }: دمج تذكرة أخرى في هذه التذكرة
agent-event-merge-undone = { $who }: التراجع عن دمج
agent-event-split-from = { $who }: فصل التذكرة عن { $ticket }
agent-event-split-from-unknown = { $who }: فصل التذكرة عن تذكرة أخرى
agent-event-split-to = { $who }: فصل رسالة إلى { $ticket }
agent-event-split-to-unknown = { $who }: فصل رسالة إلى تذكرة جديدة
agent-event-tag-removed = { $who }: إزالة الوسم { $tag }
agent-event-cc-added = { $who }: إضافة { $address } إلى النسخة
agent-event-cc-removed = { $who }: إزالة { $address } من النسخة
agent-event-reply = { $who }: إرسال رد
agent-event-note = { $who }: إضافة ملاحظة داخلية
agent-event-first-response = { $who }: إرسال الرد الأول
agent-event-routed = { $who }: توجيه التذكرة: { $detail }
agent-event-assigned = { $who }: إسناد تلقائي: { $detail }
agent-event-delivery-failed = { $who }: تعذّر تسليم رسالة بريد: { $detail }
agent-event-ack-suppressed = { $who }: لم يُرسَل إشعار استلام (بلغ هذا العميل الحد المسموح)
agent-event-customer-merged = { $who }: دمج العميل من { $old } إلى { $new }
agent-event-customer-merge-undone = { $who }: التراجع عن دمج العميل من { $old } إلى { $new }
agent-event-team = { $who }: نُقلت التذكرة إلى فريق آخر
agent-event-resolution = { $who }: حُدّدت الرسالة التي حلّت المشكلة
agent-event-sla-warning = { $who }: بلغ { $clock } حدّ التحذير
agent-event-sla-breach = { $who }: تجاوز { $clock } هدفه
agent-event-escalated = { $who } صعّد التذكرة: { $reason }
agent-event-other = { $who }: { $what }

## بطاقة العميل وصفحته
agent-card-churn-risk = خطر فقدان العميل
agent-card-since = عميل منذ { $date } ({ $age })
agent-card-plan = الخطة { $plan }
agent-card-mrr = الإيراد الشهري المتكرر (MRR) { $amount } { $currency }
agent-card-lifetime = القيمة الدائمة للعميل { $values }
agent-card-came-from = مصدر القدوم { $source }
agent-card-csat = آخر تقييم CSAT { $score }
agent-card-tickets = { $total ->
    [zero] { $open } مفتوحة · لا توجد تذاكر إجمالًا
    [one] { $open } مفتوحة · تذكرة واحدة إجمالًا
    [two] { $open } مفتوحة · تذكرتان إجمالًا
    [few] { $open } مفتوحة · { $total } تذاكر إجمالًا
    [many] { $open } مفتوحة · { $total } تذكرة إجمالًا
   *[other] { $open } مفتوحة · { $total } تذكرة إجمالًا
}
agent-customer-timeline = تصفية الخط الزمني
agent-customer-everything = الكل
agent-customer-nothing = لا يوجد شيء بعد.
agent-customer-ticket = تذكرة { $ticket }
agent-customer-profile = الملف الشخصي
agent-crm-tickets = التذاكر
agent-crm-order = طلب شراء
agent-crm-subscription = اشتراك
agent-crm-deal = صفقة
agent-crm-campaign-touch = تفاعل مع حملة
agent-crm-email-engagement = تفاعل مع البريد
agent-crm-csat = CSAT
agent-crm-nps = NPS
agent-crm-signup = تسجيل
agent-crm-note = ملاحظة

## كلمة المرور
agent-password-title = تغيير كلمة المرور
agent-password-done = تم تغيير كلمة المرور، وسُجّل الخروج من الجلسات الأخرى.
agent-password-current = كلمة المرور الحالية
agent-password-new = كلمة المرور الجديدة (12 حرفًا على الأقل؛ بضع كلمات لا رابط بينها خيار جيد)
agent-password-button = تغيير كلمة المرور

## العزل
agent-quarantine-title = العزل
agent-quarantine-heading = البريد المعزول
agent-quarantine-intro = بريد لم يتحول إلى تذكرة من تلقاء نفسه. لا يضيع شيء هنا: إعادة المحاولة تُجري كل الفحوص من جديد، والإفراج ينشئ تذكرة في كل الأحوال، والتجاهل يحتفظ بالرسالة لكنه يوقف عرضها.
agent-quarantine-held-only = عرض المحتجز فقط
agent-quarantine-show-all = عرض المعالَج أيضًا
agent-quarantine-empty = لا يوجد بريد محتجز.
agent-quarantine-reason = السبب
agent-quarantine-from = المرسل
agent-quarantine-subject = الموضوع
agent-quarantine-size = الحجم
agent-quarantine-received = تاريخ الاستلام
agent-quarantine-status = الحالة
agent-quarantine-actions = الإجراءات
agent-quarantine-status-held = محتجز
agent-quarantine-status-released = أُفرج عنه
agent-quarantine-status-dismissed = متجاهَل
agent-quarantine-retry = إعادة المحاولة
agent-quarantine-release = الإفراج كتذكرة
agent-quarantine-dismiss = تجاهل
agent-quarantine-older = ← الأقدم

## الإدارة: موظفو الدعم
agent-admin-title = موظفو الدعم
agent-admin-name = الاسم
agent-admin-email = البريد الإلكتروني
agent-admin-role = الدور
agent-admin-add-heading = إضافة موظف دعم
agent-admin-password = كلمة المرور الأولية
agent-admin-add = إضافة موظف الدعم

## روابط العميل
agent-links-heading = رابط العميل
agent-links-none = لا يوجد رابط صالح.
agent-links-active = { $count ->
    [zero] لا توجد روابط صالحة.
    [one] رابط صالح واحد.
    [two] رابطان صالحان.
    [few] { $count } روابط صالحة.
    [many] { $count } رابطًا صالحًا.
   *[other] { $count } رابط صالح.
}
agent-links-active-until = { $count ->
    [zero] لا توجد روابط صالحة.
    [one] رابط صالح واحد، وهو صالح حتى { $date }.
    [two] رابطان صالحان، أحدثهما صالح حتى { $date }.
    [few] { $count } روابط صالحة، أحدثها صالح حتى { $date }.
    [many] { $count } رابطًا صالحًا، أحدثها صالح حتى { $date }.
   *[other] { $count } رابط صالح، أحدثها صالح حتى { $date }.
}
agent-links-last-sent = آخر إرسال { $ago }.
agent-links-reissue = إبطال الروابط وإرسال رابط جديد بالبريد
agent-links-revoke = إبطال الكل

# How an email found its ticket (recorded when it arrived, read in the reader's language)
thread-new-ticket = تذكرة جديدة: لا إشارة إلى تذكرة موجودة
thread-private-link = كُتبت عبر الرابط الخاص للعميل
thread-in-reply-to = ترويسة In-Reply-To تطابق الرسالة <{ $id }>
thread-references = ترويسة References تطابق الرسالة <{ $id }>
thread-subject = الموضوع يذكر التذكرة [#{ $ticket }]
thread-address = أُرسلت إلى عنوان الرد الخاص بالتذكرة رقم { $ticket }
thread-foreign = تذكرة جديدة: تشير إلى التذكرة رقم { $ticket } التي تخص عميلًا آخر
thread-follow-up = متابعة: التذكرة رقم { $ticket } مغلقة
thread-reused-id = { $reason }؛ سبق استخدام معرّف Message-ID هذا في الرسالة { $message } بمحتوى مختلف
thread-bounce = رسالة مرتدة للرسالة <{ $id }>
agent-delivery-failed-detail = الرسالة { $message }: { $error }

# Why mail was held in quarantine
quarantine-parse-error = تعذّرت قراءتها
quarantine-too-large = كبيرة جدًا
quarantine-loop = حلقة بريد
quarantine-blocked = مرسل محظور
quarantine-rate-limited = رسائل كثيرة جدًا من هذا المرسل
quarantine-auto-reply = رد تلقائي
quarantine-bounce = رسالة مرتدة
quarantine-no-sender = بلا مرسل
quarantine-storage-error = تعذّر حفظها
quarantine-spoofed = مرسل مزوّر
quarantine-receipt = إشعار قراءة
