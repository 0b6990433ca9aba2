// wa-sim page, part 5: `window.require('WAWeb…')`, the module table whatsapp-web.js reaches into.
// Modules on the library's paths are implemented above; a few it only probes are harmless
// stand-ins; anything else throws, as a missing module does on the real site, and is recorded.

const ContactGetters = {
  getIsMe: (c) => Boolean(meWid()?.equals(c.id)),
  getIsUser: (c) => c.id.isUser(),
  getIsGroup: (c) => c.id.isGroup(),
  getIsWAContact: (c) => c.id.isUser() && !phoneSide.unregistered.has(c.id.user),
  getUserid: (c) => c.id.user,
  getVerifiedName: () => undefined,
  getVerifiedLevel: () => undefined,
  getStatusMute: () => false,
  getName: (c) => c.name,
  getShortName: (c) => c.shortName || (c.name ? String(c.name).split(' ')[0] : undefined),
  getPushname: (c) => c.pushname,
  getIsEnterprise: () => false,
};

// Country calling codes of one and two digits; every other code has three.
const SHORT_CC = new Set(['1', '7', '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49', '51', '52', '53', '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98']);
function findCC(number) {
  const d = String(number).replace(/\D/g, '');
  return [1, 2].map((n) => d.slice(0, n)).find((cc) => SHORT_CC.has(cc)) || d.slice(0, 3);
}

