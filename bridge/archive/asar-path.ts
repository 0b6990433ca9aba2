// Electron reads files inside app.asar for the main thread, but a worker thread cannot be
// started from inside the archive (its support changed across Electron versions). The desktop
// build unpacks the worker and what it imports (electron-builder.yml asarUnpack), so point
// the worker at the unpacked copy. Outside a packaged app the URL is returned unchanged.
const ARCHIVE_DIR = /([\\/])app\.asar([\\/])/;

export function unpackedWorkerUrl(url: string): string {
  return url.replace(ARCHIVE_DIR, '$1app.asar.unpacked$2');
}
