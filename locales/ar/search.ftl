# search

## The search page
search-title = البحث
search-heading = البحث في التذاكر والحلول
search-words = الكلمات
search-status = الحالة
search-status-any = أي حالة
search-customer = العميل
search-customer-placeholder = البريد الإلكتروني أو المعرّف
search-team = الفريق
search-team-placeholder = الاسم أو المعرّف
search-tag = الوسم
search-from = من
search-to = إلى
search-solved-only = المحلولة فقط
search-sort = الترتيب
search-sort-relevance = حسب الصلة
search-sort-date = حسب التاريخ
search-rebuilding = { $count ->
    [zero] يجري تحديث فهرس البحث: قد لا تظهر بعض التذاكر في النتائج حاليًا.
    [one] يجري تحديث فهرس البحث (بقيت تذكرة واحدة تقريبًا): قد لا تظهر بعض التذاكر في النتائج حاليًا.
    [two] يجري تحديث فهرس البحث (بقيت تذكرتان تقريبًا): قد لا تظهر بعض التذاكر في النتائج حاليًا.
    [few] يجري تحديث فهرس البحث (بقيت { $count } تذاكر تقريبًا): قد لا تظهر بعض التذاكر في النتائج حاليًا.
    [many] يجري تحديث فهرس البحث (بقيت { $count } تذكرة تقريبًا): قد لا تظهر بعض التذاكر في النتائج حاليًا.
   *[other] يجري تحديث فهرس البحث (بقيت { $count } تذكرة تقريبًا): قد لا تظهر بعض التذاكر في النتائج حاليًا.
}
search-found-more = { $count ->
    [zero] عُثر على تذاكر كثيرة؛ رُتّبت الأحدث منها
    [one] عُثر على أكثر من تذكرة واحدة؛ رُتّبت الأحدث منها
    [two] عُثر على أكثر من تذكرتين؛ رُتّبت الأحدث منها
    [few] عُثر على أكثر من { $count } تذاكر؛ رُتّبت الأحدث منها
    [many] عُثر على أكثر من { $count } تذكرة؛ رُتّبت الأحدث منها
   *[other] عُثر على أكثر من { $count } تذكرة؛ رُتّبت الأحدث منها
}
search-found = { $count ->
    [zero] لم يُعثر على أي تذكرة
    [one] عُثر على تذكرة واحدة
    [two] عُثر على تذكرتين
    [few] عُثر على { $count } تذاكر
    [many] عُثر على { $count } تذكرة
   *[other] عُثر على { $count } تذكرة
}
search-index = الفهرس: { $kind }
search-snippet-internal = ملاحظة داخلية
search-snippet-resolution = الحل

## Ticket statuses and priorities

## The ticket page: similar solved tickets and saved replies
search-similar-title = تذاكر محلولة مشابهة
search-similar-none = لا توجد تذكرة محلولة مشابهة بما يكفي.
search-similar-insert = إدراج هذه الإجابة كمسودة رد
search-solution-label = حل هذه التذكرة
search-solution-default = (آخر رد علني قبل الحل)
search-solution-mark = تعيين كحل
search-saved-replies = الردود المحفوظة
search-saved-replies-placeholder = ابحث في الردود المحفوظة
search-saved-replies-find = بحث
search-saved-replies-none = لا يوجد رد محفوظ مطابق.
search-macro-apply-title = تطبيق: التغييرات فورًا، والنص في ردّك
search-macro-apply = تطبيق { $title }
search-macro-then-adds = ؛ ثم يضيف إلى ردّك:

