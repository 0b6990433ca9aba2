// docs/api.md stays true to the code: the same REST routes, WebSocket commands and events, and
// error codes with their HTTP status; and the README points at it and at nothing outside the repo.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../bridge/domain/errors.js';
import { startBridge, type TestBridge } from '../helpers/bridge.js';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const docs = read('docs/api.md');

/** `METHOD /path` of every route the code registers. */
function codeRoutes(): Set<string> {
  const routes = new Set<string>();
  const dir = path.join(root, 'bridge/http/routes');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    for (const m of fs.readFileSync(path.join(dir, file), 'utf8').matchAll(/\br\.(get|post|put|delete|patch)\(\s*'([^']+)'/g)) {
      // Every router is mounted under /api, except the Prometheus route.
      routes.add(`${m[1]!.toUpperCase()} ${m[2] === '/metrics' ? '' : '/api'}${m[2]}`);
    }
  }
  for (const m of read('bridge/http/app.ts').matchAll(/\bapp\.(get|post|put|delete)\(\s*'([^']+)'/g)) routes.add(`${m[1]!.toUpperCase()} ${m[2]}`);
  return routes;
}

function docRoutes(): Set<string> {
  return new Set([...docs.matchAll(/\b(GET|POST|PUT|DELETE|PATCH) (\/[^\s`?]+)/g)].map((m) => `${m[1]} ${m[2]}`));
}

const commands = () => new Set([...read('bridge/ws/commands.ts').matchAll(/case '(\w+)'/g)].map((m) => m[1]!));
const events = () => new Set(['hello', ...[...read('bridge/types.ts').matchAll(/type: '(\w+)'/g)].map((m) => m[1]!)]);
/** Frames are the example lines that start with their type (message rows and push payloads have a `type` too). */
const docTypes = () => new Set([...docs.matchAll(/^\{"type":"(\w+)"/gm), ...docs.matchAll(/`\{"type":"(\w+)"/g)].map((m) => m[1]!));

describe('docs/api.md', () => {
  let t: TestBridge;
  beforeAll(async () => {
    t = await startBridge({ slots: 1 });
  });
  afterAll(() => t.stop());

  it('lists exactly the REST routes the code has', () => {
    const code = codeRoutes();
    expect(code.size).toBeGreaterThan(25);
    expect([...docRoutes()].filter((r) => !code.has(r)).sort()).toEqual([]);
    expect([...code].filter((r) => !docRoutes().has(r)).sort()).toEqual([]);
  });

  it('routes found in the code really answer at those paths', async () => {
    for (const route of codeRoutes()) {
      const [method, pattern] = route.split(' ') as [string, string];
      const url = pattern.replace(':slot', '1').replace(/:\w+/g, 'x');
      const res = await t.http[method.toLowerCase() as 'get'](url).set('apikey', t.token).send({});
      const noRoute = res.status === 404 && /^no route/.test(String(res.body?.error?.message));
      expect(noRoute ? route : null).toBeNull();
    }
  });

  it('gives an example frame for every WebSocket command and event, and no others', () => {
    const known = new Set([...commands(), ...events(), 'error']);
    const documented = docTypes();
    expect([...commands()].filter((c) => !documented.has(c))).toEqual([]);
    expect([...events()].filter((e) => !documented.has(e))).toEqual([]);
    expect([...documented].filter((d) => !known.has(d))).toEqual([]);
  });

  it('every field of a one-line event type in bridge/types.ts is in an example frame of that type', () => {
    const missing: string[] = [];
    const types = [...read('bridge/types.ts').matchAll(/^\s*\| \{ type: '(\w+)'; (.*) \};?$/gm)];
    expect(types.map((m) => m[1])).toContain('outbox_failed');
    for (const m of types) {
      const frames = [...docs.matchAll(new RegExp(`^\\{"type":"${m[1]}".*$`, 'gm'))].map((f) => f[0]);
      for (const field of m[2]!.split(';').map((f) => f.trim().split(/\??:/)[0]!)) {
        if (!frames.some((f) => f.includes(`"${field}":`))) missing.push(`${m[1]}.${field}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('has every error code with its HTTP status', () => {
    const table = Object.fromEntries([...docs.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]));
    expect(table).toEqual(ERROR_STATUS);
  });

  it('is linked from the README, which points to nothing outside the repository', () => {
    const readme = read('README.md');
    expect(readme).toContain('](docs/api.md)');
    for (const m of readme.matchAll(/\]\(([^)]+)\)/g)) {
      const target = m[1]!;
      if (/^https?:/.test(target)) continue;
      expect(target.startsWith('..') || target.startsWith('/') ? target : 'ok').toBe('ok');
      expect(fs.existsSync(path.join(root, target.split('#')[0]!))).toBe(true);
    }
    expect(readme).not.toMatch(/shared\//);
  });
});
