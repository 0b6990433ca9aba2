// wa-sim page, part 6: the phone and server side, driven by tests over CDP (test/wa-sim/control.ts).
// Every function validates its input and throws a SimError with a clear message.

function phoneWid(from) {
  const key = toKey(from);
  const wid = createWid(key.includes('@') ? key : `${key.replace(/\D/g, '')}@c.us`);
  if (!wid.isUser() && !wid.isGroup()) throw new SimError(`not a chat id: ${key}`);
  return wid;
}

function requireReady() {
  if (!session.me || !Socket.hasSynced) throw new SimError(`not logged in (state ${Socket.state})`);
}

const INCOMING_TYPES = new Set(['chat', 'image', 'video', 'audio', 'ptt', 'document', 'sticker']);

/** A message from someone else reaches this account (fires `message` and `message_create`). */
function deliverMessage(opts = {}) {
  requireReady();
  const chatWid = phoneWid(opts.chatId ?? opts.from);
  const isGroup = chatWid.isGroup();
  const author = isGroup ? phoneWid(opts.author ?? opts.from) : undefined;
  if (isGroup && (!author || author.isGroup())) throw new SimError('a group message needs `author` (the sender)');
  const sender = author || chatWid;
  const type = opts.media ? mediaType(opts.media.mimetype, { isPtt: opts.type === 'ptt', asDocument: opts.type === 'document' }) : opts.type || 'chat';
  if (!INCOMING_TYPES.has(type)) throw new SimError(`unsupported message type: ${type}`);
  if (type === 'chat' && typeof opts.body !== 'string') throw new SimError('`body` (string) is required for a text message');
  if (type !== 'chat' && !opts.media) throw new SimError(`a ${type} message needs \`media\` ({ mimetype, data })`);

  const chat = ensureChat(chatWid, isGroup && opts.groupName ? { name: opts.groupName } : {});
  ensureContact(sender, opts.notifyName);
  const t = opts.timestamp ? Number(opts.timestamp) : now();
  const id = new MsgKey({ fromMe: false, remote: chatWid, id: opts.id || randomHex(32), participant: author });
  if (Store.Msg.get(id)) throw new SimError(`duplicate message id: ${id._serialized}`);
  const attrs = {
    id,
    type,
    t,
    from: chatWid,
    to: meWid(),
    author,
    ack: 1,
    isNewMsg: true,
    local: false,
    self: 'in',
    star: false,
    notifyName: opts.notifyName || '',
    isForwarded: Boolean(opts.isForwarded),
    forwardingScore: opts.isForwarded ? 1 : 0,
    mentionedJidList: [],
    body: type === 'chat' ? opts.body : undefined,
  };
  if (opts.quotedMessageId) {
    const quoted = findMessage(opts.quotedMessageId);
    if (!quoted) throw new SimError(`quoted message not found: ${opts.quotedMessageId}`);
    Object.assign(attrs, quoted.msgContextInfo());
  }
  if (opts.media) {
    const { mimetype, data, filename } = opts.media;
    if (typeof mimetype !== 'string' || typeof data !== 'string' || !data) throw new SimError('`media` needs mimetype and base64 data');
    let size;
    try {
      size = atob(data).length;
    } catch {
      throw new SimError('`media.data` is not valid base64');
    }
    const directPath = `/v/t62.sim/${randomHex(24)}.enc`;
    media.set(directPath, { mimetype, data, filename, size });
    Object.assign(attrs, { mimetype, filename, size, directPath, caption: opts.caption, mediaKey: b64(crypto.getRandomValues(new Uint8Array(32))), filehash: randomHex(16), duration: type === 'ptt' || type === 'audio' ? 1 : undefined });
  }
  const msg = addMessage(chat, attrs);
  if (opts.media && opts.media.expired) {
    // As on the real site once the server copy is gone: the stage says so and the bytes are not served.
    msg.mediaData.mediaStage = 'REUPLOADING';
    media.delete(attrs.directPath);
  }
  chat.set('unreadCount', Math.max(0, chat.unreadCount) + 1);
  return msg.id._serialized;
}

function advanceAck(messageId, ack) {
  const msg = Store.Msg.get(messageId);
  if (!msg) throw new SimError(`message not found (or not loaded): ${messageId}`);
  if (!msg.id.fromMe) throw new SimError('acks are shown only on messages this account sent');
  if (!Number.isInteger(ack) || ack < -1 || ack > 4) throw new SimError(`ack must be an integer -1..4, got ${ack}`);
  msg.set('ack', ack);
  scheduleSave();
  return msg.ack;
}

async function castVote({ pollId, voter, selectedOptions } = {}) {
  requireReady();
  const poll = pollOf(pollId);
  if (!Array.isArray(selectedOptions)) throw new SimError('`selectedOptions` must be an array of option names');
  const localIds = selectedOptions.map((name) => {
    const opt = poll.pollOptions.find((o) => o.name === name);
    if (!opt) throw new SimError(`no such poll option: ${name}`);
    return opt.localId;
  });
  return recordVote(poll, phoneWid(voter), localIds);
}

