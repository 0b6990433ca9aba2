// Browser sign-in: the admin token is exchanged for the bridge's session cookie (HttpOnly: no
// script, this page's included, can read it) and forgotten by the page.
import { useState, type FormEvent } from 'react';
import { signInWithToken } from '../api/session.js';
import { translator, type Lang } from '../i18n/i18n.js';
import { explainError } from '../lib/errors.js';
import { Icon } from '../components/Icon.js';

export function SignIn(props: { lang: Lang; setLang: (l: Lang) => void; onSignedIn: () => void; notice?: string | null }) {
  const t = translator(props.lang);
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ title: string; next: string } | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const tok = token.trim();
    if (!tok) return;
    setBusy(true);
    setError(null);
    try {
      await signInWithToken(tok);
      setToken('');
      props.onSignedIn();
    } catch (err) {
      setError(explainError(err, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="signin-page">
      <button
        type="button"
        className="btn ghost signin-lang"
        data-testid="lang-switch"
        lang={props.lang === 'en' ? 'ar' : 'en'}
        onClick={() => props.setLang(props.lang === 'en' ? 'ar' : 'en')}
      >
        <Icon name="globe" size={18} />
        {t('switchLanguage')}
      </button>
      <form className="card signin" onSubmit={submit} data-testid="signin-form">
        <span className="logo big" aria-hidden="true">
          <Icon name="chats" size={30} />
        </span>
        <h1>{t('signInTitle')}</h1>
        <p className="muted">{t('signInLead')}</p>
        {props.notice && (
          <p className="notice-inline" role="status" data-testid="signin-notice">
            {props.notice}
          </p>
        )}
        <label className="field">
          <span>{t('tokenLabel')}</span>
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            dir="ltr"
            value={token}
            placeholder={t('tokenPlaceholder')}
            onChange={(e) => setToken(e.target.value)}
            data-testid="token-input"
            autoFocus
            aria-invalid={error ? true : undefined}
          />
        </label>
        {error && (
          <div className="error-inline" role="alert" data-testid="signin-error">
            <strong>{error.title}</strong> {error.next}
          </div>
        )}
        <button type="submit" className="btn primary wide" disabled={busy || !token.trim()} data-testid="signin-submit">
          {busy ? t('signingIn') : t('signIn')}
        </button>
        <p className="fine">{t('tokenKeptNote')}</p>
      </form>
    </div>
  );
}
