// Request shapes shared by the REST routes and the WebSocket commands (API.md), as zod schemas.
// Slot range (INVALID_SLOT) and phone validity (INVALID_NUMBER) are checked after parsing,
// because they have their own error codes.
import { z } from 'zod';
import { ROLES } from '../auth/scope.js';
import { BridgeError } from '../domain/index.js';

export const MAX_TEXT = 4096;

/**
 * A slot number in a JSON body or WebSocket frame. A numeric string ("1") is accepted too: some
 * clients send every form field as text, and there is no other reading of it.
 */
export const slotField = z.preprocess(
  (v) => (typeof v === 'string' && /^\s*\d{1,4}\s*$/.test(v) ? Number(v) : v),
  z.number({ error: (iss) => (iss.input === undefined ? 'slot is required' : `slot must be a number such as 1, not ${kindOf(iss.input)}`) }).int('slot must be a whole number'),
);
const slot = slotField;
/** Query strings carry text: accept digits only, then the same checks. */
export const querySlot = z
  .string({ error: 'slot is required' })
  .regex(/^\d+$/, 'slot must be a whole number')
  .transform(Number);

const target = {
  phone: z.string().min(1).max(40).optional(),
  chatId: z.string().min(1).max(100).optional(),
};
const sendOptions = {
  idempotencyKey: z.string().min(1).max(100).optional(),
  queue: z.boolean().optional(),
};

const requireTarget = <T extends { phone?: string; chatId?: string }>(v: T) => Boolean(v.phone) !== Boolean(v.chatId);
const targetMessage = { message: 'give exactly one of phone or chatId', path: ['phone'] };

export const slotBody = z.object({ slot });
export const disconnectBody = z.object({ slot, logout: z.boolean().optional() });

export const sendTextBody = z
  .object({
    slot,
    ...target,
    ...sendOptions,
    message: z.string().min(1, 'message must not be empty').max(MAX_TEXT, `message is longer than ${MAX_TEXT} characters`),
    quotedMessageId: z.string().min(1).max(200).optional(),
  })
  .refine(requireTarget, targetMessage);

export const sendMediaBody = z
  .object({
    slot,
    ...target,
    ...sendOptions,
    base64: z.string().min(1, 'base64 must not be empty'),
    mimetype: z.string().min(3).max(200).regex(/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/, 'mimetype must look like type/subtype'),
    filename: z.string().min(1).max(255).optional(),
    caption: z.string().max(MAX_TEXT, `caption is longer than ${MAX_TEXT} characters`).optional(),
    asVoice: z.boolean().optional(),
    asSticker: z.boolean().optional(),
  })
  .refine(requireTarget, targetMessage);

export const sendPollBody = z
  .object({
    slot,
    ...target,
    ...sendOptions,
    question: z.string().trim().min(1, 'question must not be empty').max(255),
    options: z
      .array(z.string().trim().min(1, 'options must not be empty').max(100), { error: 'options must be an array of strings' })
      .min(2, 'options needs at least 2 entries')
      .max(12, 'options allows at most 12 entries')
      .refine((o) => new Set(o).size === o.length, 'options must be distinct'),
    allowMultiple: z.boolean().optional(),
  })
  .refine(requireTarget, targetMessage);

export const testConnectionBody = z.object({ slot, phone: z.string().min(1).max(40) });
export const chatBody = z.object({ slot, chatId: z.string().min(1).max(100) });
export const deviceBody = z.object({
  name: z.string().trim().min(1, 'name must not be empty').max(100),
  /** Which slots the phone may use; omitted or null = every slot. */
  slots: z
    .array(slot, { error: 'slots must be an array of slot numbers' })
    .min(1, 'slots needs at least one slot (omit it for every slot)')
    .max(32)
    .nullable()
    .optional(),
  /** read: chats, archive, events; send: read + send; manage: send + connect/disconnect/QR (the default). */
  role: z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` }).optional(),
});

export const limitParam = (max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, `limit must be a whole number from 1 to ${max}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `limit must be from 1 to ${max}`)
    .optional()
    .transform((n) => n ?? fallback);

/** Above 2^53 a number is no longer exact and SQLite/MySQL refuse it (was a 500). */
export const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

export const offsetParam = z
  .string()
  .regex(/^\d+$/, 'offset must be a whole number ≥ 0')
  .transform(Number)
  .refine((n) => n <= MAX_OFFSET, `offset must be at most ${MAX_OFFSET}`)
  .optional()
  .transform((n) => n ?? 0);

export type SendTextBody = z.infer<typeof sendTextBody>;
export type SendMediaBody = z.infer<typeof sendMediaBody>;
export type SendPollBody = z.infer<typeof sendPollBody>;

/** Parse or throw a VALIDATION_ERROR naming the field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {}, { reportInput: true });
  if (result.success) return result.data;
  throw validationError(result.error);
}

/** What a value is, in words for an error message. */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return v.length > 20 ? 'text' : `the text ${JSON.stringify(v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v === 'number' ? 'the number' : typeof v === 'boolean' ? 'the value' : typeof v} ${String(v)}`;
}

const TYPE_WORDS: Record<string, string> = { string: 'text', number: 'a number', boolean: 'true or false', array: 'a list', object: 'an object', int: 'a whole number' };

/** One clear sentence naming the field and what it should be: `slot must be a number such as 1, not the text "one"`. */
export function validationError(error: z.ZodError): BridgeError {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  let message: string;
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    message = `${field} is required`;
  } else if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    // zod's own wording: say which field and what it wants instead.
    message = `${field} must be ${TYPE_WORDS[issue.expected] ?? issue.expected}, not ${kindOf(issue.input)}`;
  } else {
    // A custom message that already names its field stands alone.
    message = issue.message.startsWith(`${field} `) ? issue.message : `${field}: ${issue.message}`;
  }
  return new BridgeError('VALIDATION_ERROR', message);
}

/** POST /api/slots/:slot/restore (issue 12). The body is optional. */
export const restoreBody = z
  .object({
    snapshotId: z.string().regex(/^[0-9]{1,16}-[0-9a-f]{8}$/, 'snapshotId is not a snapshot id').optional(),
    force: z.boolean().optional(),
  })
  .strict();
