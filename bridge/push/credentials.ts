// Reads and checks the Firebase service-account key, so a bad file is one clear reason at start-up
// instead of an opaque failure on the first push.
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';

const serviceAccountSchema = z.object({
  project_id: z.string().min(1),
  client_email: z.string().min(3).includes('@'),
  private_key: z.string().min(1),
});

export type ServiceAccount = z.infer<typeof serviceAccountSchema> & Record<string, unknown>;

export type LoadResult = { ok: true; account: ServiceAccount } | { ok: false; reason: string };

export function loadServiceAccount(file: string | undefined): LoadResult {
  if (!file) return { ok: false, reason: 'FIREBASE_SERVICE_ACCOUNT is not set' };
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, reason: `cannot read service account ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: `service account ${file} is not valid JSON` };
  }
  const parsed = serviceAccountSchema.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') || 'root';
    return { ok: false, reason: `service account ${file}: missing or invalid "${field}"` };
  }
  try {
    createPrivateKey(parsed.data.private_key);
  } catch {
    return { ok: false, reason: `service account ${file}: private_key is not a valid PEM key` };
  }
  return { ok: true, account: { ...(json as Record<string, unknown>), ...parsed.data } };
}
