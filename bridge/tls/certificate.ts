// The bridge's own TLS certificate: self-signed (selfsigned), made on first start, kept in
// <dataDir>/tls. Phones pin its SHA-256 fingerprint from the pairing QR, so no CA is involved.
// Renewal: within RENEW_AHEAD of expiry the next certificate is made and its fingerprint
// announced (health, pairing, /api/tls) while the current one is still served; phones add the
// next pin, and at expiry the next certificate takes over.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';
import { CertificateError } from '../startup-errors.js';

const DAY = 24 * 60 * 60 * 1000;
export const VALID_DAYS = 825;
export const RENEW_AHEAD_DAYS = 90;

export interface CertPair {
  key: string;
  cert: string;
  /** SHA-256 over the DER certificate, upper-case hex pairs joined by colons. */
  fingerprint: string;
  notAfter: Date;
}

export interface TlsState {
  current: CertPair;
  next: CertPair | null;
  /** True when this start made the very first certificate (a new install, or the first start with TLS). */
  created: boolean;
}

export const TLS_DIR = 'tls';
const FILES = { current: ['cert.pem', 'key.pem'], next: ['next-cert.pem', 'next-key.pem'] } as const;

async function makePair(from: Date): Promise<CertPair> {
  const made = await generate([{ name: 'commonName', value: 'WA Bridge' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(from.getTime() - DAY), // a phone whose clock is a little behind
    notAfterDate: new Date(from.getTime() + VALID_DAYS * DAY),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return parsePair(made.cert, made.private, '(new certificate)');
}

/** Parse and check a certificate and its key; any flaw is a CertificateError naming the file. */
export function parsePair(cert: string, key: string, where: string): CertPair {
  let x509: crypto.X509Certificate;
  try {
    x509 = new crypto.X509Certificate(cert);
  } catch (err) {
    throw new CertificateError(`${where}: not a valid certificate (${(err as Error).message}); delete the tls folder in the data dir to make a new one (phones then pair again)`);
  }
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(key);
  } catch (err) {
    throw new CertificateError(`${where}: the private key is not valid (${(err as Error).message}); delete the tls folder in the data dir to make a new one (phones then pair again)`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new CertificateError(`${where}: the private key does not belong to the certificate; delete the tls folder in the data dir to make a new one (phones then pair again)`);
  }
  return { cert, key, fingerprint: x509.fingerprint256, notAfter: new Date(x509.validTo) };
}

function read(dir: string, [certFile, keyFile]: readonly [string, string]): CertPair | null {
  const certPath = path.join(dir, certFile);
  const keyPath = path.join(dir, keyFile);
  if (!fs.existsSync(certPath) && !fs.existsSync(keyPath)) return null;
  try {
    return parsePair(fs.readFileSync(certPath, 'utf8'), fs.readFileSync(keyPath, 'utf8'), certPath);
  } catch (err) {
    if (err instanceof CertificateError) throw err;
    throw new CertificateError(`${certPath}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function write(dir: string, [certFile, keyFile]: readonly [string, string], pair: CertPair): void {
  fs.writeFileSync(path.join(dir, keyFile), pair.key, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, certFile), pair.cert, { mode: 0o600 });
}

function remove(dir: string, files: readonly [string, string]): void {
  for (const f of files) fs.rmSync(path.join(dir, f), { force: true });
}

/** Load the certificate, making or rotating it as needed (first start, renewal window, expiry). */
export async function loadTls(dataDir: string, now = new Date()): Promise<TlsState> {
  const dir = path.join(dataDir, TLS_DIR);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let current = read(dir, FILES.current);
  let next = read(dir, FILES.next);
  let created = false;
  if (!current) {
    current = await makePair(now);
    write(dir, FILES.current, current);
    created = true;
  }
  // Expired (or within a day of it): the announced next certificate takes over.
  if (now.getTime() >= current.notAfter.getTime() - DAY) {
    current = next ?? (await makePair(now));
    write(dir, FILES.current, current);
    remove(dir, FILES.next);
    next = null;
  }
  if (!next && now.getTime() >= current.notAfter.getTime() - RENEW_AHEAD_DAYS * DAY) {
    next = await makePair(now);
    write(dir, FILES.next, next);
  }
  return { current, next, created };
}
