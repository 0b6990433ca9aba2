// Realistic synthetic chat history for the archive bench: mixed Arabic/English messages over
// slots and chats with Zipf-like word and chat frequencies, typing variants (missing hamza,
// harakat, tatweel, the article) and some media, documents and polls. Seeded, so runs compare.
import type { ArchivedMessage } from '../bridge/domain/index.js';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AR_FUNCTION = 'في من على الى إلى عن مع هذا هذه ان أن لا ما هل و يا بس كمان لسه عشان انا انت احنا هو هي'.split(' ');
const AR_CONTENT = (
  'مرحبا السلام عليكم كيف حالك شكرا جزيلا العافية موعد اجتماع غدا اليوم بكرة المستشفى المدرسة الجامعة سيارة بيت شقة ' +
  'إيجار فاتورة الكهرباء الماء طلب توصيل مطعم قهوة شاي سؤال رئيس مدير شركة عمل الدوام إجازة سفر الطيارة المطار فندق حجز ' +
  'دينار ريال السعر خصم عرض الدفع تحويل البنك حساب رقم الهاتف رسالة صورة الملف العنوان الخريطة الموقع الطريق زحمة ' +
  'الامتحان النتيجة الواجب المعلم الطالب الكتاب الدرس المكتبة الصف الحفلة العرس عيد رمضان كريم مبارك الجمعة الصلاة ' +
  'المسجد الغداء العشاء الفطور خبز لحمة دجاج رز سلطة فواكه السوق البقالة الصيدلية الدواء الطبيب عيادة مريض صحة ' +
  'الرياضة النادي مباراة كرة الفريق هدف الملعب تذكرة السينما فيلم مسلسل الحلقة الأخبار الطقس مطر شمس حر برد ' +
  'الشتاء الصيف ساعة دقيقة الأسبوع الشهر السنة الصباح المساء الليل مشكلة الحل مساعدة ضروري مهم عاجل انتظار ' +
  'وصلت خلصت رايح جاي اتصل ارسل استلمت الشحنة الطرد المندوب الكمية المخزن البضاعة العميل الزبون الموظف الراتب ' +
  'العقد التوقيع المحامي المحكمة الاوراق الجواز التأشيرة السفارة المعاملة الرسوم الضريبة الكشف المختبر التحليل ' +
  'مستشفى مسؤول مسؤولة رئيسة سؤالك مؤتمر مؤسسة هيئة قائمة جائزة مكافأة إعلان أسعار أخبار إبراهيم'
).split(' ');
const AR_NAMES = 'أحمد محمد فاطمة عائشة إبراهيم يوسف مريم خالد سارة ليلى عمر علي حسن زينب نور آمنة إسراء أسامة'.split(' ');
const AR_PLACES = 'عمان إربد الزرقاء العقبة الرياض جدة دبي القاهرة بيروت الدوحة'.split(' ');

const EN_FUNCTION = 'the a to and of in is it for on at with you i we be this that are please'.split(' ');
const EN_CONTENT = (
  'meeting tomorrow today invoice delivery order price thanks hello call office payment shipment package address ' +
  'location traffic exam result homework teacher student book lesson library party wedding birthday dinner lunch ' +
  'breakfast coffee tea market pharmacy medicine doctor clinic appointment hospital sports match football team goal ' +
  'ticket cinema movie episode news weather rain sunny hot cold winter summer hour minute week month year morning ' +
  'evening night problem solution help urgent important waiting arrived finished coming sent received courier ' +
  'quantity warehouse stock customer client employee salary contract signature lawyer court documents passport visa ' +
  'embassy fees tax report laboratory analysis flight airport hotel booking discount offer transfer bank account ' +
  'phone message photo file map road project deadline budget proposal presentation schedule confirm cancel update ' +
  'preferred supplier quotation receipt refund warranty repair maintenance electricity water internet router laptop'
).split(' ');
const EN_NAMES = 'John Sarah Omar Ahmed Maria David Lina Karim Emma Yusuf Noor Adam'.split(' ');

const HARAKAT = ['\u064E', '\u064F', '\u0650', '\u0651', '\u0652', '\u064B'];

/** Index of a Zipf-like (1/x) draw over n items. */
function zipf(r: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(Math.exp(r() * Math.log(n + 1))) - 1);
}

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

/** How people actually type: hamza dropped, harakat here and there, tatweel, ة as ه, ى as ي. */
function arabicVariant(r: () => number, word: string): string {
  let w = word;
  if (r() < 0.35) w = w.replace(/[أإآ]/g, 'ا');
  if (r() < 0.1) w = w.replace(/ة$/, 'ه');
  if (r() < 0.1) w = w.replace(/ى$/, 'ي');
  if (r() < 0.04) {
    const chars = [...w];
    w = chars.map((c, i) => (i < chars.length - 1 && r() < 0.5 ? c + pick(r, HARAKAT) : c)).join('');
  }
  if (r() < 0.02 && w.length > 3) w = w.slice(0, 2) + 'ـــ' + w.slice(2);
  return w;
}

