// Test fixture: a throwaway Firebase service-account key and nock stand-ins for Google's OAuth
// token endpoint and the FCM v1 send endpoint, so tests run firebase-admin's real HTTP path offline.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';

export const PROJECT_ID = 'wa-bridge-test';
export const ACCESS_TOKEN = 'ya29.test-access-token';

export interface ServiceAccountFile {
  file: string;
  clientEmail: string;
  publicKeyPem: string;
}

export function writeServiceAccount(dir: string): ServiceAccountFile {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const clientEmail = `push@${PROJECT_ID}.iam.gserviceaccount.com`;
  const file = path.join(dir, 'service-account.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      type: 'service_account',
      project_id: PROJECT_ID,
      private_key_id: 'test-key-1',
      private_key: privateKey,
      client_email: clientEmail,
      client_id: '1234567890',
      token_uri: 'https://oauth2.googleapis.com/token',
    }),
  );
  return { file, clientEmail, publicKeyPem: publicKey };
}

/** What the fake FCM answers: a status and JSON body, optionally after a delay. */
export interface FcmReply {
  status: number;
  body: unknown;
  delayMs?: number;
}

export interface FakeFcm {
  /** Every `messages:send` request body, in arrival order (failed attempts included). */
  requests: { message: Record<string, unknown> }[];
  /** Every OAuth token request body (form fields). */
  tokenRequests: Record<string, string>[];
  /** Authorization headers seen on FCM requests. */
  authHeaders: string[];
  /** Answers for the next requests, in order; once empty, `fallback` (or a 200) answers. */
  script: FcmReply[];
  fallback: FcmReply | null;
  /** Requests answered so far, requests being answered now, and the most ever at once. */
  replied: number;
  inFlight: number;
  peakInFlight: number;
  /** Resolves once `n` FCM requests have arrived. */
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
}

export function fcmError(status: number, grpcStatus: string, message: string, fcmCode?: string): FcmReply {
  const details = fcmCode ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: fcmCode }] : [];
  return { status, body: { error: { code: status, message, status: grpcStatus, details } } };
}

export function installFakeFcm(): FakeFcm {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const fake: FakeFcm = {
    requests: [],
    tokenRequests: [],
    authHeaders: [],
    script: [],
    fallback: null,
    replied: 0,
    inFlight: 0,
    peakInFlight: 0,
    async waitForRequests(n, timeoutMs = 5000) {
      const start = Date.now();
      while (fake.requests.length < n) {
        if (Date.now() - start > timeoutMs) throw new Error(`expected ${n} FCM requests, saw ${fake.requests.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
  nock('https://oauth2.googleapis.com')
    .persist()
    .post('/token')
    .reply(200, (_uri, body) => {
      fake.tokenRequests.push(Object.fromEntries(new URLSearchParams(String(body))));
      return { access_token: ACCESS_TOKEN, expires_in: 3600, token_type: 'Bearer' };
    });
  nock('https://fcm.googleapis.com')
    .persist()
    .post(`/v1/projects/${PROJECT_ID}/messages:send`)
    .reply(async function (_uri, body) {
      fake.requests.push(body as { message: Record<string, unknown> });
      fake.authHeaders.push(String(this.req.headers.authorization));
      const next = fake.script.shift() ?? fake.fallback ?? { status: 200, body: { name: `projects/${PROJECT_ID}/messages/${fake.requests.length}` } };
      fake.inFlight++;
      fake.peakInFlight = Math.max(fake.peakInFlight, fake.inFlight);
      try {
        if (next.delayMs) await new Promise((r) => setTimeout(r, next.delayMs));
      } finally {
        fake.inFlight--;
        fake.replied++;
      }
      return [next.status, next.body as nock.Body, { 'content-type': 'application/json' }];
    });
  return fake;
}

export function removeFakeFcm(): void {
  nock.abortPendingRequests();
  nock.cleanAll();
  nock.enableNetConnect();
}