## Macros and saved replies (admin)
search-replies-title = وحدات الماكرو والردود المحفوظة
search-replies-intro = الرد المحفوظ نص يُدرج في مربع الرد؛ أما الماكرو فيغيّر التذكرة أيضًا عند تطبيقه.
search-replies-placeholders = العناصر النائبة:
search-replies-yours = الخاصة بك
search-replies-yours-none = لا يوجد شيء بعد: ما تضيفه أدناه كخاص لا يراه غيرك.
search-replies-shared = المشتركة
search-replies-shared-none = لا يوجد شيء بعد.
search-replies-new = ماكرو أو رد محفوظ جديد
search-replies-personal = لي فقط (خاص)
search-replies-personal-note = سيكون خاصًا بك وحدك؛ يضيف القادة والمسؤولون العناصر المشتركة.
search-replies-add = إضافة
search-reply-title = العنوان
search-reply-text = النص
search-reply-shared-note = شاركه قائد فريق أو مسؤول؛ استخدمه من مربع الرد في التذكرة أو من شريط الإجراءات الجماعية.
search-used-times = { $count ->
    [zero] لم يُستخدم بعد
    [one] استُخدم مرة واحدة
    [two] استُخدم مرتين
    [few] استُخدم { $count } مرات
    [many] استُخدم { $count } مرة
   *[other] استُخدم { $count } مرة
}
search-macro-legend = عند التطبيق (ماكرو)
search-no-change = (بلا تغيير)
search-priority = الأولوية
search-assign = الإسناد
search-assign-me = إلى من يطبّقه
search-assign-none = إلغاء الإسناد
search-add-tags = إضافة وسوم
search-remove-tags = إزالة وسوم
search-internal-note = ملاحظة داخلية
search-follow = متابعة التذكرة

## What a macro does (its summary)
search-action-status = الحالة ← { $status }
search-action-priority = الأولوية ← { $priority }
search-action-assign-me = الإسناد إليّ
search-action-unassign = إلغاء الإسناد
search-action-assign-agent = الإسناد إلى موظف الدعم { $agent }
search-action-add-tags = إضافة الوسوم { $tags }
search-action-remove-tags = إزالة الوسوم { $tags }
search-action-team = النقل إلى الفريق { $team }
search-action-note = إضافة ملاحظة داخلية
search-action-follow = متابعة التذكرة
search-action-separator = {"، "}

## Search parameters and macro forms (form errors)
search-error-date = يجب أن يكون تاريخًا (YYYY-MM-DD) أو وقتًا بصيغة RFC 3339
search-error-too-long = { $max ->
    [zero] طويل جدًا
    [one] طويل جدًا (الحد الأقصى حرف واحد)
    [two] طويل جدًا (الحد الأقصى حرفان)
    [few] طويل جدًا (الحد الأقصى { $max } أحرف)
    [many] طويل جدًا (الحد الأقصى { $max } حرفًا)
   *[other] طويل جدًا (الحد الأقصى { $max } حرف)
}
search-error-single-line = يجب أن يكون سطرًا واحدًا
search-error-status = يجب أن تكون إحدى القيم: { $choices }
search-error-customer = يجب أن يكون معرّف عميل أو بريدًا إلكترونيًا
search-error-team = يجب أن يكون معرّف فريق أو اسمه
search-error-to-after-from = يجب أن يكون بعد تاريخ البداية
search-error-solved = يجب أن تكون القيمة true أو false
search-error-sort = يجب أن تكون القيمة relevance أو date
search-error-limit = يجب أن يكون بين { $min } و{ $max }
search-error-offset = يجب أن يكون بين { $min } و{ $max }
search-error-message-id = ليس معرّف رسالة
search-error-not-a-team = ليس فريقًا موجودًا
search-error-at-most-chars = { $max ->
    [zero] يجب ألا يتجاوز { $max } حرف
    [one] يجب ألا يتجاوز حرفًا واحدًا
    [two] يجب ألا يتجاوز حرفين
    [few] يجب ألا يتجاوز { $max } أحرف
    [many] يجب ألا يتجاوز { $max } حرفًا
   *[other] يجب ألا يتجاوز { $max } حرف
}
search-error-required = حقل مطلوب
search-error-title-used = مستخدم بالفعل في ماكرو آخر
search-error-assign = يجب أن تكون القيمة me أو none أو معرّف موظف دعم
search-error-title-one-line = { $max ->
    [zero] يجب أن يكون سطرًا واحدًا
    [one] يجب أن يكون سطرًا واحدًا لا يتجاوز حرفًا واحدًا
    [two] يجب أن يكون سطرًا واحدًا لا يتجاوز حرفين
    [few] يجب أن يكون سطرًا واحدًا لا يتجاوز { $max } أحرف
    [many] يجب أن يكون سطرًا واحدًا لا يتجاوز { $max } حرفًا
   *[other] يجب أن يكون سطرًا واحدًا لا يتجاوز { $max } حرف
}
search-error-body-required = حقل مطلوب (أو حدّد إجراءات الماكرو)
