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
