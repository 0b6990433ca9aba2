// Windows shows an app's toasts only when it has an AppUserModelId matching its Start-menu
// shortcut, set before the first notification. main.ts is wiring that needs Electron to run,
// so this reads its syntax tree: the id is set at module level, before any code that could
// raise a notification runs, to the id electron-builder gives the shortcuts.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { APP_ID } from './app-paths.js';

const root = path.resolve(import.meta.dirname, '..');
const file = path.join(root, 'electron', 'main.ts');
const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);

function calls(node: ts.Node, test: (n: ts.Node) => boolean, out: ts.Node[] = []): ts.Node[] {
  if (test(node)) out.push(node);
  node.forEachChild((child) => void calls(child, test, out));
  return out;
}

const isSetId = (n: ts.Node) => ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'setAppUserModelId';
const isNewNotification = (n: ts.Node) => ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'Notification';

describe('AppUserModelId (Windows toasts)', () => {
  it('is set once, at module level on Windows, to the appId of electron-builder.yml', () => {
    const found = calls(source, isSetId) as ts.CallExpression[];
    expect(found).toHaveLength(1);
    const call = found[0]!;
    expect(call.arguments.map((a) => a.getText())).toEqual(['APP_ID']);
    // Runs when main.ts loads, not later inside a function or callback.
    let parent: ts.Node = call.parent;
    while (!ts.isSourceFile(parent)) {
      expect(ts.isFunctionLike(parent), `setAppUserModelId inside ${ts.SyntaxKind[parent.kind]}`).toBe(false);
      parent = parent.parent;
    }
    const guard = call.parent.parent;
    expect(ts.isIfStatement(guard) && guard.expression.getText()).toBe("process.platform === 'win32'");
    const config = loadYaml(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as { appId: string };
    expect(APP_ID).toBe(config.appId);
  });

  it('is set before the app can be ready, so before any notification can show', () => {
    expect(calls(source, isNewNotification).length).toBeGreaterThan(0);
    // Top-level statements run in order; Electron shows nothing before the app is ready.
    const index = (n: ts.Node) => source.statements.findIndex((s) => s.getStart() <= n.getStart() && n.getEnd() <= s.getEnd());
    const ready = calls(source, (n) => ts.isPropertyAccessExpression(n) && n.name.text === 'whenReady');
    expect(ready.length).toBeGreaterThan(0);
    const idAt = index(calls(source, isSetId)[0]!);
    for (const n of ready) expect(index(n), n.parent.getText().slice(0, 60)).toBeGreaterThan(idAt);
  });
});
