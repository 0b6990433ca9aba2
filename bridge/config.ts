// The whole configuration as one schema: defaults ← data-dir config.json ← environment variables.
// A bad value stops start-up with one line naming the variable (ConfigError).
import path from 'node:path';
import { z } from 'zod';
import { mysqlUrl } from './archive/db-url.js';
import { readSettingsFile, SETTINGS_FILE, SettingsFileError } from './settings-file.js';

export { SETTINGS_FILE };

const MiB = 1024 * 1024;

/** The largest media file WhatsApp takes as a photo/video/voice note, and what the admin app allows. */
export const MEDIA_LIMIT_BYTES = 16 * MiB;
/** Media travels as base64 (4 bytes per 3) inside JSON: room for a 16 MiB file plus the fields. */
export const DEFAULT_BODY_LIMIT = 4 * Math.ceil(MEDIA_LIMIT_BYTES / 3) + MiB;

const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/** Every option: [env var, schema, one line of documentation]. */
export const configSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(3000).describe('PORT: HTTP port (0 = any free port)'),
  httpsPort: z.coerce.number().int().min(0).max(65535).optional().describe('WA_BRIDGE_HTTPS_PORT: HTTPS/WSS port for the LAN (default PORT + 1)'),
  host: z.string().min(1).default('0.0.0.0').describe('HOST: interface to listen on'),
  dataDir: z.string().min(1).default('./data').describe('WA_BRIDGE_DATA_DIR: sessions, database, tokens'),
  adminToken: z.string().min(16).optional().describe('WA_BRIDGE_ADMIN_TOKEN: fixed admin token (else generated once and saved)'),
  engine: z.enum(['wwebjs', 'demo']).default('wwebjs').describe('WA_BRIDGE_ENGINE: wwebjs (real WhatsApp) or demo (simulated accounts)'),
  slots: z.coerce.number().int().min(1).max(32).default(6).describe('WA_BRIDGE_SLOTS: number of WhatsApp accounts'),
  defaultSlot: z.coerce.number().int().min(1).max(32).default(1).describe('WA_BRIDGE_DEFAULT_SLOT: the slot GraphQL uses for the admin token when none is given'),
  chromePath: z.string().min(1).optional().describe('CHROME_PATH: browser executable for the slots'),
  bundledBrowserDir: z.string().min(1).optional().describe('WA_BRIDGE_BUNDLED_BROWSER_DIR: a browser shipped with the desktop app'),
  chromiumArgs: z.string().default('').describe('WA_BRIDGE_CHROMIUM_ARGS: extra Chromium flags, space separated'),
  dbUrl: mysqlUrl
    .optional()
    .describe('WA_BRIDGE_DB_URL: unset = SQLite in the data dir; mysql://… = MySQL/MariaDB'),
  firebaseServiceAccount: z.string().min(1).optional().describe('FIREBASE_SERVICE_ACCOUNT: path to the service-account JSON (unset = push off)'),
  webVersion: z.string().min(1).optional().describe('WA_BRIDGE_WEB_VERSION: pin the WhatsApp Web version'),
  webCacheDir: z.string().min(1).optional().describe('WA_BRIDGE_WEB_CACHE_DIR: local WhatsApp Web version cache folder'),
  demoScanMs: z.coerce.number().int().min(0).max(600_000).default(3000).describe('WA_BRIDGE_DEMO_SCAN_MS: demo engine self-scan delay'),
  allowCidrs: csv
    .default(['127.0.0.0/8', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', 'fc00::/7', 'fe80::/10'])
    .describe('WA_BRIDGE_ALLOW_CIDRS: networks allowed to connect, comma separated'),
  corsOrigins: csv.default([]).describe('WA_BRIDGE_CORS_ORIGINS: origins allowed cross-origin (none by default)'),
  bodyLimitBytes: z.coerce.number().int().min(1024).default(DEFAULT_BODY_LIMIT).describe('WA_BRIDGE_BODY_LIMIT: request body limit in bytes (default: a 16 MiB file as base64)'),
  largeBodies: z.coerce.number().int().min(1).default(4).describe('WA_BRIDGE_LARGE_BODIES: request bodies over 1 MiB read at once (more wait their turn)'),
  ratePerMinute: z.coerce.number().int().min(1).default(10).describe('WA_BRIDGE_RATE_PER_MINUTE: messages per recipient per minute'),
  ratePerHour: z.coerce.number().int().min(1).default(100).describe('WA_BRIDGE_RATE_PER_HOUR: messages per recipient per hour'),
  ratePerDay: z.coerce.number().int().min(1).default(1000).describe('WA_BRIDGE_RATE_PER_DAY: messages per slot per day'),
  reconnectAttempts: z.coerce.number().int().min(0).default(5).describe('WA_BRIDGE_RECONNECT_ATTEMPTS: restarts before FAILED'),
  reconnectDelayMs: z.coerce.number().int().min(0).default(30_000).describe('WA_BRIDGE_RECONNECT_DELAY_MS: wait between restarts'),
  watchdogIntervalMs: z.coerce.number().int().min(100).default(30_000).describe('WA_BRIDGE_WATCHDOG_MS: liveness probe interval'),
  watchdogTimeoutMs: z.coerce.number().int().min(100).default(15_000).describe('WA_BRIDGE_WATCHDOG_TIMEOUT_MS: probe answer deadline'),
  qrMaxRefreshes: z.coerce.number().int().min(1).default(6).describe('WA_BRIDGE_QR_MAX_REFRESHES: unscanned QRs before the slot stops'),
  memoryLimitMb: z.coerce.number().int().min(0).default(1500).describe('WA_BRIDGE_MEMORY_LIMIT_MB: restart a slot whose browser passes this (0 = off)'),
  mediaMaxMb: z.coerce.number().min(0).default(4096).describe('WA_BRIDGE_MEDIA_MAX_MB: size cap of the media store in MiB; the oldest files go first'),
  lowMemoryFlags: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true')
    .describe('WA_BRIDGE_LOW_MEMORY: low-memory Chromium flags'),
  lanHttp: z
    .preprocess((v) => (typeof v === 'boolean' ? String(v) : v), z.enum(['true', 'false']))
    .transform((v) => v === 'true')
    .optional()
    .describe('WA_BRIDGE_LAN_HTTP: also serve plain HTTP to the LAN (legacy, for phones paired before HTTPS; default off, on for installs upgraded with paired phones)'),
  sessionKey: z
    .string()
    .refine((v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v.trim()) && Buffer.from(v.trim().replace(/-/g, '+').replace(/_/g, '/'), 'base64').length === 32, 'must be 32 bytes of base64')
    .optional()
    .describe('WA_BRIDGE_SESSION_KEY: base64 32-byte key that encrypts session snapshots (else generated once into the data dir)'),
  sessionStore: z
    .string()
    .regex(/^(local|mysql|https?:\/\/.+)$/, 'must be local, mysql or an http(s):// URL of a session-store service')
    .default('local')
    .describe('WA_BRIDGE_SESSION_STORE: where snapshots go: local, mysql (the archive database) or http://host:5656'),
  sessionStoreToken: z.string().min(1).optional().describe('WA_BRIDGE_SESSION_STORE_TOKEN: the apikey sent to a session-store service'),
  snapshotIntervalMs: z.coerce.number().int().min(1000).default(300_000).describe('WA_BRIDGE_SNAPSHOT_INTERVAL_MS: snapshot period while READY'),
  snapshotFirstDelayMs: z.coerce.number().int().min(0).default(60_000).describe('WA_BRIDGE_SNAPSHOT_FIRST_DELAY_MS: first snapshot after READY'),
  snapshotKeep: z.coerce.number().int().min(1).max(100).default(3).describe('WA_BRIDGE_SNAPSHOT_KEEP: snapshots kept per slot'),
  backupMaxMb: z.coerce.number().min(1).default(4096).describe('WA_BRIDGE_BACKUP_MAX_MB: the largest backup file the admin app may upload to restore from'),
  cluster: z
    .enum(['0', '1', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true')
    .describe('WA_BRIDGE_CLUSTER: 1 = several bridges share the slots through the MySQL/MariaDB database (needs WA_BRIDGE_DB_URL and WA_BRIDGE_CLUSTER_KEY)'),
  nodeName: z.string().min(1).max(48).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only').optional().describe('WA_BRIDGE_NODE_NAME: the name of this node in the cluster (default: the host name)'),
  advertiseUrl: z.string().url().optional().describe('WA_BRIDGE_ADVERTISE_URL: how other nodes and phones reach this node (default http://<host name>:PORT)'),
  clusterKey: z.string().min(16, 'must be at least 16 characters').optional().describe('WA_BRIDGE_CLUSTER_KEY: shared secret for node-to-node calls (the same on every node)'),
  maxSlots: z.coerce.number().int().min(0).max(32).default(6).describe('WA_BRIDGE_MAX_SLOTS: how many slots this node runs at most in a cluster'),
  preferredSlots: csv
    .pipe(z.array(z.string().regex(/^\d+$/, 'slot numbers, comma separated').transform(Number).pipe(z.number().int().min(1).max(32))))
    .default([])
    .describe('WA_BRIDGE_PREFERRED_SLOTS: slots this node takes first in a cluster, comma separated'),
  leaseTtlMs: z.coerce.number().int().min(1000).default(10_000).describe('WA_BRIDGE_LEASE_TTL_MS: how long a slot lease lasts without renewal'),
  leaseRenewMs: z.coerce.number().int().min(100).default(2_000).describe('WA_BRIDGE_LEASE_RENEW_MS: how often an owner renews its leases'),
  standbyPollMs: z.coerce.number().int().min(100).default(1_000).describe('WA_BRIDGE_STANDBY_POLL_MS: how often a node looks for free or expired slots'),
  eventPollMs: z.coerce.number().int().min(10).max(60_000).default(100).describe('WA_BRIDGE_EVENT_POLL_MS: how often a node reads the shared event table when no poke from the writing node came (cluster)'),
  fenceMarginMs: z.coerce.number().int().min(100).default(2_000).describe('WA_BRIDGE_FENCE_MARGIN_MS: an owner stops a slot this long before its lease could expire'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('LOG_LEVEL'),
});

export type BridgeConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** Environment variable for each option. */
export const ENV_NAMES: Record<keyof BridgeConfig, string> = Object.fromEntries(
  Object.entries(configSchema.shape).map(([key, schema]) => [key, (schema.description ?? key).split(':')[0]!]),
) as Record<keyof BridgeConfig, string>;

export class ConfigError extends Error {}

/** The options an environment variable set, by option (the admin app shows them as locked). */
const ENV_SET = new WeakMap<BridgeConfig, Partial<Record<keyof BridgeConfig, string>>>();

/** Which options of this config an environment variable decided, with the variable's name. */
export function envLocked(config: BridgeConfig): Partial<Record<keyof BridgeConfig, string>> {
  return ENV_SET.get(config) ?? {};
}

/** Options the admin app saved into `<dataDir>/config.json` (applied at start). */
function fileSettings(dataDir: string): Record<string, unknown> {
  try {
    return readSettingsFile(dataDir) ?? {};
  } catch (err) {
    if (err instanceof SettingsFileError) throw new ConfigError(err.message);
    throw err;
  }
}

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

function parse(input: Record<string, unknown>, origin: (key: string) => string): BridgeConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  throw new ConfigError(`${origin(key)}: ${issue.message}`);
}

/** Load the configuration: explicit overrides (tests, Electron) win over env, env over the file. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigInput = {}): BridgeConfig {
  const envValues = fromEnv(env);
  const dataDir = path.resolve(String(overrides.dataDir ?? envValues.dataDir ?? './data'));
  const fileValues = fileSettings(dataDir);
  const merged = { ...fileValues, ...envValues, ...overrides, dataDir };
  const config = parse(merged, (key) => {
    if (key in overrides) return `option ${key}`;
    if (key in envValues) return ENV_NAMES[key as keyof BridgeConfig] ?? key;
    if (key in fileValues) return `${path.join(dataDir, SETTINGS_FILE)} "${key}"`;
    return key;
  });
  checkClusterConfig(config);
  if (config.cluster) clusterSessionStore(config, merged.sessionStore !== undefined);
  // An explicit override beats the variable, so only what the environment really decided is locked.
  const locked = Object.keys(envValues).filter((k) => !(k in overrides));
  ENV_SET.set(config, Object.fromEntries(locked.map((k) => [k, ENV_NAMES[k as keyof BridgeConfig]])));
  return config;
}

/** In a cluster a slot moves through its snapshot, so snapshots live in the shared database. */
function clusterSessionStore(config: BridgeConfig, explicit: boolean): void {
  if (config.sessionStore === 'mysql') return;
  if (explicit) throw new ConfigError('WA_BRIDGE_SESSION_STORE: cluster mode keeps snapshots in the shared database; use mysql (or leave it unset)');
  config.sessionStore = 'mysql';
}

/** Cluster mode needs the shared database and the node-to-node secret; say which is missing. */
function checkClusterConfig(config: BridgeConfig): void {
  if (!config.cluster) return;
  if (!config.dbUrl) throw new ConfigError('WA_BRIDGE_CLUSTER: cluster mode needs WA_BRIDGE_DB_URL=mysql://… (the nodes share that database)');
  if (!config.clusterKey) throw new ConfigError('WA_BRIDGE_CLUSTER: cluster mode needs WA_BRIDGE_CLUSTER_KEY (a shared secret of 16+ characters, the same on every node)');
  if (config.leaseRenewMs * 2 > config.leaseTtlMs - config.fenceMarginMs) {
    throw new ConfigError('WA_BRIDGE_LEASE_TTL_MS: must leave room for two renewals before the fence margin (TTL − margin ≥ 2 × renew)');
  }
}
