// Cluster (shown only when the bridge runs in cluster mode): every node with its role and
// state, the slots it runs, "Move to…" to hand a slot to another node, and "Drain" to empty a
// node before maintenance (it hands its slots over and takes no new ones) or "Undrain" it.
import { useCallback, useEffect, useState } from 'react';
import { useApp, useOnReconnect } from '../state/app.js';
import { ErrorBlock, useReportError } from '../components/Notices.js';
import type { ClusterHealth, ClusterNodeHealth } from '../api/types.js';

const REFRESH_MS = 3000;

export function ClusterScreen() {
  const { api, t, notify } = useApp();
  const report = useReportError();
  const [health, setHealth] = useState<ClusterHealth | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [target, setTarget] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(() => {
    api.get<ClusterHealth>('/api/cluster/health').then((h) => {
      setHealth(h);
      setError(null);
    }, setError);
  }, [api]);
  useEffect(() => {
    load();
    const id = setInterval(load, REFRESH_MS);
    return () => clearInterval(id);
  }, [load]);
  useOnReconnect(load);

  const live = health ? Object.entries(health.health).filter((e): e is [string, ClusterNodeHealth & { slots: object }] => !('errors' in e[1])) : [];

  async function move(slot: string) {
    const node = target[slot] ?? '';
    if (!node) return;
    setBusy(slot);
    try {
      await api.post(`/api/cluster/slots/${slot}/move`, { node });
      notify({ kind: 'info', title: t('clusterMoving', { slot, node }) });
      load();
    } catch (err) {
      report(err);
    } finally {
      setBusy(null);
    }
  }

  async function drain(node: string, draining: boolean) {
    setBusy(`drain:${node}`);
    try {
      await api.post(`/api/cluster/nodes/${encodeURIComponent(node)}/drain`, { draining });
      notify({ kind: 'info', title: t(draining ? 'clusterDraining' : 'clusterUndrained', { node }) });
      load();
    } catch (err) {
      report(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="screen cluster-screen" aria-labelledby="cluster-title">
      <div className="screen-head">
        <h1 id="cluster-title">{t('clusterTitle')}</h1>
      </div>
      {error != null && !health && <ErrorBlock error={error} onRetry={load} />}
      {health && (
        <div className="cluster-nodes" data-testid="cluster-nodes">
          {Object.entries(health.health).map(([id, node]) => (
            <div className="card" key={id} data-testid="cluster-node">
              <h2>
                <span dir="ltr">{id}</span>{' '}
                {'errors' in node ? (
                  <span className="badge demo">{t('clusterNodeDown')}</span>
                ) : (
                  <>
                    <span className="badge">{node.role === 'primary_master' ? t('clusterPrimary') : t('clusterSecondary')}</span>
                    {node.draining && (
                      <>
                        {' '}
                        <span className="badge demo" data-testid="cluster-draining">
                          {t('clusterDrainingBadge')}
                        </span>
                      </>
                    )}
                  </>
                )}
              </h2>
              {'errors' in node ? (
                <p className="muted">{node.errors.map((e) => `${e.code} ${e.title}: ${e.details}`).join('; ')}</p>
              ) : (
                <>
                  <p className="muted">
                    <span dir="ltr">{node.url}</span> · {node.gateway_status}{' '}
                    <button type="button" className="btn" disabled={busy === `drain:${id}`} onClick={() => void drain(id, !node.draining)} data-testid="cluster-drain">
                      {node.draining ? t('clusterUndrain') : t('clusterDrain')}
                    </button>
                  </p>
                  {Object.keys(node.slots).length === 0 ? (
                    <p className="muted">{t('clusterNoSlots')}</p>
                  ) : (
                    <ul className="cluster-slots">
                      {Object.entries(node.slots).map(([slot, s]) => {
                        const others = live.filter(([other, n]) => other !== id && !('draining' in n && n.draining));
                        return (
                          <li key={slot} data-testid={`cluster-slot-${slot}`}>
                            <strong>{t('clusterSlot', { slot })}</strong> {s.state}
                            {s.phone ? <span dir="ltr"> +{s.phone}</span> : null}
                            {others.length > 0 && (
                              <span className="cluster-move">
                                <label>
                                  <span className="sr-only">{t('clusterMoveTo', { slot })}</span>
                                  <select
                                    value={target[slot] ?? ''}
                                    onChange={(e) => setTarget((m) => ({ ...m, [slot]: e.target.value }))}
                                    data-testid={`cluster-move-target-${slot}`}
                                  >
                                    <option value="">{t('clusterMoveTo', { slot })}</option>
                                    {others.map(([other]) => (
                                      <option key={other} value={other}>
                                        {other}
                                      </option>
                                    ))}
                                  </select>
                                </label>
                                <button type="button" className="btn" disabled={!target[slot] || busy === slot} onClick={() => void move(slot)} data-testid={`cluster-move-${slot}`}>
                                  {t('clusterMove')}
                                </button>
                              </span>
                            )}
                          </li>
                        );
                      })}
                    </ul>
                  )}
                </>
              )}
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
