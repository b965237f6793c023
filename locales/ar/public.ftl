# صفحات العميل: نموذج الدعم والطلب كما يظهر عبر رابطه الخاص.

public-contact-title = تواصل مع الدعم
public-contact-intro = أخبرنا بما حدث. ستحصل على رابط خاص لمتابعة طلبك والإضافة إليه.
public-your-name = اسمك
public-your-email = بريدك الإلكتروني
public-subject = الموضوع
public-message = الرسالة
public-attachment = مرفق (اختياري)
public-leave-empty = اترك هذا الحقل فارغًا
public-received-title = تم استلام الطلب
public-thank-you = شكرًا لك
public-received = لقد استلمنا طلبك.

public-link-gone-title = هذا الرابط لم يعد يعمل
public-link-expired = انتهت صلاحية هذا الرابط
public-link-expired-help = تعمل روابط الطلبات لمدة { $days } يومًا. يمكننا إرسال رابط جديد إلى العنوان المسجّل في الطلب.
public-link-mail-new = أرسل لي رابطًا جديدًا
public-link-withdrawn = تم سحب هذا الرابط
public-link-withdrawn-help = استبدل فريق الدعم هذا الرابط. استخدم أحدث رابط أرسلناه إليك، أو ردّ على أي رسالة من رسائلنا.
public-link-renewed-title = رابط جديد في الطريق إليك
public-link-renewed = أرسلنا رابطًا جديدًا إلى العنوان المسجّل في الطلب. قد يستغرق وصوله بضع دقائق.

public-request-title = الطلب #{ $ticket }
public-created = لقد استلمنا طلبك #{ $ticket }.
public-private-link = هذا رابطك الخاص لمتابعة الطلب. احتفظ به في مكان آمن، فأي شخص لديه الرابط يمكنه قراءة هذه المحادثة:
public-status-new = تم الاستلام — سنتواصل معك قريبًا
public-status-open = مفتوح — نعمل عليه الآن
public-status-pending = بانتظار ردّك
public-status-solved = تم الحل — ردّ علينا إذا بقيت أي مشكلة وسنعيد فتح الطلب
public-status-closed = مغلق — الكتابة هنا تبدأ طلبًا جديدًا
public-you = أنت
public-support-author = { $name } (الدعم)
public-add-to-request = أضف إلى طلبك
public-cc-title = نسخ الردود إلى
public-cc-none = تصلك ردودنا أنت فقط.
public-cc-add-label = أضف زميلًا إلى النسخة
public-cc-add = إضافة
public-name-too-long = طويل جدًا (بحد أقصى { $max } حرف)
public-name-single-line = يجب أن يكون سطرًا واحدًا
