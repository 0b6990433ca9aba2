// Versioned, additive migrations. Each backend lists its own SQL; the rules are shared: a
// migration only adds (tables, columns, indexes) so an older bridge can keep reading, each runs
// once and is recorded, and a database newer than this code is refused before anything is touched.

export interface Migration {
  version: number;
  name: string;
  /** Statements run in order (SQLite: inside one transaction). */
  statements: string[];
}

export class ArchiveSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveSchemaError';
  }
}

export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

/** Throws when the database was written by a newer bridge than this one. */
export function assertNotNewer(current: number, migrations: readonly Migration[], where: string): void {
  const latest = latestVersion(migrations);
  if (current > latest) {
    throw new ArchiveSchemaError(
      `${where}: the archive schema is version ${current}, newer than this bridge understands (${latest}); ` +
        'upgrade WA Bridge or point it at another database. Nothing was changed.',
    );
  }
}

/** The migrations still to run, in order, up to `target` (tests stop early to build an older schema). */
export function pending(migrations: readonly Migration[], current: number, target = latestVersion(migrations)): Migration[] {
  return [...migrations].sort((a, b) => a.version - b.version).filter((m) => m.version > current && m.version <= target);
}
