// The shell: language and direction, sign-in (a session cookie; the desktop app signs in by
// itself), header and navigation, and the screen chosen by the URL hash.
import { Suspense, useCallback, useEffect, useLayoutEffect, useReducer, useState } from 'react';
import { AppProvider, useApp } from './state/app.js';
import { dirOf, translator, type Lang } from './i18n/i18n.js';
import { initialLang, rememberLang } from './i18n/prefs.js';
import { navigate, useRoute, type Screen } from './state/route.js';
import { useStore } from './state/store.js';
import { SignIn } from './screens/SignIn.js';
import { SlotsScreen } from './screens/Slots.js';
import { Icon, type IconName } from './components/Icon.js';
import { LinkBanner, Notices } from './components/Notices.js';
import type { MessageKey } from './i18n/i18n.js';

import { ScreenBoundary } from './components/ScreenBoundary.js';
import { lazyScreen } from './lib/lazyScreen.js';
import { unreadTotals } from './state/inbox.js';
import { useShortcuts } from './state/shortcuts.js';
import { endSession, migrateStoredToken, sessionChannel, sessionInfo } from './api/session.js';

// Screens other than the slot grid load on first visit, so the grid paints fast (lazyScreen).
type Params = { params: Record<string, string> };
const LAZY = {
  chats: lazyScreen<Params>(() => import('./screens/Chats.js').then((m) => m.ChatsScreen)),
  search: lazyScreen<Params>(() => import('./screens/Search.js').then((m) => m.SearchScreen)),
  phones: lazyScreen<object>(() => import('./screens/Phones.js').then((m) => m.PhonesScreen)),
  settings: lazyScreen<object>(() => import('./screens/Settings.js').then((m) => m.SettingsScreen)),
  logs: lazyScreen<object>(() => import('./screens/Logs.js').then((m) => m.LogsScreen)),
  cluster: lazyScreen<object>(() => import('./screens/Cluster.js').then((m) => m.ClusterScreen)),
};

type Auth = 'checking' | 'in' | 'out';

/** Signed in already (cookie), by a token an older version kept, or by the desktop app itself? */
async function bootAuth(): Promise<boolean> {
  if (await migrateStoredToken()) return true;
  if ((await sessionInfo()).signedIn) return true;
  // The desktop shell signs in for the page (the token never enters it), then the cookie is there.
  if (window.waBridge?.signIn) {
    await window.waBridge.signIn();
    return (await sessionInfo()).signedIn;
  }
  return false;
}

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [auth, setAuth] = useState<Auth>('checking');
  /** A new app state (models, socket) for every sign-in. */
  const [epoch, nextEpoch] = useReducer((n: number) => n + 1, 0);
  const [ended, setEnded] = useState(false);
  const [shellError, setShellError] = useState<string | null>(null);
  const [channel] = useState(() =>
    sessionChannel((m) => {
      if (m === 'signed-in') {
        nextEpoch();
        setAuth('in');
      } else {
        setEnded(true);
        setAuth('out');
      }
    }),
  );
  useEffect(() => () => channel.close(), [channel]);

  useLayoutEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = dirOf(lang);
    document.title = translator(lang)('appName');
  }, [lang]);

  useEffect(() => {
    bootAuth().then(
      (yes) => setAuth(yes ? 'in' : 'out'),
      (err: Error) => {
        if (window.waBridge) setShellError(err.message);
        else setAuth('out'); // the form explains any error when it is used
      },
    );
  }, []);

  const setLang = useCallback((l: Lang) => {
    rememberLang(l);
    setLangState(l);
  }, []);

  const signOut = useCallback(() => {
    endSession()
      .catch(() => undefined) // the bridge is away: the cookie stays until it expires or the next sign-out
      .finally(() => {
        channel.post('signed-out');
        setEnded(false);
        setAuth('out');
      });
  }, [channel]);

  // The session ended elsewhere (another tab, the device revoked): back to the sign-in form.
  const sessionEnded = useCallback(() => {
    setEnded(true);
    setAuth('out');
  }, []);

  if (auth !== 'in') {
    if (window.waBridge || auth === 'checking') return <div className="boot">{shellError ?? translator(lang)('loading')}</div>;
    return (
      <SignIn
        lang={lang}
        setLang={setLang}
        notice={ended ? translator(lang)('sessionEndedNote') : null}
        onSignedIn={() => {
          channel.post('signed-in');
          setEnded(false);
          nextEpoch();
          setAuth('in');
        }}
      />
    );
  }
  return (
    <AppProvider key={epoch} lang={lang} setLang={setLang} signOut={signOut} onSessionEnded={sessionEnded}>
      <Shell />
    </AppProvider>
  );
}

