// Writing a small file so that a crash or power cut leaves either the old or the new content,
// never half of one: write a temporary file beside it, then rename over (atomic on one disk).
import fs from 'node:fs';

export function writeFileAtomic(file: string, data: string, opts: { mode?: number } = {}): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data, { mode: opts.mode });
    fs.renameSync(tmp, file);
  } catch (err) {
    try {
      fs.rmSync(tmp, { force: true }); // a full disk must not leave the temporary file behind
    } catch {
      // the original error is the one worth reporting
    }
    throw err;
  }
}

/** JSON, pretty-printed with a final newline, written atomically. */
export function writeJsonAtomic(file: string, value: unknown, opts: { mode?: number; compact?: boolean } = {}): void {
  writeFileAtomic(file, opts.compact ? JSON.stringify(value) : `${JSON.stringify(value, null, 2)}\n`, { mode: opts.mode });
}
