// `npm run session-store` (and `node dist/bridge/session-store/main.js` in a build): the
// session-store service on its own (port 5656 by default).
import { runSessionStore } from './run.js';

runSessionStore({ env: process.env });
