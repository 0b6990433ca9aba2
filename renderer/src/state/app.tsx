// What every screen needs: the REST client, the live link, the slot model, language and
// a place to report errors. One provider, created after sign-in.
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createApi, type Api } from '../api/client.js';
import { BridgeLink, socketUrl, type LinkState } from '../api/ws.js';
import { sessionInfo } from '../api/session.js';
import type { ServerEvent } from '../api/types.js';
import { translator, type Lang, type Translate } from '../i18n/i18n.js';
import { SlotsModel } from './slots.js';
import { UnsentModel } from './unsent.js';
import { browserNotifier, InboxModel } from './inbox.js';
import { navigate } from './route.js';
import { Store } from './store.js';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  title: string;
  next?: string;
}

export interface AppContextValue {
  api: Api;
  link: BridgeLink;
  slots: SlotsModel;
  unsent: UnsentModel;
  inbox: InboxModel;
  lang: Lang;
  setLang: (l: Lang) => void;
  t: Translate;
  notices: Store<Notice[]>;
  notify: (n: Omit<Notice, 'id'>) => void;
  signOut: () => void;
}

const Ctx = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useApp outside AppProvider');
  return v;
}

let noticeId = 1;

export function AppProvider(props: { lang: Lang; setLang: (l: Lang) => void; signOut: () => void; onSessionEnded: () => void; children: ReactNode }) {
  // Read through a ref: the models below are made once per sign-in.
  const ended = useRef(props.onSessionEnded);
  ended.current = props.onSessionEnded;
  const core = useMemo(() => {
    // Signed in by the session cookie: a 401 means it ended (signed out elsewhere, or revoked).
    const api = createApi(null, '', undefined, () => ended.current());
    const link = new BridgeLink({ url: socketUrl(location) });
    const slots = new SlotsModel(api);
    const unsent = new UnsentModel(api, link);
    const inbox = new InboxModel(api, link, slots, browserNotifier(), (slot, chat) => navigate('chats', { slot, chat }));
    const notices = new Store<Notice[]>([]);
    return { api, link, slots, unsent, inbox, notices };
  }, []);

  // Notices are worded in the language they were raised in: drop them when it changes.
  useEffect(() => core.notices.set([]), [core, props.lang]);

  useEffect(() => {
    const { api, link, slots, unsent, inbox } = core;
    const offUnsent = unsent.start();
    const offInbox = inbox.start();
    const offEvent = link.on((e: ServerEvent) => slots.handle(e));
    const offState = link.onState((s) => {
      if (s === 'open') void slots.refresh().catch(() => undefined);
      // The socket closes when the session ends (4001); the browser hides why a reconnect is refused.
      if (s === 'lost')
        void sessionInfo(api).then(
          (info) => !info.signedIn && ended.current(),
          () => undefined, // the bridge is away: the banner says so
        );
    });
    link.start();
    void slots.refresh().catch(() => undefined);
    return () => {
      offInbox();
      offUnsent();
      offEvent();
      offState();
      link.stop();
    };
  }, [core]);

  const value = useMemo<AppContextValue>(
    () => ({
      ...core,
      lang: props.lang,
      setLang: props.setLang,
      t: translator(props.lang),
      notify: (n) => {
        const id = noticeId++;
        core.notices.set((list) => [...list.slice(-3), { ...n, id }]);
        setTimeout(() => core.notices.set((list) => list.filter((x) => x.id !== id)), n.kind === 'error' ? 12_000 : 3_000);
      },
      signOut: props.signOut,
    }),
    [core, props.lang, props.setLang, props.signOut],
  );
  return <Ctx.Provider value={value}>{props.children}</Ctx.Provider>;
}

/** Subscribe a component to the link state (for the lost-connection banner). */
export function useLinkState(link: BridgeLink): LinkState {
  const [s, setS] = useState<LinkState>(link.state);
  useEffect(() => {
    setS(link.state);
    return link.onState(setS);
  }, [link]);
  return s;
}

/** Run `reload` whenever the live link comes back after a loss (events may have been missed). */
export function useOnReconnect(reload: () => void): void {
  const { link } = useApp();
  useEffect(() => {
    let lost = link.state === 'lost';
    return link.onState((s) => {
      if (s === 'lost') lost = true;
      else if (s === 'open' && lost) {
        lost = false;
        reload();
      }
    });
  }, [link, reload]);
}

/** Listen to broadcasts while mounted. */
export function useBridgeEvents(handler: (e: ServerEvent) => void, deps: unknown[]): void {
  const { link } = useApp();
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => link.on(handler), [link, ...deps]);
}
