# crm

## Customer list and search
crm-customers-title = العملاء
crm-search-placeholder = الاسم أو المؤسسة أو البريد الإلكتروني أو الهاتف أو المعرّف الخارجي
crm-likely-duplicates = تكرارات محتملة
crm-no-customers = لم يُعثر على أي عميل.
crm-col-name = الاسم
crm-organization = المؤسسة
crm-col-email = البريد الإلكتروني
crm-col-tickets = التذاكر
crm-col-since = منذ
crm-older-customers = عملاء أقدم ←
crm-no-name = (بلا اسم)

## Likely duplicates
crm-duplicates-heading = عملاء مكررون على الأرجح
crm-duplicates-intro = عملاء يشتركون في معرّف خارجي أو رقم هاتف، أو لهم الاسم نفسه وعنوان بريد إلكتروني في النطاق نفسه. يؤدي الدمج إلى نقل الهويات والتذاكر وأحداث CRM إلى العميل الذي يُحتفظ به، ويمكن التراجع عنه لفترة من صفحة العميل.
crm-duplicates-none = لا توجد تكرارات محتملة.
crm-col-customer = العميل
crm-col-looks-like = يشبه
crm-col-why = السبب
crm-merge = دمج
crm-keep-and-merge = الإبقاء على #{ $keep } ودمج #{ $merge } فيه
crm-reason-external-id = المعرّف الخارجي نفسه
crm-reason-phone = رقم الهاتف نفسه
crm-reason-name-domain = الاسم ونطاق البريد الإلكتروني نفسهما

## The customer page: identities, organization, merge and merge history
crm-merged-into = دُمج هذا العميل في { $customer }.
crm-customer-number = العميل #{ $id }
crm-identities = الهويات
crm-identity-phone = الهاتف
crm-identity-external = المعرّف الخارجي
crm-identity-former = (سابق)
crm-identity-value = القيمة
crm-retire = إيقاف
crm-retire-title = الاحتفاظ به كجهة اتصال سابقة (يظل مطابقًا للبريد الوارد)
crm-retired-since = منذ { $date }
crm-add = إضافة
crm-merge-into-this = الدمج في هذا العميل
crm-merge-from-label = دمج عميل آخر في هذا العميل (معرّفه)
crm-merge-history = سجل الدمج
crm-merge-record = دُمج { $from } في { $into }
crm-merge-moved = نُقل: { $identities ->
        [zero] لا هويات
        [one] هوية واحدة
        [two] هويتان
        [few] { $identities } هويات
        [many] { $identities } هوية
       *[other] { $identities } هوية
    }، { $tickets ->
        [zero] لا تذاكر
        [one] تذكرة واحدة
        [two] تذكرتان
        [few] { $tickets } تذاكر
        [many] { $tickets } تذكرة
       *[other] { $tickets } تذكرة
    }، { $events ->
        [zero] لا أحداث CRM
        [one] حدث CRM واحد
        [two] حدثا CRM
        [few] { $events } أحداث CRM
        [many] { $events } حدثًا في CRM
       *[other] { $events } حدث CRM
    }
crm-merge-undone = تم التراجع عنه { $time }
crm-undo = تراجع
crm-undo-until = حتى { $time }

## Form errors
crm-error-kind = نوع غير معروف
crm-error-identity-kind = يجب أن تكون إحدى القيم: { $choices }
crm-error-customer-id = يجب أن يكون معرّف عميل

# التحقق من هويات العملاء والمؤسسة وعمليات الدمج.
crm-err-phone = يجب أن يكون رقم هاتف (أرقام، ويمكن أن يبدأ بعلامة +)
crm-err-phone-digits = يجب أن يتكوّن من 6 إلى 15 رقمًا
crm-err-single-line = يجب أن يكون سطرًا واحدًا من 1 إلى { $max } حرف
crm-err-address-taken = { $value } يخص العميل #{ $owner }؛ ادمج العميلين بدلًا من ذلك
crm-err-too-long = طويل جدًا (بحد أقصى { $max } حرف)
crm-err-merged-into = تم دمج العميل #{ $id } في العميل #{ $into }
crm-err-merge-self = يجب أن يكون عميلًا غير العميل الذي يتم الدمج فيه
crm-err-no-such-customer = لا يوجد عميل بهذا الرقم
crm-err-merge-undone = تم التراجع عن هذا الدمج بالفعل
crm-err-undo-window = انتهت مهلة التراجع عن هذا الدمج
crm-err-merged-away = تم دمج العميل #{ $into } في عميل آخر منذ ذلك الحين؛ تراجع عن ذلك الدمج أولًا
