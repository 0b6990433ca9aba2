import { describe, expect, it } from 'vitest';
import { unpackedWorkerUrl } from './asar-path.js';

describe('unpackedWorkerUrl', () => {
  it('points a worker inside app.asar at app.asar.unpacked', () => {
    expect(unpackedWorkerUrl('file:///opt/WA%20Bridge/resources/app.asar/dist/bridge/archive/sqlite-worker.js')).toBe(
      'file:///opt/WA%20Bridge/resources/app.asar.unpacked/dist/bridge/archive/sqlite-worker.js',
    );
    expect(unpackedWorkerUrl('file:///C:/Users/a/AppData/Local/Programs/wa-bridge/resources/app.asar/dist/x.js')).toBe(
      'file:///C:/Users/a/AppData/Local/Programs/wa-bridge/resources/app.asar.unpacked/dist/x.js',
    );
  });

  it('leaves checkouts and already-unpacked paths alone', () => {
    for (const url of ['file:///home/me/wa-bridge/dist/bridge/archive/sqlite-worker.js', 'file:///x/app.asar.unpacked/dist/w.js', 'file:///x/my-app.asar/w.js']) {
      expect(unpackedWorkerUrl(url)).toBe(url);
    }
  });
});
