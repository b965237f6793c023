# إطار الصفحة والتنقل والأوقات والأجزاء المشتركة بين الصفحات.

app-name = Casebook
title-suffix = { $title } · Casebook
skip-to-content = انتقل إلى المحتوى
nav-main = القائمة الرئيسية
nav-menu = القائمة
nav-tickets = التذاكر
nav-search = البحث
nav-customers = العملاء
nav-stale = المتأخرة والمخالفة
nav-reports = التقارير
nav-notifications = الإشعارات
nav-admin = الإدارة
nav-change-password = تغيير كلمة المرور
nav-availability = التوفر
nav-language = اللغة
nav-log-out = تسجيل الخروج
language-picker = اللغة
role-agent = موظف دعم
role-lead = قائد فريق
role-admin = مسؤول

time-just-now = الآن
time-minutes = { $n } د
time-hours = { $n } س
time-days = { $n } ي
time-ago = منذ { $age }
time-utc = { $time } UTC

error-title = { $status } · { $reason }
error-back = العودة إلى Casebook
error-status-400 = طلب غير صالح
error-status-401 = لم يتم تسجيل الدخول
error-status-403 = غير مسموح
error-status-404 = غير موجود
error-status-405 = طريقة غير مسموح بها
error-status-409 = تعارض
error-status-413 = كبير جدًا
error-status-415 = نوع غير مدعوم
error-status-422 = تعذّرت المعالجة
error-status-429 = طلبات كثيرة جدًا
error-status-500 = خطأ في الخادم
error-status-503 = غير متاح مؤقتًا
error-status-other = خطأ

form-fix-fields = يرجى تصحيح الحقول المشار إليها أدناه.
button-save = حفظ
button-cancel = إلغاء
button-send = إرسال
button-search = بحث
button-apply = تطبيق
button-delete = حذف
yes = نعم
no = لا
none = لا شيء

account-language-title = اللغة
account-language-intro = اللغة التي يعرض بها Casebook صفحاته ورسائله وبريده.
account-language-label = لغتك
account-language-browser = اتّباع لغة المتصفح ({ $language })
account-language-saved = تم حفظ اللغة.

count-tickets = { $count ->
    [zero] لا توجد تذاكر
    [one] تذكرة واحدة
    [two] تذكرتان
    [few] { $count } تذاكر
    [many] { $count } تذكرة
   *[other] { $count } تذكرة
}
count-messages = { $count ->
    [zero] لا توجد رسائل
    [one] رسالة واحدة
    [two] رسالتان
    [few] { $count } رسائل
    [many] { $count } رسالة
   *[other] { $count } رسالة
}

# رسائل نصوص الصفحة البرمجية (التحديث المباشر والمسودات والإشعارات والاختصارات). يضع النص البرمجي قيمة مكان %name%.
js-reload = إعادة التحميل
js-new-activity = يوجد نشاط جديد.
js-changed-while-editing = تغيّرت هذه التذكرة أثناء تعديلك لها (%changes%). عند الضغط على «تحديث» سنعرض لك التغييرات أولًا.
js-new-while-writing = حدث نشاط جديد أثناء كتابتك: %changes% (معروض أعلاه).
js-list-separator = {"، "}
list-separator = {"، "}
js-the-customer = العميل
js-a-message = رسالة
js-an-internal-note = ملاحظة داخلية
js-the-ticket = التذكرة
js-none = لا شيء
js-field-change = %field% ← %value%
js-who-what = %who%: %what%
js-field-status = الحالة
js-field-priority = الأولوية
js-field-assignee = المسؤول
js-field-team = الفريق
js-field-subject = الموضوع
js-field-tags = الوسوم
js-viewing = %name% يطّلع على التذكرة
js-replying = %name% يكتب ردًا…
js-draft-saved = تم حفظ المسودة
js-draft-discarded = تم تجاهل المسودة
js-draft-not-saved = لم تُحفظ المسودة (%status%)
js-draft-unreachable = لم تُحفظ المسودة: تعذّر الوصول إلى الخادم
js-notify-on = إشعارات سطح المكتب مفعّلة (إيقاف)
js-notify-blocked = إشعارات سطح المكتب محظورة في هذا المتصفح
js-notify-show = إظهار إشعارات سطح المكتب
js-shortcuts-title = اختصارات لوحة المفاتيح
js-key-walk = التذكرة التالية / السابقة (في القائمة: نقل التحديد)
js-key-open = فتح التذكرة المحددة
js-key-tick = تحديد التذكرة لتغيير جماعي
js-key-reply = كتابة رد عام
js-key-note = كتابة ملاحظة داخلية
js-key-assign = إسناد التذكرة إليّ
js-key-solve = حلّ التذكرة
js-key-macro = إدراج رد محفوظ
js-key-go = الانتقال إلى: تذاكري، غير المسندة، المفتوحة، المعلّقة، المحلولة، الكل
js-key-search = البحث
js-key-help = إظهار هذه القائمة أو إخفاؤها
js-key-escape = مغادرة الحقل وإغلاق هذه القائمة
account-language-invalid = يجب أن تكون en أو ko أو ar
