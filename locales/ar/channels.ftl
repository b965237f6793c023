# channels: messaging gateways (SMS, chat, social) at /admin/channels, their inbound webhooks and replies

channels-title = القنوات
channels-admin-index-about = اربط بوابات الرسائل القصيرة والدردشة والشبكات الاجتماعية: تصبح رسائلها تذاكر، وتعود ردود الوكلاء عبرها.
channels-intro = كل قناة بوابة واحدة. تصل رسائلها موقّعة إلى عنوان الاستقبال الخاص بالقناة وتمرّ بمسار الاستقبال نفسه الذي يمرّ به البريد ونموذج الويب؛ وتُرسَل الردود العامة للوكلاء على تذاكرها إلى البوابة، مع إعادة المحاولة حتى تقبلها.
channels-none = لا توجد قنوات بعد.
channels-back = → كل القنوات
channels-add = ربط قناة
channels-add-button = ربط
channels-edit = تغيير هذه القناة
channels-save = حفظ
channels-delete = حذف هذه القناة
channels-docs = كيف ترسل البوابة الرسائل وتستقبل الردود: docs/channels.md.
channels-col-state = الحالة
channels-state-active = مفعّلة
channels-state-inactive = معطّلة
channels-inbound-url = عنوان الاستقبال
channels-secrets-once = تظهر هذه المفاتيح السرية الآن فقط. انسخها إلى البوابة:
channels-adapter-generic = عامّ (خطاف JSON الخاص بـ Casebook)
channels-adapter-twilio = Twilio

# Fields
channels-field-slug = المعرّف المختصر
channels-field-slug-help = جزء من عناوين القناة: أحرف لاتينية صغيرة وأرقام وشرطات.
channels-field-name = الاسم
channels-field-kind = النوع
channels-field-adapter = صيغة البوابة
channels-field-adapter-help = عامّ: أي بوابة مع محوّل صغير كما يصفه التوثيق. Twilio: خطاف الرسائل وواجهة Messages الخاصة بـ Twilio. لا يمكن تغييرها لاحقًا.
channels-field-reply-url = عنوان الردود
channels-field-inbound-secret = المفتاح السري للاستقبال
channels-field-new-inbound-secret = مفتاح سري جديد للاستقبال (اتركه فارغًا للإبقاء عليه)
channels-field-reply-secret = المفتاح السري للردود
channels-field-new-reply-secret = مفتاح سري جديد للردود (اتركه فارغًا للإبقاء عليه)
channels-field-secret-help = { $min } حرفًا على الأقل؛ اتركه فارغًا ليُنشأ لك واحد.
channels-field-twilio-sid = معرّف الحساب (SID)
channels-field-twilio-token = رمز المصادقة
channels-field-new-twilio-token = رمز مصادقة جديد (اتركه فارغًا للإبقاء عليه)
channels-field-twilio-from = الرقم الذي تُرسل منه الردود
channels-field-twilio-base = العنوان الأساسي للواجهة البرمجية
channels-field-allow-private = السماح بالردود إلى العناوين الخاصة وعناوين الاسترجاع
channels-field-active = مفعّلة (تستقبل الرسائل وترسل الردود)

# Errors
channels-error-slug = يجب أن يتكوّن من 1 إلى { $max } من الأحرف اللاتينية الصغيرة أو الأرقام أو الشرطات، ولا يبدأ بشرطة
channels-error-slug-taken = هناك قناة أخرى تستخدم المعرّف المختصر { $slug }
channels-error-kind = يجب أن يكون أحد: sms أو chat أو social
channels-error-adapter = يجب أن يكون generic أو twilio
channels-error-adapter-fixed = لا يمكن تغييره؛ اربط قناة جديدة بدلًا من ذلك
channels-error-from = يلزم رقم هاتف أو اسم مستخدم أو بريد إلكتروني
channels-error-base64 = ليس بترميز base64
channels-error-attachment = يلزم data (بترميز base64) أو url
channels-error-replay = استُلم هذا التسليم من قبل (توقيع مُعاد)؛ وقّع كل تسليم من جديد
channels-error-twilio-signature = ترويسة X-Twilio-Signature مفقودة أو لا تطابق هذا الطلب
channels-subject-fallback = رسالة عبر { $channel }

# On the ticket page
agent-message-via = عبر { $channel }
agent-message-via-gateway = عبر { $channel } ({ $name })
channels-delivery-failed = لم تُسلَّم إلى القناة: { $error }
channels-delivery-queued = في انتظار الإرسال إلى القناة
channels-delivery-retrying = آخر محاولة: { $error }؛ ستُعاد المحاولة
channels-delivery-sent = أُرسلت عبر القناة
channel-sms = رسالة قصيرة
channel-chat = دردشة
channel-social = شبكات اجتماعية

# Threading
thread-gateway-conversation = تستمر المحادثة { $id } من القناة في تذكرتها المفتوحة
thread-gateway-recent = تذكرة العميل المفتوحة رقم { $ticket } على هذه القناة (تغيّرت خلال { $days } أيام)
