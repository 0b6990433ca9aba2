// The archive's database URL: what counts as one, and how it is shown without its password.
import { z } from 'zod';

export const mysqlUrl = z.string().regex(/^mysql:\/\//, 'must be a mysql://user:pass@host:3306/db URL');

/** Hide the password of a database URL. */
export function maskDbUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return 'mysql://(unreadable)';
  }
}
