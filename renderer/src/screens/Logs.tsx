// Logs: what the bridge did, in lines that explain (requests, slot lifecycle, phone pairing,
// push), filtered by level, slot and kind, with a live tail.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApp, useOnReconnect } from '../state/app.js';
import { useStore } from '../state/store.js';
import type { LogKind, LogLine } from '../api/types.js';
import { ErrorBlock } from '../components/Notices.js';
import { formatTime } from '../lib/format.js';
import { logText, mergeTail } from '../lib/log-lines.js';
import type { MessageKey } from '../i18n/i18n.js';

const KINDS: LogKind[] = ['request', 'lifecycle', 'pairing', 'push', 'other'];
const LEVELS = ['info', 'warn', 'error'] as const;
/** Lines kept on screen. */
const SHOWN = 500;
/** Live tail: how often to ask for newer lines. */
const TAIL_MS = 2000;

/** One filter: "all" (the empty value) or one of `options` ([value, label] pairs). */
function FilterSelect(props: { label: string; all: string; value: string; onChange: (value: string) => void; options: [string, string][]; testId: string }) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid={props.testId}>
        <option value="">{props.all}</option>
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function LogsScreen() {
  const { api, t, lang, slots } = useApp();
  const slotCount = useStore(slots.slots).length;
  const [level, setLevel] = useState('');
  const [slot, setSlot] = useState('');
  const [kind, setKind] = useState('');
  const [live, setLive] = useState(true);
  const [lines, setLines] = useState<LogLine[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const filters = { level: level || undefined, slot: slot || undefined, kind: kind || undefined };
  const key = JSON.stringify(filters);
  const shown = useRef<LogLine[]>([]);

  const load = useCallback(() => {
    setError(null);
    api.get<{ data: LogLine[] }>('/api/logs', { ...JSON.parse(key), limit: SHOWN }).then((r) => {
      shown.current = r.data;
      setLines(r.data);
    }, setError);
  }, [api, key]);
  useEffect(load, [load]);
  useOnReconnect(load);

  useEffect(() => {
    if (!live) return;
    const id = setInterval(() => {
      const after = shown.current[0]?.id;
      if (after === undefined) return load();
      api.get<{ data: LogLine[] }>('/api/logs', { ...JSON.parse(key), limit: SHOWN, after }).then((r) => {
        shown.current = mergeTail(shown.current, r.data, SHOWN);
        setLines(shown.current);
      }, () => undefined /* the link banner says the bridge is away */);
    }, TAIL_MS);
    return () => clearInterval(id);
  }, [api, key, live, load]);

  return (
    <section className="screen logs-screen" aria-labelledby="logs-title" data-testid="logs-screen">
      <div className="screen-head">
        <div>
          <h1 id="logs-title">{t('logsScreenTitle')}</h1>
          <p className="muted">{t('logsLead')}</p>
        </div>
      </div>
      <div className="card log-filters" role="group" aria-label={t('logsFilters')}>
        <FilterSelect label={t('logsLevel')} all={t('logsAllLevels')} value={level} onChange={setLevel} testId="logs-level"
          options={LEVELS.map((l) => [l, t(`logsLevel_${l}` as MessageKey)])} />
        <FilterSelect label={t('logsSlot')} all={t('logsAllSlots')} value={slot} onChange={setSlot} testId="logs-slot"
          options={Array.from({ length: slotCount }, (_, i) => [String(i + 1), t('slot', { n: i + 1 })])} />
        <FilterSelect label={t('logsKind')} all={t('logsAllKinds')} value={kind} onChange={setKind} testId="logs-kind"
          options={KINDS.map((k) => [k, t(`logsKind_${k}` as MessageKey)])} />
        <label className="radio">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} data-testid="logs-live" />
          <span>{t('logsLive')}</span>
        </label>
      </div>
      <div className="card">
        {error !== null ? (
          <ErrorBlock error={error} onRetry={load} />
        ) : !lines ? (
          <div className="boot">{t('loading')}</div>
        ) : lines.length === 0 ? (
          <p className="empty-line" data-testid="logs-empty">
            {t('noLogs')}
          </p>
        ) : (
          <ol className="log log-tall" dir="ltr" tabIndex={0} aria-label={t('logsScreenTitle')} data-testid="log-lines">
            {lines.map((l, i) => (
              <li key={l.id ?? i} className={`lvl-${l.level}`} data-testid="log-line" data-kind={l.kind} data-level={l.level}>
                <time>{formatTime(l.time, lang)}</time>
                <span className="lvl">{l.level}</span>
                <span className="log-kind">{l.slot ? `#${l.slot}` : ''}</span>
                <span className="msg">{logText(l)}</span>
              </li>
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}
