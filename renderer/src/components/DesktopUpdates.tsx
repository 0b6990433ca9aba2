// Settings → Updates (desktop app only, issue 17): the "Automatic updates" switch and "Check now",
// the same switch the tray has, through the preload's update channels. Hidden in a browser.
import { useEffect, useState } from 'react';
import type { DesktopUpdates } from '../electron.js';
import type { MessageKey } from '../i18n/i18n.js';
import { useApp } from '../state/app.js';

const STATUS_TEXT: Record<DesktopUpdates['status'], MessageKey> = {
  off: 'updatesOff',
  idle: 'updatesIdle',
  checking: 'updatesChecking',
  downloading: 'updatesDownloading',
  ready: 'updatesReady',
  'waiting-for-sends': 'updatesWaiting',
  error: 'updatesError',
};

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function DesktopUpdatesCard() {
  const { t } = useApp();
  const shell = typeof window !== 'undefined' ? window.waBridge : undefined;
  const [state, setState] = useState<DesktopUpdates | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    shell?.updates?.().then(setState, (e: unknown) => setError(messageOf(e)));
  }, [shell]);
  if (!shell?.updates) return null;

  const run = (work: Promise<DesktopUpdates>) => {
    setError(null);
    work.then(setState, (e: unknown) => setError(messageOf(e)));
  };

  return (
    <div className="card" data-testid="updates-card">
      <div className="card-head">
        <h2>{t('updatesTitle')}</h2>
      </div>
      {state && (
        <>
          <label className="switch-row">
            <input
              type="checkbox"
              checked={state.automatic}
              onChange={(e) => run(shell.setAutoUpdate(e.target.checked))}
              data-testid="updates-automatic"
            />
            {t('updatesAutomatic')}
          </label>
          <p className="fine" data-testid="updates-status">
            {t(STATUS_TEXT[state.status] ?? 'updatesIdle')}
          </p>
          <button type="button" className="btn small" disabled={!state.configured || state.status === 'checking'} onClick={() => run(shell.checkForUpdates())} data-testid="updates-check">
            {t('updatesCheck')}
          </button>
        </>
      )}
      {error && (
        <p className="err" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
