// Versioned migrations. Each backend lists its own SQL; the rules are shared: a migration expands
// (adds tables, columns, indexes) so the previous release keeps working on the new schema, and
// removing what old code still needs waits for a later release ("contract"), which raises the
// oldest code the schema accepts (`minCode`). Each runs once and is recorded; a database that
// needs newer code than this bridge is refused before anything is touched.

export interface Migration {
  version: number;
  name: string;
  /** Statements run in order (SQLite: inside one transaction). */
  statements: string[];
  /**
   * The oldest code that still works once this migration ran, named by the newest migration that
   * code knows. Default 1: an expand step, every older release keeps working. A contract step
   * (dropping what older code reads) names the first release that no longer needs it.
   */
  minCode?: number;
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

/** The oldest code level a database that ran these migrations accepts. */
export function minCodeOf(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.minCode ?? 1), 1);
}

/**
 * Throws when the schema needs newer code than this bridge (`codeLevel`: the newest migration it
 * knows). A newer schema made only of expand steps is accepted: that is what lets an older bridge
 * keep serving while a newer one upgrades the database.
 */
export function assertCompatible(schema: { version: number; minCode: number }, codeLevel: number, where: string): void {
  if (schema.minCode <= codeLevel) return;
  throw new ArchiveSchemaError(
    `${where}: the archive schema is version ${schema.version}, newer than this bridge understands (${codeLevel}); ` +
      `it needs WA Bridge with schema ${schema.minCode} or newer: upgrade WA Bridge or point it at another database. Nothing was changed.`,
  );
}

/** The migrations still to run, in order, up to `target` (tests stop early to build an older schema). */
export function pending(migrations: readonly Migration[], current: number, target = latestVersion(migrations)): Migration[] {
  return [...migrations].sort((a, b) => a.version - b.version).filter((m) => m.version > current && m.version <= target);
}