const NAV: { screen: Screen; icon: IconName; label: MessageKey }[] = [
  { screen: 'slots', icon: 'slots', label: 'navSlots' },
  { screen: 'chats', icon: 'chats', label: 'navChats' },
  { screen: 'search', icon: 'search', label: 'navSearch' },
  { screen: 'phones', icon: 'phones', label: 'navPhones' },
  { screen: 'settings', icon: 'settings', label: 'navSettings' },
  { screen: 'logs', icon: 'file', label: 'navLogs' },
  // Only in cluster mode (health has a node block).
  { screen: 'cluster', icon: 'database', label: 'navCluster' },
];

function Shell() {
  const { t, lang, setLang, signOut, slots, inbox } = useApp();
  const route = useRoute();
  const health = useStore(slots.health);
  const unread = unreadTotals(useStore(inbox.chats)).total;

  // The unread total in the window title, as messengers do (and the desktop app's tray badge).
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) ${t('appName')}` : t('appName');
  }, [unread, t]);
  // In the desktop app the same total goes on the tray icon, the dock or the taskbar button.
  useEffect(() => {
    window.waBridge?.setUnreadCount?.(unread);
  }, [unread]);
  const [attempt, retryScreen] = useReducer((n: number) => n + 1, 0);

  // Fetch every screen's code while the bridge is surely there (it just served this page), once
  // the first screen has painted and the browser is idle.
  useEffect(() => {
    const prefetch = () => Object.values(LAZY).forEach((l) => l.prefetch());
    if (typeof requestIdleCallback === 'function') {
      const id = requestIdleCallback(prefetch, { timeout: 3000 });
      return () => cancelIdleCallback(id);
    }
    const id = setTimeout(prefetch, 1000);
    return () => clearTimeout(id);
  }, []);

  // After sign-in (and on every fresh load) the keyboard starts in the main content.
  useEffect(() => document.getElementById('main')?.focus({ preventScroll: true }), []);
  useShortcuts(inbox);

  // A notification clicked in the desktop app opens its chat.
  useEffect(() => window.waBridge?.onOpenChat((slot, chatId) => navigate('chats', { slot, chat: chatId })), []);

  return (
    <div className="shell">
      <a
        href="#main"
        className="skip-link"
        data-testid="skip-link"
        onClick={(e) => {
          // The hash holds the route: move focus without navigating.
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t('skipToContent')}
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            <Icon name="chats" size={18} />
          </span>
          <span>{t('appName')}</span>
          {health?.engine === 'demo' && (
            <span className="badge demo" title={t('demoBadgeHint')} data-testid="demo-badge">
              {t('demoBadge')}
            </span>
          )}
        </div>
        <div className="topbar-actions">
          <button
            type="button"
            className="btn ghost"
            data-testid="lang-switch"
            lang={lang === 'en' ? 'ar' : 'en'}
            onClick={() => setLang(lang === 'en' ? 'ar' : 'en')}
          >
            <Icon name="globe" size={18} />
            {t('switchLanguage')}
          </button>
          {!window.waBridge && (
            <button type="button" className="btn ghost" onClick={signOut} data-testid="sign-out">
              <Icon name="logout" size={18} />
              {t('signOut')}
            </button>
          )}
        </div>
      </header>
      <LinkBanner />
      <div className="body">
        <nav className="sidenav" aria-label={t('mainNav')}>
          {NAV.filter((n) => n.screen !== 'cluster' || health?.node).map((n) => (
            <a
              key={n.screen}
              href={`#/${n.screen}`}
              className={route.screen === n.screen ? 'nav-item active' : 'nav-item'}
              aria-current={route.screen === n.screen ? 'page' : undefined}
              data-testid={`nav-${n.screen}`}
            >
              <Icon name={n.icon} />
              <span>{t(n.label)}</span>
              {n.screen === 'chats' && unread > 0 && (
                <span className="unread-badge nav-badge" data-testid="nav-unread" aria-label={t('unreadCount', { n: unread })}>
                  {unread}
                </span>
              )}
            </a>
          ))}
        </nav>
        <main className="content" id="main" tabIndex={-1} data-screen={route.screen}>
          <ScreenBoundary
            key={`${route.screen}-${attempt}`}
            title={t('screenFailed')}
            next={t('screenFailedNext')}
            retryLabel={t('retry')}
            onRetry={() => {
              if (route.screen !== 'slots') LAZY[route.screen].reset();
              retryScreen();
            }}
          >
            <Suspense fallback={<div className="boot">{t('loading')}</div>}>
              <CurrentScreen screen={route.screen} params={route.params} />
            </Suspense>
          </ScreenBoundary>
        </main>
      </div>
      <Notices />
    </div>
  );
}

function CurrentScreen({ screen, params }: { screen: Screen; params: Record<string, string> }) {
  if (screen === 'slots') return <SlotsScreen />;
  if (screen === 'chats' || screen === 'search') {
    const Lazy = LAZY[screen].get();
    return <Lazy params={params} />;
  }
  const Lazy = LAZY[screen].get();
  return <Lazy />;
}
