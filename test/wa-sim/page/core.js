// wa-sim page, part 1: the data model WhatsApp Web exposes to whatsapp-web.js.
// Backbone-like events, models and collections, WhatsApp ids (Wid) and message keys (MsgKey).
// The page files are concatenated into one IIFE by test/wa-sim/index.ts; they share its scope.

const listeners = new WeakMap();

/** Backbone-style events: `on('a b', fn)` registers for several names at once. */
class Emitter {
  on(names, fn, ctx) {
    if (typeof fn !== 'function') return this;
    let map = listeners.get(this);
    if (!map) listeners.set(this, (map = new Map()));
    for (const name of String(names).split(/\s+/).filter(Boolean)) {
      if (!map.has(name)) map.set(name, []);
      map.get(name).push({ fn, ctx });
    }
    return this;
  }
  once(names, fn, ctx) {
    const wrapper = (...args) => {
      this.off(names, wrapper);
      fn.apply(ctx, args);
    };
    return this.on(names, wrapper, ctx);
  }
  off(names, fn) {
    const map = listeners.get(this);
    if (!map) return this;
    const all = names ? String(names).split(/\s+/).filter(Boolean) : [...map.keys()];
    for (const name of all) {
      if (!fn) map.delete(name);
      else map.set(name, (map.get(name) || []).filter((l) => l.fn !== fn));
    }
    return this;
  }
  listenerCount(name) {
    return (listeners.get(this)?.get(name) || []).length;
  }
  trigger(name, ...args) {
    for (const l of [...(listeners.get(this)?.get(name) || [])]) {
      // A listener that throws must not stop the others (the library's handlers can reject).
      try {
        const r = l.fn.apply(l.ctx, args);
        if (r && typeof r.catch === 'function') r.catch((e) => simLog('listener', name, e));
      } catch (e) {
        simLog('listener', name, e);
      }
    }
    return this;
  }
}

function simLog(...parts) {
  // Kept short: visible in the page console when a test needs to debug the simulator.
  console.warn('[wa-sim]', ...parts.map((p) => (p instanceof Error ? p.message : p)));
}

class SimError extends Error {
  constructor(message, name) {
    super(message);
    if (name) this.name = name;
  }
}

/** A WhatsApp id: `user@server`, e.g. `962781523783@c.us`, `1203…@g.us`, `status@broadcast`. */
class Wid {
  constructor(serialized) {
    const m = /^([^@:]+)(?::(\d+))?@(c\.us|g\.us|s\.whatsapp\.net|lid|broadcast|newsletter)$/.exec(String(serialized));
    if (!m) throw new SimError(`invalid wid: ${serialized}`, 'WidError');
    const server = m[3] === 's.whatsapp.net' ? 'c.us' : m[3];
    this.server = server;
    this.user = m[1];
    if (m[2]) this.device = Number(m[2]);
    this._serialized = `${m[1]}@${server}`;
  }
  isUser() { return this.server === 'c.us' || this.server === 'lid'; }
  isLid() { return this.server === 'lid'; }
  isGroup() { return this.server === 'g.us'; }
  isStatus() { return this.user === 'status' && this.server === 'broadcast'; }
  isBroadcast() { return this.server === 'broadcast'; }
  isNewsletter() { return this.server === 'newsletter'; }
  equals(other) { return !!other && toKey(other) === this._serialized; }
  toString() { return this._serialized; }
  toJid() { return this.server === 'c.us' ? `${this.user}@s.whatsapp.net` : this._serialized; }
  // WhatsApp Web's ids turn into their string form in JSON (what exposed callbacks receive).
  toJSON() { return this._serialized; }
}

/** Any id-like thing (string, Wid, MsgKey, `{_serialized}`) as its string key. */
function toKey(id) {
  if (id == null) return '';
  if (typeof id === 'string') return id;
  if (typeof id === 'object' && typeof id._serialized === 'string') return id._serialized;
  return String(id);
}

function createWid(id) {
  if (id instanceof Wid) return id;
  const key = toKey(id);
  if (!key) throw new SimError('a wid is required', 'WidError');
  if (!key.includes('@')) throw new SimError(`invalid wid: ${key}`, 'WidError');
  return new Wid(key);
}

function randomHex(n) {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(n / 2)));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').slice(0, n).toUpperCase();
}

