// The one place that talks to Firebase: an app of its own (unique name, so several bridges can
// live in one process) and `send()`, which firebase-admin performs over HTTP/1.1.
import { randomUUID } from 'node:crypto';
import { cert, deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getMessaging, type TokenMessage } from 'firebase-admin/messaging';
import type { ServiceAccount } from './credentials.js';

export interface FcmClient {
  /** Resolves with FCM's message name; rejects with firebase-admin's error (with `code`). */
  send(message: TokenMessage): Promise<string>;
  close(): Promise<void>;
}

export function createFcmClient(account: ServiceAccount): FcmClient {
  const app: App = initializeApp(
    {
      credential: cert({ projectId: account.project_id, clientEmail: account.client_email, privateKey: account.private_key }),
      projectId: account.project_id,
    },
    `wa-bridge-push-${randomUUID()}`,
  );
  const messaging = getMessaging(app);
  let closed = false;
  return {
    send: (message) => messaging.send(message),
    async close() {
      if (closed) return;
      closed = true;
      await deleteApp(app);
    },
  };
}
