// wa-sim page, part 3: the connection and login life cycle — socket states, the QR ref that
// refreshes, pairing, the history sync that ends in `hasSynced`, logout.

const Socket = new Model({ state: 'OPENING', hasSynced: false, stream: 'DISCONNECTED' });
const Conn = new Model({ ref: null, pushname: undefined, platform: CONFIG.platform, battery: 100, plugged: true, phone: undefined });
const Cmd = new Emitter();
const Stream = new Model({ available: false });

const session = {
  keys: null, // { staticPub, identityPub, advSecret } (base64)
  me: null, // { phone, pushname, device }
  qrTimer: null,
  refs: 0,
  offlineProgress: 0,
  syncStarted: false,
};

function b64(bytes) {
  return btoa(String.fromCharCode(...bytes));
}

async function loadKeys() {
  let keys = await dbGet('keys').catch(() => undefined);
  if (!keys) {
    const rnd = (n) => b64(crypto.getRandomValues(new Uint8Array(n)));
    keys = { staticPub: rnd(32), identityPub: rnd(32), advSecret: rnd(32) };
    await dbPut('keys', keys).catch((e) => simLog('keys not saved', e));
  }
  session.keys = keys;
}

const meWid = () => (session.me ? new Wid(`${session.me.phone}@c.us`) : null);
const meLid = () => (session.me ? new Wid(`${session.me.lid}@lid`) : null);

function setState(state) {
  Socket.set('state', state);
  render();
}

function newRef() {
  session.refs += 1;
  return `2@${b64(crypto.getRandomValues(new Uint8Array(48)))}`;
}

function refreshQr() {
  if (session.me) throw new SimError('already paired: no QR to refresh');
  Conn.set('ref', newRef());
  render();
  return Conn.ref;
}

function startQr() {
  stopQr();
  Conn.set('ref', newRef());
  session.qrTimer = setInterval(() => Conn.set('ref', newRef()) && render(), CONFIG.qrIntervalMs);
  render();
}

function stopQr() {
  if (session.qrTimer) clearInterval(session.qrTimer);
  session.qrTimer = null;
}

/** What the library encodes in the QR image (see Client.inject's getQR). */
function currentQrString() {
  if (!Conn.ref || !session.keys) return null;
  return [Conn.ref, session.keys.staticPub, session.keys.identityPub, session.keys.advSecret, DEVICE_PLATFORM].join(',');
}

/** The phone scanned: PAIRING → OPENING → CONNECTED, the pairing saved, then history sync. */
async function pair({ phone, pushname, qr } = {}) {
  if (session.me) throw new SimError('already paired');
  if (Socket.state !== 'UNPAIRED' && Socket.state !== 'UNPAIRED_IDLE') throw new SimError(`no QR shown (state ${Socket.state})`);
  if (qr !== undefined && String(qr).split(',')[0] !== Conn.ref) throw new SimError('QR expired: that ref is no longer shown');
  const digits = String(phone ?? '15550000001').replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) throw new SimError(`bad phone: ${phone}`);
  stopQr();
  session.me = { phone: digits, pushname: pushname || 'Sim User', device: 1 + Math.floor(Math.random() * 20), lid: `9${digits.slice(-10)}` };
  setState('PAIRING');
  await dbPut('me', session.me);
  localStorage.setItem('last-wid-md', JSON.stringify(`${digits}:${session.me.device}@c.us`));
  await delay(50);
  setState('OPENING');
  await delay(50);
  connected();
  return meWid()._serialized;
}

function connected() {
  Conn.set({ pushname: session.me.pushname, wid: meWid() });
  ensureContact(meWid(), session.me.pushname);
  savingEnabled = true;
  setState('CONNECTED');
  Socket.set('stream', 'CONNECTED');
  startSync();
}

/**
 * The history sync. The library attaches its `change:hasSynced` listener only after it has seen
 * the socket leave OPENING; the real site takes seconds to sync, so wait for that listener.
 */
async function startSync() {
  if (session.syncStarted) return;
  session.syncStarted = true;
  for (const p of [25, 60, 100]) {
    await delay(CONFIG.syncDelayMs / 3);
    session.offlineProgress = p;
    Cmd.trigger('offline_progress_update_from_bridge');
  }
  const deadline = Date.now() + 60000;
  while (Socket.listenerCount('change:hasSynced') === 0 && Date.now() < deadline) await delay(50);
  Socket.set('hasSynced', true);
  render();
}

/** Forget the pairing (phone-side logout or Socket.logout) and reload, as the real site does. */
async function logout({ fromPhone }) {
  stopQr();
  savingEnabled = false;
  await dbClear().catch((e) => simLog('clear failed', e));
  localStorage.clear();
  if (fromPhone) Cmd.trigger('logout');
  setTimeout(() => location.reload(), 300);
}

Object.assign(Socket, {
  async logout() { await logout({ fromPhone: false }); },
  reconnect() { if (session.me) setState('CONNECTED'); },
  takeover() { if (session.me) setState('CONNECTED'); },
  poke() {},
});

Object.assign(Cmd, {
  refreshQR() { if (!session.me) refreshQr(); },
  async archiveChat(chat, flag) { chat.set('archive', Boolean(flag)); scheduleSave(); },
  async pinChat(chat, flag) { chat.set('pin', flag ? Math.floor(Date.now() / 1000) : 0); scheduleSave(); },
  async markChatUnread(chat, flag) { chat.set('unreadCount', flag ? -1 : 0); scheduleSave(); },
  async openChatBottom() { return true; },
  async openChatAt() { return true; },
  async closeChat() { return true; },
});

function delay(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

async function boot() {
  window.Debug = { VERSION: CONFIG.version };
  await loadKeys();
  const me = await dbGet('me').catch(() => undefined);
  if (me) {
    session.me = me;
    restore(await dbGet('models').catch(() => undefined));
    await delay(100); // the socket takes a moment to open
    connected();
  } else {
    setState('UNPAIRED');
    startQr();
  }
}

// A small visible page, handy in screenshots and when a test opens the browser.
function render() {
  const el = document.getElementById('wa-sim');
  if (!el) return;
  const lines = [`WhatsApp Web simulator ${CONFIG.version}`, `state: ${Socket.state}${Socket.hasSynced ? ' (synced)' : ''}`];
  if (session.me) lines.push(`paired: +${session.me.phone} (${session.me.pushname})`, `chats: ${Store.Chat.length}`);
  else if (Conn.ref) lines.push(`QR ref #${session.refs}: ${Conn.ref.slice(0, 24)}…`);
  el.textContent = lines.join('\n');
}
