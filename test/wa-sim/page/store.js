// wa-sim page, part 2: the account's state (chats, messages, contacts, media, votes) and its
// persistence in the browser profile's IndexedDB, as the real site keeps its session there.

const CONFIG = Object.assign(
  { version: '2.3000.1999999999', qrIntervalMs: 20000, serverAckMs: 150, syncDelayMs: 200, recentPerChat: 20, platform: 'android' },
  window.__WA_SIM_CONFIG__ || {},
);

/** Messages a restored chat keeps loaded; older ones come through loadEarlierMsgs. */
const EARLIER_BATCH = 50;

class MsgModel extends Model {
  constructor(attrs) {
    super(attrs);
    hidden(this, 'mediaData', attrs.directPath ? { mediaStage: 'RESOLVED' } : undefined);
  }
  get mediaObject() { return this.directPath ? media.get(this.directPath) : undefined; }
  msgContextInfo() {
    return {
      quotedMsg: { type: this.type, body: this.body, caption: this.caption },
      quotedStanzaID: this.id.id,
      quotedParticipant: this.author || this.from,
      quotedRemoteJid: this.id.remote,
    };
  }
  canReply() { return true; }
  async downloadMedia() { return this.mediaData; }
}

class MuteModel extends Model {
  constructor(chat) {
    super({ expiration: chat.muteExpiration || 0 });
    hidden(this, 'chat', chat);
  }
  async mute({ expiration }) { setMute(this.chat, expiration); }
  async unmute() { setMute(this.chat, 0); }
}

class ChatModel extends Model {
  constructor(attrs) {
    super({ unreadCount: 0, t: 0, archive: false, pin: 0, isLocked: false, muteExpiration: 0, isReadOnly: false, notSpam: true, ...attrs });
    hidden(this, 'msgs', new Collection(MsgModel));
    hidden(this, 'earlier', []); // stored messages not yet loaded, oldest first
    hidden(this, 'mute', new MuteModel(this));
    hidden(this, 'groupMetadata', this.id.isGroup() ? new Model({ id: this.id, participants: [], announce: false, subject: this.name || '' }) : undefined);
    hidden(this, 'lastReceivedKey', undefined);
  }
  get formattedTitle() {
    if (this.name) return this.name;
    const contact = Store.Contact.get(this.id);
    return contact?.name || contact?.pushname || `+${this.id.user}`;
  }
  serialize() {
    const out = super.serialize();
    out.isMuted = this.muteExpiration !== 0;
    out.msgs = this.msgs.getModelsArray().map((m) => m.id._serialized);
    return out;
  }
}

class ContactModel extends Model {}

const Store = {
  Msg: new Collection(MsgModel),
  Chat: new Collection(ChatModel, { sort: (a, b) => b.t - a.t }),
  Contact: new Collection(ContactModel),
  GroupMetadata: new Collection(Model),
  Label: new Collection(Model),
  Status: new Collection(Model),
  Blocklist: new Collection(Model),
  BusinessProfile: new Collection(Model),
  ProfilePicThumb: new Collection(Model),
  WAWebNewsletterCollection: new Collection(Model),
};

/** directPath → { mimetype, data (base64), filename, size } — the simulated media server. */
const media = new Map();
/** poll message id → Map(voter → vote row) */
const pollVotes = new Map();
/** Phone-side settings the tests control (persisted with the account). */
const phoneSide = { unregistered: new Set(), pictures: new Map(), seen: new Map() };

function setMute(chat, expiration) {
  const exp = Number(expiration);
  if (!Number.isInteger(exp) || exp < -1) throw new SimError(`bad mute expiration: ${expiration}`);
  chat.mute.set('expiration', exp);
  chat.set('muteExpiration', exp);
  scheduleSave();
}

function ensureContact(wid, pushname) {
  let c = Store.Contact.get(wid);
  if (!c) {
    c = Store.Contact.add(new ContactModel({ id: wid, pushname: pushname || undefined, isBusiness: false, isEnterprise: false, type: 'in' }));
  } else if (pushname && c.pushname !== pushname) {
    c.set('pushname', pushname);
  }
  return c;
}

function ensureChat(widLike, attrs = {}) {
  const wid = createWid(widLike);
  let chat = Store.Chat.get(wid);
  if (!chat) {
    if (wid.isUser()) ensureContact(wid);
    chat = Store.Chat.add(new ChatModel({ id: wid, t: Math.floor(Date.now() / 1000), ...attrs }));
    scheduleSave();
  }
  return chat;
}

/** Add a message to the global and chat collections (fires the library's `add` listener). */
function addMessage(chat, attrs) {
  const msg = new MsgModel(attrs);
  Store.Msg.add(msg);
  chat.msgs.add(msg);
  chat.lastReceivedKey = msg.id;
  if (msg.t > chat.t) chat.set('t', msg.t);
  scheduleSave();
  return msg;
}

function findMessage(id) {
  const key = toKey(id);
  const loaded = Store.Msg.get(key);
  if (loaded) return loaded;
  for (const chat of Store.Chat.getModelsArray()) {
    const stored = chat.earlier.find((m) => m.id === key);
    if (stored) return new MsgModel(fromStoredMsg(stored));
  }
  return undefined;
}

/** As on the real site, looking a contact up creates it (with no name known yet). */
Store.Contact.find = async (id) => ensureContact(createWid(id));