function arabicSentence(r: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const roll = r();
    if (roll < 0.3) out.push(pick(r, AR_FUNCTION));
    else if (roll < 0.38) out.push(arabicVariant(r, pick(r, AR_NAMES)));
    else if (roll < 0.42) out.push(pick(r, AR_PLACES));
    else if (roll < 0.45) out.push(String(Math.floor(r() * 10_000)).replace(/\d/g, (d) => (r() < 0.3 ? String.fromCharCode(0x0660 + Number(d)) : d)));
    else out.push(arabicVariant(r, AR_CONTENT[zipf(r, AR_CONTENT.length)]!));
  }
  return out.join(' ');
}

function englishSentence(r: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const roll = r();
    if (roll < 0.3) out.push(pick(r, EN_FUNCTION));
    else if (roll < 0.38) out.push(pick(r, EN_NAMES));
    else if (roll < 0.42) out.push(String(Math.floor(r() * 10_000)));
    else {
      const w = EN_CONTENT[zipf(r, EN_CONTENT.length)]!;
      out.push(r() < 0.1 ? w[0]!.toUpperCase() + w.slice(1) : w);
    }
  }
  const s = out.join(' ');
  return r() < 0.3 ? s + pick(r, ['!', '?', '.', ' 🙂', ' 👍']) : s;
}

function body(r: () => number): string {
  const words = 2 + Math.floor(r() * r() * 24);
  const roll = r();
  if (roll < 0.6) return arabicSentence(r, words);
  if (roll < 0.9) return englishSentence(r, words);
  return `${arabicSentence(r, Math.ceil(words / 2))} ${englishSentence(r, Math.ceil(words / 2))}`;
}

export interface Corpus {
  slots: number;
  chats: { slot: number; chatId: string; name: string }[];
}

export function makeCorpus(r: () => number, slots: number, chatCount: number): Corpus {
  const chats = Array.from({ length: chatCount }, (_, i) => {
    const slot = (i % slots) + 1;
    const group = r() < 0.15;
    const chatId = group ? `1203630${String(4_000_000_000 + i)}@g.us` : `9627${String(90_000_000 + i * 37)}@c.us`;
    return { slot, chatId, name: r() < 0.5 ? pick(r, AR_NAMES) : pick(r, EN_NAMES) };
  });
  return { slots, chats };
}

/** The n-th message of the stream (messages come in time order). */
export function makeMessage(r: () => number, corpus: Corpus, n: number, timestamp: number): { slot: number; message: ArchivedMessage } {
  const chat = corpus.chats[zipf(r, corpus.chats.length)]!;
  const fromMe = r() < 0.45 ? 1 : 0;
  const id = `${fromMe ? 'true' : 'false'}_${chat.chatId}_3EB0${n.toString(16).toUpperCase().padStart(16, '0')}`;
  const base: ArchivedMessage = {
    id,
    chatId: chat.chatId,
    body: '',
    fromMe: fromMe as 0 | 1,
    timestamp,
    type: 'chat',
    hasMedia: 0,
    senderName: fromMe ? 'Me' : chat.name,
    ack: (fromMe ? 2 + Math.floor(r() * 3) : 1) as ArchivedMessage['ack'],
  };
  const roll = r();
  if (roll < 0.85) base.body = body(r);
  else if (roll < 0.92) Object.assign(base, { type: 'image', hasMedia: 1, mimetype: 'image/jpeg', caption: r() < 0.5 ? body(r) : null });
  else if (roll < 0.95) {
    const name = `${pick(r, ['invoice', 'contract', 'report', 'فاتورة', 'عقد', 'CV', 'quotation'])}_${2020 + Math.floor(r() * 6)}_${1 + Math.floor(r() * 12)}.pdf`;
    Object.assign(base, { type: 'document', hasMedia: 1, mimetype: 'application/pdf', filename: name });
  } else if (roll < 0.98) Object.assign(base, { type: 'ptt', hasMedia: 1, mimetype: 'audio/ogg; codecs=opus' });
  else if (roll < 0.99) Object.assign(base, { type: 'video', hasMedia: 1, mimetype: 'video/mp4', caption: r() < 0.3 ? body(r) : null });
  else {
    const options = Array.from({ length: 2 + Math.floor(r() * 3) }, (_, i) => `${pick(r, [...EN_CONTENT.slice(0, 40), ...AR_CONTENT.slice(0, 40)])} ${i + 1}`);
    Object.assign(base, { type: 'poll', body: `${body(r)}?`, pollOptions: options });
  }
  return { slot: chat.slot, message: base };
}

/** What people type into a search box: content words and names (never function words), pairs, and half-typed words. */
export function makeQueries(r: () => number, count: number): string[] {
  const queries: string[] = [];
  const content = [...AR_CONTENT, ...AR_NAMES, ...AR_PLACES, ...EN_CONTENT, ...EN_NAMES];
  while (queries.length < count) {
    const roll = r();
    const w = pick(r, content);
    const arabic = /[\u0600-\u06FF]/.test(w);
    if (roll < 0.5) queries.push(arabic ? arabicVariant(r, w) : w.toLowerCase());
    else if (roll < 0.75) {
      const pool = arabic ? AR_CONTENT : EN_CONTENT;
      queries.push(`${w} ${pick(r, pool)}`);
    } else {
      const chars = [...w];
      if (chars.length < 5) continue;
      queries.push(chars.slice(0, 3 + Math.floor(r() * (chars.length - 3))).join(''));
    }
  }
  return queries;
}
