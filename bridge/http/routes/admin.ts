// Admin-only routes beyond the seed: audit log, settings, recent logs, pairing addresses.
import os from 'node:os';
import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { limitParam, parseOrThrow } from '../../api/schemas.js';
import { maskDbUrl, mysqlUrl } from '../../archive/db-url.js';
import { checkMysqlUrl } from '../../archive/mysql-check.js';
import { envLocked, type BridgeConfig } from '../../config.js';
import { writeJsonAtomic } from '../../files.js';
import { readSettingsOrEmpty, writeSettingsFile } from '../../settings-file.js';
import { phoneEndpoint } from '../../ws/hello.js';
import type { BridgeContext } from '../../context.js';
import { BridgeError } from '../../domain/index.js';
import { callerOf } from '../auth.js';
import { isLoopbackHost, reachableAt } from '../reachable.js';
import { LOG_KINDS, LOG_LEVELS, type LogKind } from '../../log-buffer.js';

const EDITABLE = ['port', 'slots', 'dbUrl', 'ratePerMinute', 'ratePerHour', 'ratePerDay', 'lanHttp'] as const;
type Editable = (typeof EDITABLE)[number];

const settingsBody = z
  .object({
    port: z.number().int().min(1).max(65535),
    slots: z.number().int().min(1).max(32),
    dbUrl: mysqlUrl.nullable(),
    ratePerMinute: z.number().int().min(1),
    ratePerHour: z.number().int().min(1),
    ratePerDay: z.number().int().min(1),
    lanHttp: z.boolean(),
  })
  .partial()
  .strict();

const dbUrlBody = z.object({ dbUrl: mysqlUrl.optional() });
/** The log screen's filters: newest `limit` lines of this level and above, one slot, one kind; `after` for the live tail. */
const logsQuery = z.object({
  limit: limitParam(1000, 200),
  level: z.enum(LOG_LEVELS as [string, ...string[]]).optional(),
  slot: z.coerce.number().int().min(1).max(64).optional(),
  kind: z.enum(LOG_KINDS as [LogKind, ...LogKind[]]).optional(),
  after: z.coerce.number().int().min(0).optional(),
});
const firebaseBody = z.object({
  serviceAccount: z.looseObject({
    type: z.literal('service_account', { error: 'serviceAccount.type must be "service_account"' }),
    project_id: z.string().min(1),
    private_key: z.string().min(1),
    client_email: z.string().min(1),
  }),
});


/** host:port of a database URL (the default MySQL port when none is given). */
function dbEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname.toLowerCase()}:${u.port || '3306'}`;
  } catch {
    throw new BridgeError('VALIDATION_ERROR', 'dbUrl: not a valid URL');
  }
}

/**
 * The URL "test database" may reach: the configured or saved one (no dbUrl given), or another
 * URL on the same host and port. Any other host must be saved first, so the button cannot be
 * used to probe arbitrary host ports from the bridge's machine.
 */
function testableDbUrl(config: BridgeConfig, requested: string | undefined): string {
  const known = [readSettingsOrEmpty(config.dataDir).dbUrl, config.dbUrl].filter((u): u is string => typeof u === 'string' && u.length > 0);
  if (requested === undefined) {
    if (!known[0]) throw new BridgeError('VALIDATION_ERROR', 'dbUrl is required (no database URL is configured)');
    return known[0];
  }
  const endpoint = dbEndpoint(requested);
  if (!known.some((u) => dbEndpoint(u) === endpoint)) {
    throw new BridgeError('FORBIDDEN', `test-db only reaches the configured database server; save ${endpoint} in the settings first, then test it`);
  }
  return requested;
}

function settingsView(config: BridgeConfig) {
  const saved = readSettingsOrEmpty(config.dataDir);
  const env = envLocked(config);
  // Set by an environment variable: the saved value would never apply, so the app shows it locked.
  const locked = Object.fromEntries(EDITABLE.filter((k) => env[k]).map((k) => [k, env[k]!]));
  const effective = { ...Object.fromEntries(EDITABLE.map((k) => [k, config[k] ?? null])), ...saved };
  for (const k of Object.keys(locked)) effective[k] = config[k as Editable] ?? null;
  const restartRequired = EDITABLE.filter((k) => k in saved && (saved[k] ?? null) !== (config[k] ?? null));
  return {
    data: {
      dataDir: config.dataDir,
      port: effective.port,
      slots: effective.slots,
      engine: config.engine,
      dbUrl: maskDbUrl(effective.dbUrl as string | null),
      firebaseServiceAccount: (saved.firebaseServiceAccount as string | undefined) ?? config.firebaseServiceAccount ?? null,
      ratePerMinute: effective.ratePerMinute,
      ratePerHour: effective.ratePerHour,
      ratePerDay: effective.ratePerDay,
      lanHttp: effective.lanHttp ?? false,
    },
    restartRequired: restartRequired.filter((k) => !(k in locked)) as string[],
    locked,
  };
}

function lanAddresses(port: number, host: string) {
  return Object.entries(os.networkInterfaces()).flatMap(([name, list]) =>
    (list ?? [])
      .filter((a) => a.family === 'IPv4' && !a.internal)
      .map((a) => ({ name, address: a.address, url: `https://${a.address}:${port}`, reachable: reachableAt(host, a.address) })),
  );
}

