import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './scripts/precompress.js';

// The admin app. Built into dist/renderer, which the bridge serves at `/` (SPA fallback).
// In dev (`npm run dev`) the API, WebSocket, health and metrics paths go to a running bridge.
const bridge = process.env.WA_BRIDGE_DEV_TARGET ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: 'renderer',
  base: '/',
  // Brotli and gzip copies are made at build time; the bridge serves them (bridge/http/precompressed.ts).
  plugins: [react(), precompress()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      '/api': { target: bridge, changeOrigin: false },
      '/ws': { target: bridge, ws: true },
      '/healthz': { target: bridge },
      '/metrics': { target: bridge },
    },
  },
});
