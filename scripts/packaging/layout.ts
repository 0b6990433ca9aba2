// Checks a packed app's resources folder (app.asar + app.asar.unpacked + extraResources)
// against where the app looks for each file at run time:
// - plain reads (main, preload, bridge, admin app) work from inside app.asar;
// - a worker thread cannot start from inside the archive, so the SQLite worker and every
//   module it imports must be unpacked (the bridge loads it from app.asar.unpacked);
// - native addons, and the packages that load them, must be unpacked;
// - the slots' browser is an executable, so it lives outside the archive (resources/chromium).
// The archive's migrations are SQL strings inside the worker's modules, so they travel with it.
import { extractFile, getRawHeader } from '@electron/asar';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { findBundledBrowser } from '../../bridge/engine/chromium/find.js';

export interface RuntimeSpec {
  /** Files read in place by the main process, relative to the app root (package.json "main", preload, bridge). */
  plain: string[];
  /** Entry files of worker threads: each and its whole import graph must be unpacked. */
  workers: string[];
  /** The admin app's index.html; it and the assets it references must be readable. */
  rendererIndex: string;
  /** The bundled browser (folder under resources, target OS), when the build ships one. */
  browser?: { folder: string; platform: NodeJS.Platform };
}

interface Entry {
  unpacked: boolean;
}

interface HeaderNode {
  files?: Record<string, HeaderNode>;
  unpacked?: boolean;
  link?: string;
}

/** Every file in the archive (posix paths relative to the app root) and whether it is unpacked. */
export function archiveEntries(asarFile: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  const walk = (node: HeaderNode, prefix: string): void => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      const rel = prefix ? `${prefix}/${name}` : name;
      if (child.files) walk(child, rel);
      else entries.set(rel, { unpacked: child.unpacked === true });
    }
  };
  walk(getRawHeader(asarFile).header as HeaderNode, '');
  return entries;
}

/** The app as Electron sees it: the archive's entries, unpacked ones read from app.asar.unpacked. */
export class PackedApp {
  readonly entries: Map<string, Entry>;
  constructor(readonly resourcesDir: string) {
    this.entries = archiveEntries(path.join(resourcesDir, 'app.asar'));
  }

  get unpackedDir(): string {
    return path.join(this.resourcesDir, 'app.asar.unpacked');
  }

  has(rel: string): boolean {
    return this.entries.has(rel);
  }

  /** Unpacked in the header AND present on disk beside the archive. */
  isUnpacked(rel: string): boolean {
    return this.entries.get(rel)?.unpacked === true && fs.existsSync(path.join(this.unpackedDir, rel));
  }

  /** The file's text as Electron would read it; null when it is not there. */
  read(rel: string): string | null {
    const entry = this.entries.get(rel);
    if (!entry) return null;
    if (entry.unpacked) {
      const file = path.join(this.unpackedDir, rel);
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    }
    return extractFile(path.join(this.resourcesDir, 'app.asar'), rel).toString('utf8');
  }
}

const STATIC_IMPORT = /(?:^|[;\n])\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?\s*['"]([^'"]+)['"]/g;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
const REQUIRE = /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Module specifiers a compiled JS file loads (static, literal dynamic imports, require). */
export function importSpecifiers(source: string): string[] {
  const found = new Set<string>();
  for (const re of [STATIC_IMPORT, DYNAMIC_IMPORT, REQUIRE]) for (const m of source.matchAll(re)) found.add(m[1]);
  return [...found];
}

/** "pkg/sub" → "pkg", "@s/pkg/sub" → "@s/pkg"; null for node: builtins and relative paths. */
export function packageName(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return BUILTINS.has(name) ? null : name;
}
const BUILTINS = new Set(builtinModules);

/** A worker's files and the npm packages it loads (following their own requires), as seen in the archive. */
export function workerClosure(app: PackedApp, entry: string): { files: string[]; packages: string[]; missing: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const missing = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    const text = app.read(file);
    if (text === null) {
      missing.add(file);
      continue;
    }
    files.add(file);
    if (!file.endsWith('.js') && !file.endsWith('.cjs') && !file.endsWith('.mjs')) continue;
    for (const spec of importSpecifiers(text)) {
      const pkg = packageName(spec);
      let target: string | null;
      if (pkg) {
        packages.add(pkg);
        target = resolvePackage(app, spec, pkg);
      } else if (spec.startsWith('.')) {
        target = resolveFile(app, path.posix.join(path.posix.dirname(file), spec));
      } else continue; // a Node builtin
      if (target) queue.push(target);
      else missing.add(spec.startsWith('.') ? path.posix.join(path.posix.dirname(file), spec) : spec);
    }
  }
  return { files: [...files].filter((f) => !f.startsWith('node_modules/')), packages: [...packages], missing: [...missing] };
}

