// wa-sim page, part 4: what the client does — send (text, media, polls), read receipts, votes,
// the media "server", profile pictures and number look-ups.

const DEVICE_PLATFORM = 'CHROME';
const now = () => Math.floor(Date.now() / 1000);

/** The server's answer to a sent message: ack 1, or -1 for a number not on WhatsApp. */
function serverAck(msg) {
  return new Promise((resolve) => {
    setTimeout(() => {
      const remote = msg.id.remote;
      const refused = remote.server === 'c.us' && phoneSide.unregistered.has(remote.user);
      msg.set('ack', refused ? -1 : Math.max(msg.ack, 1));
      scheduleSave();
      resolve({ messageSendResult: refused ? 'ERROR' : 'OK', t: msg.t });
    }, CONFIG.serverAckMs);
  });
}

function addAndSendMsgToChat(chat, data) {
  if (!chat || !(chat instanceof ChatModel)) throw new SimError('addAndSendMsgToChat: no chat');
  const isMedia = Boolean(data.directPath);
  const msg = addMessage(chat, { ...data, isUnsentMedia: isMedia });
  // The upload already happened in processMediaData; the library reports it as media_uploaded.
  if (isMedia) setTimeout(() => msg.set('isUnsentMedia', false), 0);
  return [Promise.resolve(msg), serverAck(msg)];
}

async function sendSeen({ chat }) {
  if (!chat) throw new SimError('sendSeen: no chat');
  const key = chat.id._serialized;
  const prev = phoneSide.seen.get(key) || { count: 0, at: 0 };
  phoneSide.seen.set(key, { count: prev.count + 1, at: Date.now() });
  chat.set('unreadCount', 0);
  scheduleSave();
  return true;
}

// ---- media -----------------------------------------------------------------------------

class OpaqueData {
  constructor(blob, mimetype) {
    this.blob = blob;
    this.type = mimetype || blob.type;
    this._url = null;
  }
  static async createFromData(data, mimetype) {
    return new OpaqueData(data instanceof Blob ? data : new Blob([data], { type: mimetype }), mimetype);
  }
  url() { return (this._url ??= URL.createObjectURL(this.blob)); }
  autorelease() {}
  formData() { return this.blob; }
  async arrayBuffer() { return this.blob.arrayBuffer(); }
}

async function sha256b64(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return b64(new Uint8Array(digest));
}

/** WhatsApp's choice of message type for a file and the send options. */
function mediaType(mimetype, { asDocument, isPtt, asSticker, asGif }) {
  const mt = String(mimetype || '').toLowerCase();
  if (asDocument) return 'document';
  if (asSticker) return 'sticker';
  if (mt.startsWith('image/')) return 'image';
  if (mt.startsWith('video/')) return 'video';
  if (mt.startsWith('audio/')) return isPtt || /ogg.*opus/.test(mt) ? 'ptt' : 'audio';
  return 'document';
}

class MediaData extends Model {
  toJSON() { return this.serialize(); }
}

function prepRawMedia(opaque, params = {}) {
  return {
    async waitForPrep() {
      const blob = opaque.blob;
      if (!blob || !blob.size) throw new SimError('media-fault: empty file');
      const type = mediaType(opaque.type, params);
      const data = new MediaData({
        type,
        mimetype: opaque.type,
        filename: blob.name || undefined,
        size: blob.size,
        filehash: await sha256b64(blob),
        isGif: Boolean(params.asGif && type === 'video'),
        duration: type === 'ptt' || type === 'audio' || type === 'video' ? 1 : undefined,
      });
      hidden(data, 'mediaBlob', opaque);
      hidden(data, 'preview', undefined);
      return data;
    },
  };
}

const mediaObjects = new Map();
function getOrCreateMediaObject(filehash) {
  if (!mediaObjects.has(filehash)) {
    const obj = new Model({ filehash, type: undefined, size: 0, contentInfo: { waveform: undefined } });
    obj.consolidate = (json) => Object.assign(obj, { type: json.type, size: json.size, mimetype: json.mimetype });
    mediaObjects.set(filehash, obj);
  }
  return mediaObjects.get(filehash);
}

