export * from './types.js';
export * from './errors.js';
export * from './chat.js';
export * from './async.js';
export * from './message-row.js';
