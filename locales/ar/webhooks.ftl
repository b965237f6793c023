# webhooks: خطافات الويب الصادرة (/admin/webhooks) وأخطاؤها

webhooks-title = خطافات الويب
webhooks-admin-index-about = إرسال أحداث التذاكر والرسائل واتفاقيات مستوى الخدمة والتقييمات والعملاء إلى أنظمة أخرى، موقّعة، مع سجل للتسليم.
webhooks-intro = يرسل Casebook كل حدث يطلبه الاشتراك إلى عنوانه، موقّعًا بالمفتاح السري للاشتراك. يُعاد إرسال ما يفشل بفواصل تطول تدريجيًا، ويصل التسليم بالترتيب لكل تذكرة؛ والاشتراك الذي يستمر فشله يُعطَّل ويُبلَّغ المشرفون.
webhooks-none = لا توجد خطافات ويب بعد.
webhooks-back = → كل خطافات الويب

# The events
webhooks-event-ticket-created = إنشاء تذكرة
webhooks-event-ticket-updated = تغيير تذكرة
webhooks-event-ticket-solved = حل تذكرة
webhooks-event-ticket-reopened = إعادة فتح تذكرة
webhooks-event-message-added = إضافة رسالة أو ملاحظة
webhooks-event-sla-warning = تحذير اتفاقية مستوى الخدمة
webhooks-event-sla-breach = خرق اتفاقية مستوى الخدمة
webhooks-event-csat-received = تقييم العميل لتذكرة
webhooks-event-customer-merged = دمج العملاء

# Delivery states
webhooks-status-pending = في الانتظار
webhooks-status-retrying = إعادة المحاولة
webhooks-status-delivered = تم التسليم
webhooks-status-failed = فشل
webhooks-status-paused = محفوظ أثناء التعطيل
webhooks-state-active = مفعّل
webhooks-state-disabled = معطّل
webhooks-disabled-failing = { $failures ->
    [zero] عُطّل بعد { $failures } محاولة فاشلة متتالية.
    [one] عُطّل بعد محاولة فاشلة واحدة.
    [two] عُطّل بعد محاولتين فاشلتين متتاليتين.
    [few] عُطّل بعد { $failures } محاولات فاشلة متتالية.
   *[other] عُطّل بعد { $failures } محاولة فاشلة متتالية.
}
webhooks-disabled-admin = عطّله أحد المشرفين.
webhooks-failing-now = { $failures ->
    [zero] { $failures } محاولة فاشلة متتالية
    [one] محاولة فاشلة واحدة
    [two] محاولتان فاشلتان متتاليتان
    [few] { $failures } محاولات فاشلة متتالية
   *[other] { $failures } محاولة فاشلة متتالية
}
webhooks-paused-count = { $count ->
    [zero] لا توجد عمليات تسليم محفوظة.
    [one] عملية تسليم واحدة محفوظة وستُرسل عند تفعيله.
    [two] عمليتا تسليم محفوظتان وستُرسلان عند تفعيله.
    [few] { $count } عمليات تسليم محفوظة وستُرسل عند تفعيله.
   *[other] { $count } عملية تسليم محفوظة وستُرسل عند تفعيله.
}

