// Phones: pair one (name → token → QR of {url, token} on a chosen LAN address), list, revoke.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import QRCode from 'qrcode';
import { useApp, useOnReconnect } from '../state/app.js';
import type { Device, LanAddress } from '../api/types.js';
import { Icon } from '../components/Icon.js';
import { ConfirmDialog, Dialog } from '../components/Dialog.js';
import { ErrorBlock, useReportError } from '../components/Notices.js';
import { formatAgo } from '../lib/format.js';
import { pairingPayload } from '../lib/pairing.js';

interface Pairing {
  port: number;
  addresses: LanAddress[];
}

export function PhonesScreen() {
  const { api, t, lang, notify } = useApp();
  const report = useReportError();
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [pairing, setPairing] = useState<Pairing | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<{ name: string; url: string; qr: string } | null>(null);
  const [revoking, setRevoking] = useState<Device | null>(null);

  const load = useCallback(() => {
    setError(null);
    Promise.all([api.get<{ data: Device[] }>('/api/devices'), api.get<Pairing & { success: true }>('/api/pairing')]).then(
      ([d, p]) => {
        setDevices(d.data);
        setPairing(p);
        setAddress((a) => a || p.addresses[0]?.url || '');
      },
      setError,
    );
  }, [api]);
  useEffect(load, [load]);
  useOnReconnect(load);

  async function pair(e: FormEvent) {
    e.preventDefault();
    if (!name.trim() || !address) return;
    setBusy(true);
    try {
      const r = await api.post<{ deviceId: string; token: string }>('/api/devices', { name: name.trim() });
      const qr = await QRCode.toDataURL(pairingPayload(address, r.token), { width: 320, margin: 2, errorCorrectionLevel: 'M' });
      setShown({ name: name.trim(), url: address, qr });
      setName('');
      load();
    } catch (err) {
      report(err);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(d: Device) {
    try {
      await api.del(`/api/devices/${encodeURIComponent(d.deviceId)}`);
      setDevices((list) => list?.filter((x) => x.deviceId !== d.deviceId) ?? list);
      notify({ kind: 'info', title: `${t('revoke')}: ${d.name}` });
    } catch (err) {
      report(err);
    }
  }

  if (error !== null) {
    return (
      <section className="screen" aria-labelledby="phones-title">
        <div className="screen-head">
          <h1 id="phones-title">{t('phonesTitle')}</h1>
        </div>
        <ErrorBlock error={error} onRetry={load} />
      </section>
    );
  }

  return (
    <section className="screen phones-screen" aria-labelledby="phones-title">
      <div className="screen-head">
        <div>
          <h1 id="phones-title">{t('phonesTitle')}</h1>
          <p className="muted">{t('phonesLead')}</p>
        </div>
      </div>
      <div className="two-col">
        <form className="card form" onSubmit={pair} data-testid="pair-form">
          <h2>
            <Icon name="qr" /> {t('pairPhone')}
          </h2>
          <label className="field">
            <span>{t('deviceName')}</span>
            <input value={name} maxLength={80} dir="auto" placeholder={t('deviceNamePlaceholder')} onChange={(e) => setName(e.target.value)} data-testid="device-name" />
          </label>
          {pairing && pairing.addresses.length === 0 ? (
            <p className="error-inline" role="alert">{t('noLanAddress')}</p>
          ) : (
            <fieldset className="field">
              <legend>{t('lanAddress')}</legend>
              {pairing?.addresses.length === 1 ? (
                <code className="address" dir="ltr" data-testid="lan-address">{pairing.addresses[0]!.url}</code>
              ) : (
                pairing?.addresses.map((a) => (
                  <label key={a.url} className="radio">
                    <input type="radio" name="lan" value={a.url} checked={address === a.url} onChange={() => setAddress(a.url)} data-testid="lan-choice" />
                    <code dir="ltr">{a.url}</code>
                    <span className="fine">{a.name}</span>
                  </label>
                ))
              )}
            </fieldset>
          )}
          <button type="submit" className="btn primary" disabled={busy || !name.trim() || !address} data-testid="pair-submit">
            {t('createPairing')}
          </button>
        </form>
        <div className="card">
          <h2>{t('pairedDevices')}</h2>
          {!devices ? (
            <div className="boot">{t('loading')}</div>
          ) : devices.length === 0 ? (
            <p className="empty-line" data-testid="no-devices">{t('noDevices')}</p>
          ) : (
            <ul className="device-list" data-testid="device-list">
              {devices.map((d) => (
                <li key={d.deviceId} className="device" data-testid="device" data-device-id={d.deviceId}>
                  <span className="device-icon">
                    <Icon name="phones" />
                  </span>
                  <span className="device-main">
                    <strong dir="auto">{d.name}</strong>
                    <span className="fine">
                      {d.lastSeenAt ? t('lastSeen', { time: formatAgo(d.lastSeenAt, lang) }) : t('neverSeen')} · {t('pairedOn', { time: formatAgo(d.createdAt, lang) })}
                    </span>
                  </span>
                  <button type="button" className="btn small danger-text" onClick={() => setRevoking(d)} data-testid="device-revoke">
                    {t('revoke')}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      <Dialog open={shown !== null} onClose={() => setShown(null)} title={shown ? t('pairPhone') + ` — ${shown.name}` : ''} testId="pair-dialog">
        {shown && (
          <div className="pair-show">
            <img src={shown.qr} width={280} height={280} alt={t('pairQrAlt', { name: shown.name })} data-testid="pair-qr" />
            <p>{t('pairScan')}</p>
            <code dir="ltr">{shown.url}</code>
            <p className="fine">{t('pairOnce')}</p>
            <div className="dialog-actions">
              <button type="button" className="btn primary" onClick={() => setShown(null)} data-testid="pair-done" autoFocus>
                {t('pairDone')}
              </button>
            </div>
          </div>
        )}
      </Dialog>
      <ConfirmDialog
        open={revoking !== null}
        title={t('revokeConfirmTitle', { name: revoking?.name ?? '' })}
        body={t('revokeConfirmBody')}
        confirmLabel={t('revoke')}
        danger
        onConfirm={() => revoking && void revoke(revoking)}
        onClose={() => setRevoking(null)}
      />
    </section>
  );
}