/** A message key; its `_serialized` form is `fromMe_remote_id[_participant]`. */
class MsgKey {
  constructor({ from, to, id, participant, selfDir, fromMe, remote }) {
    if (typeof id !== 'string' || !id) throw new SimError('a message key needs an id');
    this.fromMe = selfDir !== undefined ? selfDir === 'out' : Boolean(fromMe);
    this.remote = createWid(remote ?? (this.fromMe ? to : from));
    this.id = id;
    if (participant) this.participant = createWid(participant);
    this._serialized = `${this.fromMe}_${this.remote._serialized}_${id}${this.participant ? `_${this.participant._serialized}` : ''}`;
  }
  toString() { return this._serialized; }
  equals(other) { return toKey(other) === this._serialized; }
  /** Web-client message ids: `3EB0` + 16 hex digits. */
  static async newId() { return `3EB0${randomHex(16)}`; }
  static fromString(s) {
    const parts = String(s).split('_');
    if (parts.length < 3 || !['true', 'false'].includes(parts[0])) throw new SimError(`invalid message id: ${s}`);
    return new MsgKey({ fromMe: parts[0] === 'true', remote: parts[1], id: parts[2], participant: parts[3] });
  }
}

/** Attributes live as own enumerable properties, as WhatsApp Web's models expose them. */
class Model extends Emitter {
  constructor(attrs = {}) {
    super();
    Object.defineProperty(this, '_collections', { value: new Set(), enumerable: false });
    Object.assign(this, attrs);
  }
  get(key) { return this[key]; }
  set(keyOrAttrs, value) {
    const attrs = typeof keyOrAttrs === 'string' ? { [keyOrAttrs]: value } : keyOrAttrs || {};
    let changed = false;
    for (const [k, v] of Object.entries(attrs)) {
      const prev = this[k];
      if (prev === v) continue;
      this[k] = v;
      changed = true;
      this.emitAll(`change:${k}`, this, v, prev);
    }
    if (changed) this.emitAll('change', this);
    return this;
  }
  /** Fire on the model and on every collection holding it (Backbone's event bubbling). */
  emitAll(name, ...args) {
    this.trigger(name, ...args);
    for (const c of this._collections) c.trigger(name, ...args);
  }
  serialize() {
    const out = {};
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Collection || typeof v === 'function') continue;
      out[k] = v instanceof Model ? v.serialize() : v;
    }
    return out;
  }
  toJSON() { return this.serialize(); }
  unsafe() { return this; }
}

/** Non-serialized model state (chat.msgs, msg.mediaData …) stays off the enumerable attributes. */
function hidden(obj, key, value) {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: false, configurable: true });
}

class Collection extends Emitter {
  constructor(modelClass = Model, { sort } = {}) {
    super();
    this.modelClass = modelClass;
    this._models = [];
    hidden(this, '_byId', new Map());
    hidden(this, '_sort', sort);
  }
  get length() { return this._models.length; }
  get(id) { return this._byId.get(toKey(id)); }
  has(id) { return this._byId.has(toKey(id)); }
  add(models, { at, silent } = {}) {
    const list = Array.isArray(models) ? models : [models];
    const added = [];
    for (let m of list) {
      if (!(m instanceof Model)) m = new this.modelClass(m);
      const key = toKey(m.id);
      if (this._byId.has(key)) continue;
      this._byId.set(key, m);
      if (at === 0) this._models.unshift(m);
      else this._models.push(m);
      m._collections.add(this);
      added.push(m);
    }
    if (!silent) for (const m of added) this.trigger('add', m, this);
    return Array.isArray(models) ? added : added[0];
  }
  remove(model) {
    const m = this.get(model?.id ?? model);
    if (!m) return undefined;
    this._byId.delete(toKey(m.id));
    this._models = this._models.filter((x) => x !== m);
    m._collections.delete(this);
    this.trigger('remove', m, this);
    return m;
  }
  getModelsArray() {
    const arr = [...this._models];
    return this._sort ? arr.sort(this._sort) : arr;
  }
  toArray() { return this.getModelsArray(); }
  forEach(fn) { this.getModelsArray().forEach(fn); }
  filter(fn) { return this.getModelsArray().filter(fn); }
  map(fn) { return this.getModelsArray().map(fn); }
  serialize() { return this.getModelsArray().map((m) => m.serialize()); }
  async find(id) { return this.get(id); }
  async update(id) { return this.get(id); }
}
