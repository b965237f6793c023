# errors
# صفحات الأخطاء ورسائل المدخلات المرفوضة (تعرض واجهة API الرسائل الإنجليزية).

## أخطاء الطلبات
error-validation = { $field }: { $message }
error-unauthorized = يلزم تسجيل الدخول
error-not-found = غير موجود: { $what }
error-stale = تغيّرت التذكرة منذ تحميلها (الإصدار الحالي { $version })
error-too-large = نص الطلب كبير جدًا
error-rate-limited = طلبات كثيرة جدًا؛ أعد المحاولة بعد { $secs } ث
error-unavailable = لا تستطيع قاعدة البيانات معالجة الطلب الآن (متوقفة أو محمّلة فوق طاقتها أو نفدت مساحة القرص)؛ أعد المحاولة بعد { $secs } ث
error-search-unavailable = البحث لا يستجيب؛ أعد المحاولة بعد { $secs } ث
error-internal = خطأ داخلي (المرجع { $reference })
error-already-exists = موجود بالفعل
error-csrf = انتهت صلاحية النموذج أو لم يُرسَل من هذا الموقع؛ أعد تحميل الصفحة وحاول مرة أخرى
error-malformed-form = نموذج غير صالح: { $detail }
error-needs-admin = يتطلب هذا دور المسؤول
error-needs-lead = يتطلب هذا دور قائد الفريق أو المسؤول

## ما لم يُعثر عليه (صفحة الخطأ 404)
error-not-found-action = الإجراء غير موجود
error-not-found-agent = موظف الدعم غير موجود
error-not-found-attachment = المرفق غير موجود
error-not-found-bulk-change = التغيير الجماعي غير موجود
error-not-found-calendar = التقويم غير موجود
error-not-found-current-identity = الهوية الحالية غير موجودة
error-not-found-customer = العميل غير موجود
error-not-found-endpoint = نقطة النهاية غير موجودة
error-not-found-identity = الهوية غير موجودة
error-not-found-link-action = إجراء الرابط غير موجود
error-not-found-macro = الماكرو غير موجود
error-not-found-merge = عملية الدمج غير موجودة
error-not-found-message = الرسالة غير موجودة
error-not-found-notification = الإشعار غير موجود
error-not-found-page = الصفحة غير موجودة
error-not-found-policy = السياسة غير موجودة
error-not-found-quarantined-message = الرسالة المعزولة غير موجودة
error-not-found-report = التقرير غير موجود
error-not-found-rule = القاعدة غير موجودة
error-not-found-saved-reply = الرد المحفوظ غير موجود
error-not-found-tag = الوسم غير موجود
error-not-found-team = الفريق غير موجود
error-not-found-text-to-insert = النص المطلوب إدراجه غير موجود
error-not-found-ticket = التذكرة غير موجودة
error-not-found-view = طريقة العرض غير موجودة

