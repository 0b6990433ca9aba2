export * from './types.js';
export * from './errors.js';
export * from './chat.js';
export * from './sequence.js';
