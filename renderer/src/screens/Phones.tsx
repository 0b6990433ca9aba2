// Phones: pair one (name, what it may do, which slots → token → QR of {url, token} on a chosen
// LAN address), list with each phone's scope, revoke.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import QRCode from 'qrcode';
import { useApp, useOnReconnect } from '../state/app.js';
import type { Device, DeviceRole, LanAddress, SlotInfo } from '../api/types.js';
import { Icon } from '../components/Icon.js';
import { ConfirmDialog, Dialog } from '../components/Dialog.js';
import { ErrorBlock, useReportError } from '../components/Notices.js';
import { formatAgo } from '../lib/format.js';
import { pairingPayload, type PairingNode } from '../lib/pairing.js';

interface Pairing {
  port: number;
  addresses: LanAddress[];
  fingerprint?: string | null;
  nextFingerprint?: string | null;
  /** The interface the bridge listens on; loopback means no phone can reach it. */
  host?: string;
  loopbackOnly?: boolean;
  /** Cluster mode: every node, so the phone can move when this one is away. */
  nodes?: PairingNode[];
}

/** The address to offer first: one a phone can reach (older bridges do not say: the first). */
function bestAddress(p: Pairing): string {
  return (p.addresses.find((a) => a.reachable !== false) ?? p.addresses[0])?.url ?? '';
}

const ROLES: { role: DeviceRole; label: 'roleRead' | 'roleSend' | 'roleManage'; short: 'roleShortRead' | 'roleShortSend' | 'roleShortManage' }[] = [
  { role: 'read', label: 'roleRead', short: 'roleShortRead' },
  { role: 'send', label: 'roleSend', short: 'roleShortSend' },
  { role: 'manage', label: 'roleManage', short: 'roleShortManage' },
];

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
  const [slotCount, setSlotCount] = useState(0);
  const [role, setRole] = useState<DeviceRole>('send');
  /** null = every slot. */
  const [slots, setSlots] = useState<number[] | null>(null);

  const load = useCallback(() => {
    setError(null);
    Promise.all([api.get<{ data: Device[] }>('/api/devices'), api.get<Pairing & { success: true }>('/api/pairing'), api.get<SlotInfo[]>('/api/slots')]).then(
      ([d, p, s]) => {
        setDevices(d.data);
        setPairing(p);
        setSlotCount(s.length);
        setAddress((a) => a || bestAddress(p));
      },
      setError,
    );
  }, [api]);
  useEffect(load, [load]);
  useOnReconnect(load);

  async function pair(e: FormEvent) {
    e.preventDefault();
    if (!name.trim() || !address || slots?.length === 0) return;
    setBusy(true);
    try {
      const r = await api.post<{ deviceId: string; token: string }>('/api/devices', { name: name.trim(), role, ...(slots ? { slots } : {}) });
      const qr = await QRCode.toDataURL(pairingPayload(address, r.token, pairing?.fingerprint, pairing?.nextFingerprint, pairing?.nodes), { width: 320, margin: 2, errorCorrectionLevel: 'M' });
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
      {pairing?.loopbackOnly && (
        <div className="card warning-card" role="alert" data-testid="loopback-warning">
          <Icon name="alert" size={18} />
          <div>
            <strong>{t('loopbackTitle')}</strong>
            <p>{t('loopbackBody', { host: pairing.host ?? '127.0.0.1' })}</p>
          </div>
        </div>
      )}
      {pairing && !pairing.loopbackOnly && pairing.addresses.some((a) => a.reachable) && (
        <p className="ok-inline" data-testid="reachable-address">
          {t('reachableAt')} <code dir="ltr">{bestAddress(pairing)}</code>
        </p>
      )}
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
                <code className="address" dir="ltr" data-testid="lan-address">
                  {pairing.addresses[0]!.url}
                  {pairing.addresses[0]!.reachable === false && <span className="fine err" data-testid="lan-unreachable"> {t('notReachable')}</span>}
                </code>
              ) : (
                pairing?.addresses.map((a) => (
                  <label key={a.url} className="radio">
                    <input type="radio" name="lan" value={a.url} checked={address === a.url} onChange={() => setAddress(a.url)} data-testid="lan-choice" />
                    <code dir="ltr">{a.url}</code>
                    <span className="fine">{a.name}</span>
                    {a.reachable === false && (
                      <span className="fine err" data-testid="lan-unreachable">
                        {t('notReachable')}
                      </span>
                    )}
                  </label>
                ))
              )}
            </fieldset>
          )}
          <fieldset className="field" data-testid="pair-role">
            <legend>{t('pairRole')}</legend>
            {ROLES.map((r) => (
              <label key={r.role} className="radio">
                <input type="radio" name="role" value={r.role} checked={role === r.role} onChange={() => setRole(r.role)} data-testid={`pair-role-${r.role}`} />
                <span>{t(r.label)}</span>
              </label>
            ))}
          </fieldset>
          <fieldset className="field" data-testid="pair-slots">
            <legend>{t('pairSlots')}</legend>
            <label className="radio">
              <input type="checkbox" checked={slots === null} onChange={(e) => setSlots(e.target.checked ? null : [])} data-testid="pair-all-slots" />
              <span>{t('pairAllSlots')}</span>
            </label>
            {slots !== null &&
              Array.from({ length: slotCount }, (_, i) => i + 1).map((n) => (
                <label key={n} className="radio">
                  <input
                    type="checkbox"
                    checked={slots.includes(n)}
                    onChange={(e) => setSlots((list) => (e.target.checked ? [...(list ?? []), n].sort((a, b) => a - b) : (list ?? []).filter((x) => x !== n)))}
                    data-testid="pair-slot"
                  />
                  <span>{n}</span>
                </label>
              ))}
            {slots?.length === 0 && <p className="error-inline" role="alert">{t('pairSlotsNone')}</p>}
          </fieldset>
          <button type="submit" className="btn primary" disabled={busy || !name.trim() || !address || slots?.length === 0} data-testid="pair-submit">
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
                    <span className="fine" data-testid="device-scope">
                      {t(ROLES.find((r) => r.role === d.role)?.short ?? 'roleShortManage')} · {d.slots ? t('scopeSlots', { slots: d.slots.join(', ') }) : t('scopeAllSlots')}
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
