// Who this node is in the cluster: `<name>:<6 hex>`, the hex generated once and kept in the data
// dir (the guide's `host:container`), so a restarted node keeps its id and a copied data dir on
// another machine does not pass for it unless its file is copied too.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const NODE_ID_FILE = 'cluster-node-id';

/** The host name as a node name: the characters config allows, at most 48 of them. */
export function hostNodeName(hostname = os.hostname()): string {
  const clean = hostname.split('.')[0]!.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 48);
  return clean || 'node';
}

/** This node's suffix, created on first use (0600: it names the node, nothing secret). */
export function nodeSuffix(dataDir: string): string {
  const file = path.join(dataDir, NODE_ID_FILE);
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{6}$/.test(existing)) return existing;
  } catch {
    // first start in cluster mode
  }
  const suffix = randomBytes(3).toString('hex');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${suffix}\n`, { mode: 0o600 });
  return suffix;
}

export function nodeId(dataDir: string, nodeName?: string): string {
  return `${nodeName ?? hostNodeName()}:${nodeSuffix(dataDir)}`;
}

/** How peers and phones reach this node when WA_BRIDGE_ADVERTISE_URL is not set. */
export function defaultAdvertiseUrl(port: number, hostname = os.hostname()): string {
  return `http://${hostname}:${port}`;
}