# Lists and forms
webhooks-col-name = الاسم
webhooks-col-url = العنوان
webhooks-col-events = الأحداث
webhooks-col-state = الحالة
webhooks-col-when = الوقت
webhooks-col-event = الحدث
webhooks-col-ticket = التذكرة
webhooks-col-status = الحالة
webhooks-col-attempts = المحاولات
webhooks-col-answer = آخر رد
webhooks-col-result = النتيجة
webhooks-col-actions = الإجراءات
webhooks-add = إضافة خطاف ويب
webhooks-add-button = إضافة الخطاف
webhooks-edit = تعديل هذا الخطاف
webhooks-save = حفظ
webhooks-field-name = الاسم
webhooks-field-url = العنوان الذي يستقبل الأحداث
webhooks-field-events = الأحداث المرسلة
webhooks-field-secret = المفتاح السري (اتركه فارغًا لإنشاء واحد)
webhooks-field-new-secret = مفتاح سري جديد (اتركه فارغًا للإبقاء على الحالي)
webhooks-field-secret-help = { $min } حرفًا على الأقل. يتحقق المستقبِل به من ترويسة Casebook-Signature.
webhooks-field-allow-private = السماح بالعناوين الخاصة وعناوين الاسترجاع
webhooks-field-allow-private-help = للمستقبِلات داخل شبكتك فقط: بدونه تُرفض العناوين التي تشير إلى 127.0.0.1 أو 10.x أو 192.168.x أو عناوين الارتباط المحلي أو غيرها من العناوين الداخلية.
webhooks-secret-once = يظهر المفتاح السري لهذا الخطاف الآن فقط. انسخه إلى المستقبِل:
webhooks-secret-hint = آخر أحرف المفتاح السري
webhooks-failures = المحاولات الفاشلة المتتالية
webhooks-enable = تفعيل (وإرسال المحفوظ)
webhooks-disable = تعطيل
webhooks-delete = حذف مع سجله
webhooks-log = عمليات التسليم
webhooks-log-empty = لا توجد عمليات تسليم بعد.
webhooks-filter-status = الحالة
webhooks-filter-any = الكل
webhooks-filter = عرض
webhooks-older = عمليات تسليم أقدم
webhooks-next-attempt = المحاولة التالية
webhooks-latency = { $ms } ملي ثانية
webhooks-redeliver = إرسال مرة أخرى
webhooks-delivery-title = تسليم { $event }
webhooks-delivery-id = معرّف التسليم
webhooks-attempts = المحاولات
webhooks-attempts-none = لم تتم أي محاولة بعد.
webhooks-attempt-manual = أعاد إرساله شخص
webhooks-body = المحتوى المرسل

# The notice admins get
webhooks-notice-disabled = عُطّل خطاف الويب «{ $name }» ({ $url }) بعد { $failures } عملية تسليم فاشلة متتالية. تُحفظ أحداثه الجديدة؛ أصلح المستقبِل ثم فعّله من صفحة خطافات الويب لإرسالها.

# Errors
webhooks-error-url-missing = مطلوب: العنوان الذي يستقبل الأحداث.
webhooks-error-url-invalid = ليس عنوانًا صالحًا.
webhooks-error-url-scheme = يجب أن يبدأ بـ http:// أو https://.
webhooks-error-url-credentials = يجب ألا يحتوي على اسم مستخدم أو كلمة مرور؛ يتحقق المستقبِل من التوقيع بدلًا من ذلك.
webhooks-error-url-long = أطول من { $max } حرفًا.
webhooks-error-url-internal = يشير إلى { $host }، وهو عنوان من نوع { $kind } ({ $address }). تُرفض العناوين الداخلية ما لم يُفعَّل «السماح بالعناوين الخاصة» (allow_private).
webhooks-error-url-unresolvable = يذكر { $host } الذي لا يمكن تحديد عنوانه.
webhooks-error-events-missing = يجب أن يذكر حدثًا واحدًا على الأقل.
webhooks-error-event-unknown = «{ $kind }» ليس حدثًا؛ الأحداث المعروفة: { $known }.
webhooks-error-secret-short = يجب ألا يقل عن { $min } حرفًا.
webhooks-error-secret-long = يجب ألا يزيد على { $max } حرفًا، دون أحرف تحكم.
webhooks-error-name-long = يجب ألا يزيد على { $max } حرفًا.
webhooks-error-status-unknown = يجب أن يكون واحدًا من { $known }.
webhooks-error-limit = يجب أن يكون عددًا صحيحًا من 1 إلى { $max }.
webhooks-error-already-queued = عملية التسليم هذه في انتظار الإرسال بالفعل.