/** Node's file lookup for a relative require: as is, with an extension, or a folder's index. */
function resolveFile(app: PackedApp, rel: string): string | null {
  const base = path.posix.normalize(rel);
  for (const candidate of [base, `${base}.js`, `${base}.json`, `${base}/index.js`]) if (app.has(candidate)) return candidate;
  return null;
}

type Exports = string | { [key: string]: Exports } | null | undefined;

/** The file a package's entry (exports "." → require/import/default, else main, else index.js) names. */
function resolvePackage(app: PackedApp, spec: string, pkg: string): string | null {
  const root = `node_modules/${pkg}`;
  if (spec !== pkg) return resolveFile(app, `${root}${spec.slice(pkg.length)}`);
  const manifest = `${root}/package.json`;
  if (!app.has(manifest)) return null;
  const json = JSON.parse(app.read(manifest) ?? '{}') as { main?: string; exports?: Exports };
  const pick = (e: Exports): string | undefined => {
    if (typeof e === 'string') return e;
    if (!e) return undefined;
    for (const key of ['.', 'node', 'import', 'require', 'default']) if (key in e) return pick(e[key]);
    return undefined;
  };
  const entry = pick(json.exports) ?? json.main ?? 'index.js';
  return resolveFile(app, path.posix.join(root, entry));
}

/** Assets index.html references by absolute path ("/assets/…"), relative to the renderer folder. */
export function rendererAssets(indexHtml: string): string[] {
  return [...indexHtml.matchAll(/(?:src|href)="\/([^"#?]+)"/g)].map((m) => m[1]).filter((p) => !p.startsWith('/'));
}

/** Everything wrong with the packed layout; empty when every runtime file is where it is looked for. */
export function layoutProblems(resourcesDir: string, spec: RuntimeSpec): string[] {
  const problems: string[] = [];
  if (!fs.existsSync(path.join(resourcesDir, 'app.asar'))) return [`no app.asar in ${resourcesDir}`];
  const app = new PackedApp(resourcesDir);
  const readable = (rel: string, what: string): void => {
    const entry = app.entries.get(rel);
    if (!entry) problems.push(`${what} ${rel} is not in app.asar`);
    else if (entry.unpacked && !fs.existsSync(path.join(app.unpackedDir, rel))) problems.push(`${what} ${rel} is marked unpacked but missing from app.asar.unpacked`);
  };

  for (const rel of spec.plain) readable(rel, 'runtime file');

  readable(spec.rendererIndex, 'admin app');
  const index = app.read(spec.rendererIndex);
  if (index !== null) {
    const assets = rendererAssets(index);
    if (!assets.some((a) => a.endsWith('.js'))) problems.push(`${spec.rendererIndex} references no script: the admin app is not built`);
    for (const asset of assets) readable(path.posix.join(path.posix.dirname(spec.rendererIndex), asset), 'admin app asset');
  }

  for (const worker of spec.workers) {
    if (!app.has(worker)) {
      problems.push(`worker ${worker} is not in the app`);
      continue;
    }
    const closure = workerClosure(app, worker);
    for (const m of closure.missing) problems.push(`worker ${worker} needs ${m}, which is not in the app`);
    for (const file of closure.files) if (!app.entries.get(file)?.unpacked) problems.push(`worker module ${file} is inside app.asar: a worker thread cannot load it there (unpack it)`);
    for (const pkg of closure.packages) {
      const prefix = `node_modules/${pkg}/`;
      const packed = [...app.entries.keys()].filter((rel) => rel.startsWith(prefix) && !app.isUnpacked(rel));
      if (packed.length) problems.push(`package ${pkg} (needed by worker ${worker}) is not fully unpacked: ${packed.slice(0, 3).join(', ')}${packed.length > 3 ? ', …' : ''}`);
    }
  }

  for (const rel of app.entries.keys()) {
    if (rel.endsWith('.node') && !app.isUnpacked(rel)) problems.push(`native addon ${rel} is inside app.asar: it cannot be loaded from there (unpack it)`);
  }

  if (spec.browser) {
    const dir = path.join(resourcesDir, spec.browser.folder);
    if (!fs.existsSync(dir)) problems.push(`the slots' browser is missing: no ${spec.browser.folder} folder beside app.asar`);
    else if (!findBundledBrowser(dir, spec.browser.platform, fs.existsSync)) problems.push(`no ${spec.browser.platform} browser the slots can start in ${dir}`);
  }
  return problems;
}
