// Anything thrown by an operation, as the API's one error class: both transports reply with it.
import { ZodError } from 'zod';
import { BridgeError } from '../domain/index.js';
import { validationError } from './schemas.js';

/** BridgeErrors as they are, schema failures as VALIDATION_ERROR, everything else INTERNAL. */
export function asBridgeError(err: unknown): BridgeError {
  if (err instanceof BridgeError) return err;
  if (err instanceof ZodError) return validationError(err);
  return new BridgeError('INTERNAL', 'internal error', { cause: err });
}