/** The sender edited a message (fires the library's message_edit). */
function editMessage(messageId, body) {
  const msg = Store.Msg.get(messageId);
  if (!msg) throw new SimError(`message not found (or not loaded): ${messageId}`);
  if (typeof body !== 'string' || !body) throw new SimError('`body` must be a non-empty string');
  if (msg.type !== 'chat') throw new SimError('only text messages can be edited');
  msg.latestEditSenderTimestampMs = Date.now();
  msg.set('body', body);
  scheduleSave();
}

/** The sender deleted a message for everyone (fires message_revoke_everyone). */
function revokeMessage(messageId) {
  const msg = Store.Msg.get(messageId);
  if (!msg) throw new SimError(`message not found (or not loaded): ${messageId}`);
  if (msg.type === 'revoked') throw new SimError('already revoked');
  // The real site drops the content first, then flips the type.
  msg.subtype = 'sender_revoke';
  msg.body = undefined;
  msg.caption = undefined;
  msg.set('type', 'revoked');
  scheduleSave();
}

function muteChat(chatId, expiration) {
  requireReady();
  const chat = Store.Chat.get(phoneWid(chatId));
  if (!chat) throw new SimError(`chat not found: ${chatId}`);
  setMute(chat, expiration);
  return { isMuted: chat.muteExpiration !== 0, muteExpiration: chat.muteExpiration };
}

function setProfilePicture(contactId, url) {
  if (url !== null && typeof url !== 'string') throw new SimError('url must be a string or null');
  phoneSide.pictures.set(phoneWid(contactId)._serialized, url);
  scheduleSave();
}

function setRegistered(phone, registered) {
  const digits = String(phone).replace(/\D/g, '');
  if (!/^\d{7,15}$/.test(digits)) throw new SimError(`bad phone: ${phone}`);
  if (registered) phoneSide.unregistered.delete(digits);
  else phoneSide.unregistered.add(digits);
  scheduleSave();
}

function chatState(chatId) {
  const chat = Store.Chat.get(phoneWid(chatId));
  if (!chat) return null;
  const seen = phoneSide.seen.get(chat.id._serialized) || { count: 0, at: 0 };
  return { id: chat.id._serialized, unreadCount: chat.unreadCount, muteExpiration: chat.muteExpiration, seenCount: seen.count, seenAt: seen.at, messages: chat.msgs.length + chat.earlier.length };
}

function getMessage(messageId) {
  const msg = findMessage(messageId);
  if (!msg) return null;
  const out = toStoredMsg(msg);
  delete out.messageSecret;
  if (msg.directPath) out.media = media.get(msg.directPath) || null;
  return out;
}

function setSocketState(state) {
  const allowed = ['CONNECTED', 'OPENING', 'PAIRING', 'TIMEOUT', 'CONFLICT', 'UNPAIRED', 'UNPAIRED_IDLE', 'UNLAUNCHED', 'PROXYBLOCK', 'TOS_BLOCK', 'SMB_TOS_BLOCK', 'DEPRECATED_VERSION'];
  if (!allowed.includes(state)) throw new SimError(`unknown socket state: ${state}`);
  // After the call returns: the library may close the browser at once (CONFLICT, UNPAIRED …).
  setTimeout(() => setState(state), 0);
}

/** Block the page's main thread (the library's evaluate calls then never answer) for `ms`. */
function hang(ms = 30000) {
  const n = Number(ms);
  if (!Number.isFinite(n) || n <= 0 || n > 600000) throw new SimError('hang: ms must be 1..600000');
  setTimeout(() => {
    const end = Date.now() + n;
    while (Date.now() < end) {
      /* busy: the renderer answers nothing until the deadline */
    }
  }, 20);
}

window.__waSim = {
  version: CONFIG.version,
  state: () => ({
    socketState: Socket.state,
    hasSynced: Socket.hasSynced,
    paired: Boolean(session.me),
    me: session.me ? meWid()._serialized : null,
    qr: currentQrString(),
    qrRefreshes: session.refs,
  }),
  refreshQr,
  scanQr: (opts) => pair(opts || {}),
  deliverMessage,
  advanceAck,
  castVote,
  editMessage,
  revokeMessage,
  muteChat,
  setProfilePicture,
  setRegistered,
  chatState,
  getMessage,
  setSocketState,
  logoutFromPhone: async () => {
    if (!session.me) throw new SimError('not paired');
    await logout({ fromPhone: true });
  },
  hang,
  modules: () => ({ required: Object.fromEntries(requiredModules), missing: [...missingModules] }),
};

boot().catch((e) => simLog('boot failed', e));