export function adminRoutes(ctx: BridgeContext, boundPort: () => number, boundHttpsPort: () => number | null = () => null): Router {
  const r = Router();

  r.get('/audit', async (req, res) => {
    const { limit } = parseOrThrow(z.object({ limit: limitParam(1000, 100) }), req.query);
    res.json({ success: true, data: await ctx.audit.recent(limit) });
  });

  r.get('/settings', (_req, res) => {
    res.json({ success: true, ...settingsView(ctx.config) });
  });

  r.put('/settings', (req, res) => {
    const changes = parseOrThrow(settingsBody, req.body) as Partial<Record<Editable, unknown>>;
    const env = envLocked(ctx.config);
    const lockedKey = (Object.keys(changes) as Editable[]).find((k) => env[k]);
    if (lockedKey) throw new BridgeError('VALIDATION_ERROR', `${lockedKey} is set by the environment variable ${env[lockedKey]}; change it there`);
    const saved: Record<string, unknown> = { ...readSettingsOrEmpty(ctx.config.dataDir), ...changes };
    for (const [k, v] of Object.entries(saved)) if (v === null) delete saved[k];
    writeSettingsFile(ctx.config.dataDir, saved);
    ctx.audit.record(callerOf(res).id, 'settings_changed', { keys: Object.keys(changes) }, req.ip ?? null);
    res.json({ success: true, ...settingsView(ctx.config) });
  });

  r.post('/restart', (req, res) => {
    const restart = ctx.restart;
    if (!restart) throw new BridgeError('FORBIDDEN', 'this bridge cannot restart itself (started without a supervisor); stop it and start it again');
    ctx.audit.record(callerOf(res).id, 'restart', {}, req.ip ?? null);
    ctx.logger.info('restart requested from the admin app');
    // Answer first: the restart closes this connection.
    res.on('finish', () => setImmediate(restart));
    res.status(202).json({ success: true, restarting: true });
  });

  r.post('/settings/test-db', async (req, res) => {
    const dbUrl = testableDbUrl(ctx.config, parseOrThrow(dbUrlBody, req.body).dbUrl);
    res.json({ success: true, ...(await checkMysqlUrl(dbUrl)) });
  });

  r.post('/settings/firebase', (req, res) => {
    const { serviceAccount } = parseOrThrow(firebaseBody, req.body);
    const file = path.join(ctx.config.dataDir, 'firebase-service-account.json');
    writeJsonAtomic(file, serviceAccount, { mode: 0o600, compact: true });
    writeSettingsFile(ctx.config.dataDir, { ...readSettingsOrEmpty(ctx.config.dataDir), firebaseServiceAccount: file });
    ctx.audit.record(callerOf(res).id, 'settings_changed', { keys: ['firebaseServiceAccount'] }, req.ip ?? null);
    res.json({ success: true, restartRequired: true });
  });

  r.get('/logs', (req, res) => {
    const q = parseOrThrow(logsQuery, req.query);
    res.json({ success: true, data: ctx.logs.query(q) });
  });

  r.get('/pairing', (_req, res) => {
    const port = boundHttpsPort() ?? boundPort();
    // An empty list tells the admin app to say "connect this computer to the phones' network".
    // The QR carries the certificate's fingerprint so the phone pins it (and the next one, if announced).
    // `host`/`loopbackOnly`: a bridge on 127.0.0.1 cannot be reached by any phone, whatever it lists.
    res.json({ success: true, port, addresses: lanAddresses(port, ctx.config.host), host: ctx.config.host, loopbackOnly: isLoopbackHost(ctx.config.host), fingerprint: ctx.tls?.fingerprint ?? null, nextFingerprint: ctx.tls?.nextFingerprint ?? null, lanHttp: ctx.tls?.lanHttp ?? false, ...(ctx.routing ? { nodes: ctx.routing.nodes().map(phoneEndpoint) } : {}) });
  });

  return r;
}
