// Where a slot's Chromium profile lives (LocalAuth's `session-<clientId>` folder): the engine
// launches on it, snapshots copy it. Kept apart so snapshot code needs no browser imports.
import path from 'node:path';

export function profileDirOf(dataDir: string, slot: number): string {
  return path.join(dataDir, 'sessions', `session-slot-${slot}`);
}