/** Messages by serialized id, loaded or not (the library's fallback when Msg.get misses). */
Store.Msg.getMessagesById = async (ids) => ({ messages: (Array.isArray(ids) ? ids : []).map(findMessage).filter(Boolean) });

/** The message a reply quotes, found by the quoted stanza id within the same chat. */
function getQuotedMsgObj(msg) {
  if (!msg || !msg.quotedStanzaID) return undefined;
  const remote = toKey(msg.quotedRemoteJid || msg.id.remote);
  for (const fromMe of [true, false]) {
    const participant = msg.quotedParticipant && remote.endsWith('@g.us') && !fromMe ? `_${toKey(msg.quotedParticipant)}` : '';
    const found = findMessage(`${fromMe}_${remote}_${msg.quotedStanzaID}${participant}`);
    if (found) return found;
  }
  return undefined;
}

// ---- persistence -------------------------------------------------------------------------
// One IndexedDB database ("wawc", the name the real site uses) with a key-value store.

const DB_NAME = 'wawc';
let dbPromise = null;

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore('sim');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    }).catch((e) => {
      simLog('IndexedDB unavailable, state kept in memory only', e);
      return null;
    });
  }
  return dbPromise;
}

async function dbOp(mode, fn) {
  const db = await openDb();
  if (!db) return undefined;
  return new Promise((resolve, reject) => {
    // "strict" so a pairing survives the browser being closed right after.
    const tx = db.transaction('sim', mode, { durability: 'strict' });
    const req = fn(tx.objectStore('sim'));
    tx.oncomplete = () => resolve(req?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

const dbGet = (key) => dbOp('readonly', (s) => s.get(key));
const dbPut = (key, value) => dbOp('readwrite', (s) => s.put(value, key));
const dbClear = () => dbOp('readwrite', (s) => s.clear());

function toStoredMsg(m) {
  const out = {};
  for (const [k, v] of Object.entries(m)) {
    if (typeof v === 'function') continue;
    out[k] = v instanceof Wid || v instanceof MsgKey ? v._serialized : v;
  }
  out.isNewMsg = false;
  return out;
}

function fromStoredMsg(s) {
  const m = { ...s, id: MsgKey.fromString(s.id) };
  for (const k of ['from', 'to', 'author']) if (typeof s[k] === 'string') m[k] = createWid(s[k]);
  return m;
}

function snapshot() {
  const chats = Store.Chat.getModelsArray().map((c) => ({
    attrs: { ...c.serialize(), id: c.id._serialized, msgs: undefined, isMuted: undefined },
    msgs: [...c.earlier, ...c.msgs.getModelsArray().map(toStoredMsg)],
  }));
  const contacts = Store.Contact.getModelsArray().map((c) => ({ ...c.serialize(), id: c.id._serialized }));
  return {
    chats,
    contacts,
    media: [...media.entries()],
    votes: [...pollVotes.entries()].map(([k, v]) => [k, [...v.entries()]]),
    phoneSide: { unregistered: [...phoneSide.unregistered], pictures: [...phoneSide.pictures.entries()], seen: [...phoneSide.seen.entries()] },
  };
}

let saveTimer = null;
let savingEnabled = false;
function scheduleSave() {
  if (!savingEnabled || saveTimer) return;
  saveTimer = setTimeout(() => {
    saveTimer = null;
    if (!savingEnabled) return;
    dbPut('models', snapshot()).catch((e) => simLog('save failed', e));
  }, 50);
}

function restore(snap) {
  if (!snap) return;
  for (const c of snap.contacts || []) Store.Contact.add(new ContactModel({ ...c, id: createWid(c.id) }), { silent: true });
  for (const { attrs, msgs } of snap.chats || []) {
    const chat = Store.Chat.add(new ChatModel({ ...attrs, id: createWid(attrs.id) }), { silent: true });
    chat.mute.expiration = chat.muteExpiration;
    const sorted = [...msgs].sort((a, b) => a.t - b.t);
    const recent = sorted.slice(-CONFIG.recentPerChat);
    chat.earlier = sorted.slice(0, sorted.length - recent.length);
    for (const s of recent) {
      const m = new MsgModel(fromStoredMsg(s));
      Store.Msg.add(m, { silent: true });
      chat.msgs.add(m, { silent: true });
      chat.lastReceivedKey = m.id;
    }
  }
  for (const [k, v] of snap.media || []) media.set(k, v);
  for (const [k, rows] of snap.votes || []) pollVotes.set(k, new Map(rows));
  const ps = snap.phoneSide || {};
  phoneSide.unregistered = new Set(ps.unregistered || []);
  phoneSide.pictures = new Map(ps.pictures || []);
  phoneSide.seen = new Map(ps.seen || []);
}

/** The real site's loadEarlierMsgs: the next older batch of a chat, added without `isNewMsg`. */
async function loadEarlierMsgs({ chat }) {
  if (!chat || !chat.earlier.length) return [];
  const batch = chat.earlier.splice(Math.max(0, chat.earlier.length - EARLIER_BATCH));
  const models = batch.map((s) => new MsgModel(fromStoredMsg(s)));
  for (const m of models) Store.Msg.add(m, { silent: true });
  chat.msgs.add([...models].reverse(), { at: 0, silent: true });
  return models;
}