const MODULES = {
  // --- login and connection
  WAWebSocketModel: { Socket },
  WAWebCmd: { Cmd },
  WAWebConnModel: { Conn },
  WAWebStreamModel: { Stream: Object.assign(Stream, { markAvailable() { Stream.set('available', true); }, markUnavailable() { Stream.set('available', false); } }) },
  WAWebOfflineHandler: { OfflineMessageHandler: { getOfflineDeliveryProgress: () => session.offlineProgress } },
  WABase64: { encodeB64: (v) => (typeof v === 'string' ? v : b64(new Uint8Array(v))), decodeB64: (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0)) },
  WAWebCompanionRegClientUtils: { DEVICE_PLATFORM },
  WAWebAdvSignatureApi: {},
  WAWebUserPrefsInfoStore: { waNoiseInfo: { get: async () => ({ staticKeyPair: { pubKey: session.keys.staticPub } }) } },
  WAWebSignalStoreApi: { waSignalStore: { getRegistrationInfo: async () => ({ identityKeyPair: { pubKey: session.keys.identityPub }, registrationId: 1 }) } },
  WAWebUserPrefsMultiDevice: { getADVSecretKey: () => session.keys.advSecret },
  WAWebLaunchSocketUtils: { refreshQR: () => Cmd.refreshQR() },
  WAWebAltDeviceLinkingApi: {
    setPairingType() {},
    async initializeAltDeviceLinking() {},
    async initializeQRLinking() {},
    // Pairing by code: the code a phone would type; pairing itself happens through scanQr().
    async startAltLinkingFlow() { return randomHex(8); },
  },
  WAWebMiscBrowserUtils: { info: () => ({ os: 'Linux', name: 'Chrome', version: '156' }) },
  WAWebUserPrefsMeUser: { getMaybeMePnUser: meWid, getMaybeMeLidUser: meLid, getMeUser: meWid },

  // --- collections and ids
  WAWebCollections: Store,
  WAWebWidFactory: {
    createWid,
    createWidFromWidLike: createWid,
    createUserWid: (user, server = 'c.us') => createWid(`${user}@${server}`),
    asUserWidOrThrow: (w) => {
      const wid = createWid(w);
      if (!wid.isUser()) throw new SimError(`not a user wid: ${wid}`);
      return wid;
    },
    isWidlike: (w) => Boolean(w && toKey(w).includes('@')),
  },
  WAWebMsgKey: MsgKey,
  WAWebChatGetters: { getIsNewsletter: (c) => c.id.isNewsletter(), getIsBroadcast: (c) => c.id.isBroadcast(), getIsGroup: (c) => c.id.isGroup() },
  WAWebContactGetters: ContactGetters,
  WAWebFrontendContactGetters: { getIsMyContact: (c) => Boolean(c.name) },
  WAWebApiContact: { getAlternateUserWid: () => null, getCurrentLid: () => null, getPhoneNumber: () => null },
  WAWebLidMigrationUtils: { toPn: (w) => w },
  WAWebFindChatAction: { findOrCreateLatestChat: async (wid) => (createWid(wid).isUser() ? { chat: ensureChat(wid) } : { chat: Store.Chat.get(wid) }) },
  WAWebChatLoadMessages: { loadEarlierMsgs },
  WAWebSyncGatingUtils: { isPlaceholderMessageResendEnabled: () => false },
  WAWebNonMessageDataRequestPlaceholderMessageResendUtils: { handlePlaceholderMsgsSeen() {} },
  // The real module keeps calls in an internal Map; no calls here, so no `on`.
  WAWebCallCollection: {},

  // --- sending
  WALinkify: { findLink, findLinks },
  WAWebLinkPreviewChatAction: { getLinkPreview: async () => null },
  WAWebGetEphemeralFieldsMsgActionsUtils: { getEphemeralFields: () => ({}) },
  WAWebSendMsgChatAction: { addAndSendMsgToChat },
  WAWebMsgReply: { canReplyMsg: () => true },
  WAWebQuotedMsgModelUtils: { getQuotedMsgObj },
  WAWebUpdateUnreadChatAction: { sendSeen },
  WAWebMediaOpaqueData: OpaqueData,
  WAWebPrepRawMedia: { prepRawMedia: prepWithBlob },
  WAWebMediaStorage: { getOrCreateMediaObject },
  WAWebMmsMediaTypes: { msgToMediaType: ({ type }) => type, castToV4: (t) => t },
  WAWebMediaDataUtils: { shouldUseMediaCache: () => false },
  WAWebMediaInMemoryBlobCache: { InMemoryMediaBlobCache: { put() {} } },
  WAWebMediaMmsV4Upload: { uploadMedia, uploadUnencryptedMedia: uploadMedia },
  WAWebDownloadManager: { downloadManager: { downloadAndMaybeDecrypt } },
  WAWebPollsSendVoteMsgAction: {
    async sendVote(msg, localIds) { return recordVote(pollOf(msg.id), meWid(), [...localIds]); },
  },
  WAWebPollsVotesSchema: {
    getTable: () => ({
      equals: async (_cols, parentKey) => [...(pollVotes.get(toKey(parentKey))?.values() || [])].map((v) => ({ ...v })),
    }),
  },
  // Hooked by the library (injectToFunction) to see reactions and poll votes.
  WAWebAddonReactionTableMode: { reactionTableMode: { bulkUpsert: async (rows) => rows } },
  WAWebAddonPollVoteTableMode: { pollVoteTableMode: { bulkUpsert: async (rows) => rows } },
  WAWebBackendJobsCommon: { mediaTypeFromProtobuf: () => null },
  WAWebE2EProtoUtils: { typeAttributeFromProtobuf: () => 'text' },

  // --- chats, contacts, presence
  WAWebContactProfilePicThumbBridge: { requestProfilePicFromServer },
  WAWebQueryExistsJob: { queryWidExists },
  WAWebPresenceChatAction: { sendPresenceAvailable: async () => true, sendPresenceUnavailable: async () => true },
  WAWebChatStateBridge: { sendChatStateComposing: async () => {}, sendChatStateRecording: async () => {}, sendChatStatePaused: async () => {} },
  WAWebPhoneUtils: { formattedPhoneNumber: (id) => `+${toKey(id).split('@')[0]}` },
  WAPhoneFindCC: { findCC },
};

const requiredModules = new Map(); // name → count, for the coverage report
const missingModules = new Set();

function simRequire(name) {
  requiredModules.set(name, (requiredModules.get(name) || 0) + 1);
  const mod = MODULES[name];
  if (mod === undefined) {
    missingModules.add(name);
    throw new SimError(`Requiring unknown module "${name}" (not simulated by wa-sim)`);
  }
  return mod;
}

window.require = simRequire;