/** "Upload": keep the bytes under a direct path the download path can find again. */
async function uploadMedia({ mimetype, mediaObject }) {
  const blob = mediaObject && pendingBlobs.get(mediaObject.filehash);
  if (!blob) throw new SimError('upload failed: no data');
  const buf = new Uint8Array(await blob.arrayBuffer());
  let bin = '';
  for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
  const directPath = `/v/t62.sim/${randomHex(24)}.enc`;
  media.set(directPath, { mimetype, data: btoa(bin), filename: blob.name || undefined, size: buf.length });
  scheduleSave();
  return {
    mediaEntry: {
      mmsUrl: `https://mmg.whatsapp.net${directPath}`,
      deprecatedMms3Url: `https://mmg.whatsapp.net${directPath}`,
      directPath,
      mediaKey: b64(crypto.getRandomValues(new Uint8Array(32))),
      mediaKeyTimestamp: now(),
      encFilehash: mediaObject.filehash,
      uploadHash: mediaObject.filehash,
      sidecar: undefined,
      firstFrameSidecar: undefined,
      handle: null,
    },
  };
}

/** Blobs between prep and upload, by file hash (the library passes only the media object). */
const pendingBlobs = new Map();
const prepWithBlob = (opaque, params) => {
  const prep = prepRawMedia(opaque, params);
  return {
    async waitForPrep() {
      const data = await prep.waitForPrep();
      pendingBlobs.set(data.filehash, opaque.blob);
      return data;
    },
  };
};

async function downloadAndMaybeDecrypt({ directPath }) {
  const item = media.get(directPath);
  if (!item) throw Object.assign(new SimError('media not found'), { status: 404 });
  const bin = atob(item.data);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

// ---- polls -----------------------------------------------------------------------------

function pollOf(id) {
  const poll = findMessage(id);
  if (!poll || poll.type !== 'poll_creation') throw new SimError(`not a poll: ${id}`);
  return poll;
}

/** Record a vote and hand it to the vote table the library hooks (pollVoteTableMode.bulkUpsert). */
async function recordVote(poll, voterWid, localIds) {
  if (poll.pollSelectableOptionsCount === 1 && localIds.length > 1) throw new SimError('single-choice poll: one option at most');
  const chatWid = poll.id.remote;
  const ts = Date.now();
  const vote = {
    id: new MsgKey({ fromMe: meWid().equals(voterWid), remote: chatWid, id: randomHex(32), participant: chatWid.isGroup() ? voterWid : undefined }),
    pollUpdateParentKey: poll.id,
    parentMsgKey: poll.id,
    from: voterWid,
    author: chatWid.isGroup() ? voterWid : undefined,
    t: ts,
    senderTimestampMs: ts,
    selectedOptionLocalIds: localIds,
    ack: 0,
  };
  if (!pollVotes.has(poll.id._serialized)) pollVotes.set(poll.id._serialized, new Map());
  pollVotes.get(poll.id._serialized).set(voterWid._serialized, {
    parentMsgKey: poll.id._serialized,
    sender: voterWid._serialized,
    senderTimestampMs: ts,
    t: ts,
    selectedOptionLocalIds: localIds,
  });
  scheduleSave();
  await simRequire('WAWebAddonPollVoteTableMode').pollVoteTableMode.bulkUpsert([vote]);
  return vote.id._serialized;
}

// ---- look-ups --------------------------------------------------------------------------

async function queryWidExists(widLike) {
  const wid = createWid(widLike);
  if (!wid.isUser() || !/^\d{7,15}$/.test(wid.user) || phoneSide.unregistered.has(wid.user)) return null;
  return { wid, biz: false };
}

async function requestProfilePicFromServer(chat) {
  const key = toKey(chat?.id);
  if (!key) throw new SimError('profile picture: no chat');
  const user = key.split('@')[0];
  if (phoneSide.unregistered.has(user)) throw new SimError('not found', 'ServerStatusCodeError');
  const set = phoneSide.pictures.get(key);
  if (set === null) throw new SimError('item-not-found', 'ServerStatusCodeError');
  const eurl = set || `https://pps.whatsapp.net/v/t61.24694-24/sim_${user}.jpg?oh=sim&oe=${(now() + 86400).toString(16)}`;
  return { eurl, id: chat.id, tag: String(now()) };
}

function findLink(text) {
  const m = /\bhttps?:\/\/[^\s]+/i.exec(String(text || ''));
  return m ? { href: m[0], url: m[0], suspiciousCharacters: new Set() } : null;
}

function findLinks(text) {
  return [...String(text || '').matchAll(/\bhttps?:\/\/[^\s]+/gi)].map((m) => ({ href: m[0], url: m[0], suspiciousCharacters: new Set() }));
}