## رسائل الحقول المرفوضة (تظهر بجانب الحقل)
error-nul = يجب ألا يحتوي على أحرف NUL
error-required = حقل مطلوب
error-too-long = طويل جدًا
error-too-long-chars = { $max ->
    [zero] طويل جدًا
    [one] طويل جدًا (حرف واحد كحد أقصى)
    [two] طويل جدًا (حرفان كحد أقصى)
    [few] طويل جدًا ({ $max } أحرف كحد أقصى)
    [many] طويل جدًا ({ $max } حرفًا كحد أقصى)
   *[other] طويل جدًا ({ $max } حرف كحد أقصى)
}
error-too-large-kb = كبير جدًا ({ $max } كيلوبايت كحد أقصى)
error-too-many-files = { $max ->
    [zero] لا يُسمح بأي ملف
    [one] ملف واحد كحد أقصى
    [two] ملفان كحد أقصى
    [few] { $max } ملفات كحد أقصى
    [many] { $max } ملفًا كحد أقصى
   *[other] { $max } ملف كحد أقصى
}
error-too-many-cc = { $max ->
    [zero] لا يُسمح بأي عنوان
    [one] عنوان واحد كحد أقصى
    [two] عنوانان كحد أقصى
    [few] { $max } عناوين كحد أقصى
    [many] { $max } عنوانًا كحد أقصى
   *[other] { $max } عنوان كحد أقصى
}
error-cc-limit = { $max ->
    [zero] لا يمكن نسخ أي شخص على التذكرة
    [one] يمكن نسخ شخص واحد كحد أقصى على التذكرة
    [two] يمكن نسخ شخصين كحد أقصى على التذكرة
    [few] يمكن نسخ { $max } أشخاص كحد أقصى على التذكرة
    [many] يمكن نسخ { $max } شخصًا كحد أقصى على التذكرة
   *[other] يمكن نسخ { $max } شخص كحد أقصى على التذكرة
}
error-not-email = ليس عنوان بريد إلكتروني صالحًا
error-single-line = يجب أن يكون سطرًا واحدًا
error-tag-same-name = هو الاسم الحالي للوسم
error-not-active-agent = ليس موظف دعم نشطًا
error-not-agent-id = ليس معرّف موظف دعم
error-not-ticket-version = ليس إصدارًا للتذكرة
error-not-message-of-ticket = ليست رسالة من هذه التذكرة
error-status-change = لا يمكن التغيير من { $from } إلى { $to }
error-unknown-queue = قائمة انتظار غير معروفة
error-team-id = يجب أن يكون معرّف فريق
error-view-id = يجب أن يكون معرّف طريقة عرض
error-ticket-id = يجب أن يكون معرّف تذكرة
error-event-id = يجب أن يكون معرّف حدث
error-queue-or-all = يجب أن يكون queue أو all
error-presence-state = يجب أن يكون viewing أو replying أو left
error-password-spaces = يجب ألا تتكون من مسافات فقط
error-password-short = { $min ->
    [zero] قصيرة جدًا
    [one] يجب أن تتكون من حرف واحد على الأقل
    [two] يجب أن تتكون من حرفين على الأقل
    [few] يجب أن تتكون من { $min } أحرف على الأقل
    [many] يجب أن تتكون من { $min } حرفًا على الأقل
   *[other] يجب أن تتكون من { $min } حرف على الأقل
}
error-password-weak = سهلة التخمين جدًا؛ الأفضل استخدام بضع كلمات لا رابط بينها أو عبارة أطول
error-password-weak-why = سهلة التخمين جدًا ({ $why })؛ الأفضل استخدام بضع كلمات لا رابط بينها أو عبارة أطول
error-password-wrong = غير صحيحة
error-email-taken = يستخدمه موظف دعم آخر بالفعل
error-not-found-ticket-link = هذا الرابط غير صالح أو انتهت صلاحيته
error-not-found-rating-link = رابط التقييم هذا غير صالح أو انتهت صلاحيته
error-email-required = هذا الحقل مطلوب
error-email-too-long = طويل جدًا (بحد أقصى { $max } حرف)
error-email-invalid = ليس عنوان بريد إلكتروني صالحًا
error-sign-in-alert = { $count ->
    [one] محاولة تسجيل دخول فاشلة واحدة إلى حسابك خلال آخر 15 دقيقة، وكانت من { $address }. يظل تسجيل الدخول من المتصفحات التي استخدمتها سابقًا ممكنًا؛ إن لم تكن أنت، فغيّر كلمة المرور.
    [two] محاولتا تسجيل دخول فاشلتان إلى حسابك خلال آخر 15 دقيقة، آخرهما من { $address }. يظل تسجيل الدخول من المتصفحات التي استخدمتها سابقًا ممكنًا؛ إن لم تكن أنت، فغيّر كلمة المرور.
    [few] { $count } محاولات تسجيل دخول فاشلة إلى حسابك خلال آخر 15 دقيقة، آخرها من { $address }. يظل تسجيل الدخول من المتصفحات التي استخدمتها سابقًا ممكنًا؛ إن لم تكن أنت، فغيّر كلمة المرور.
   *[other] { $count } محاولة تسجيل دخول فاشلة إلى حسابك خلال آخر 15 دقيقة، آخرها من { $address }. يظل تسجيل الدخول من المتصفحات التي استخدمتها سابقًا ممكنًا؛ إن لم تكن أنت، فغيّر كلمة المرور.
}
