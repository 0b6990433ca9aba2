// A storage-failure double for the state DB: the real SQLite file, except that while `full` is
// set every write statement fails the way SQLite does on a full disk (SQLITE_FULL).
import type { StateDb } from '../../bridge/state/db.js';

const WRITE = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

export interface FailingDb {
  db: StateDb;
  full: boolean;
  failedWrites: number;
}

export function failingDb(real: StateDb): FailingDb {
  const control: FailingDb = { db: real, full: false, failedWrites: 0 };
  const fail = () => {
    control.failedWrites++;
    throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  };
  control.db = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'prepare') {
        return (sql: string) => {
          const stmt = target.prepare(sql);
          if (!WRITE.test(sql)) return stmt;
          return new Proxy(stmt, {
            get(s, p) {
              if (p === 'run') return (...args: unknown[]) => (control.full ? fail() : (s.run as (...a: unknown[]) => unknown)(...args));
              const v = Reflect.get(s, p, s);
              return typeof v === 'function' ? v.bind(s) : v;
            },
          });
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return control;
}
