// The shell: language and direction, sign-in (or the Electron preload's token), header and
// navigation, and the screen chosen by the URL hash.
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

const TOKEN_KEY = 'waBridge.adminToken';

function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [token, setToken] = useState<string | null>(() => (window.waBridge ? null : readToken()));
  const [shellError, setShellError] = useState<string | null>(null);

  useLayoutEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = dirOf(lang);
    document.title = translator(lang)('appName');
  }, [lang]);

  // Inside Electron the preload hands over the token: no sign-in step.
  useEffect(() => {
    if (!window.waBridge) return;
    window.waBridge.getAdminToken().then(setToken, (err: Error) => setShellError(err.message));
  }, []);

  const setLang = useCallback((l: Lang) => {
    rememberLang(l);
    setLangState(l);
  }, []);

  const signOut = useCallback(() => {
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      /* nothing kept */
    }
    setToken(null);
  }, []);

  if (!token) {
    if (window.waBridge) return <div className="boot">{shellError ?? translator(lang)('loading')}</div>;
    return (
      <SignIn
        lang={lang}
        setLang={setLang}
        onSignedIn={(tok) => {
          try {
            sessionStorage.setItem(TOKEN_KEY, tok);
          } catch {
            /* kept in memory for this page only */
          }
          setToken(tok);
        }}
      />
    );
  }
  return (
    <AppProvider token={token} lang={lang} setLang={setLang} signOut={signOut}>
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
