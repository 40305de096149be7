import { ErrorCode, userError } from './errors.ts';
import { isUuid } from './ids.ts';

/** A position in a newest-first list: the row's timestamp and its id, which breaks ties. */
export interface TimeCursor {
  at: Date;
  id: string;
}

export function encodeTimeCursor(cursor: TimeCursor): string {
  return Buffer.from(`${cursor.at.toISOString()}|${cursor.id}`, 'utf8').toString('base64url');
}

/** Reads a cursor this hub handed out; anything else is BAD_USER_INPUT on `after`. */
export function decodeTimeCursor(value: string): TimeCursor {
  const [at, id] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  const when = new Date(at ?? '');
  if (!id || !isUuid(id) || Number.isNaN(when.getTime())) {
    throw userError(ErrorCode.BadUserInput, 'Argument "after" is not a cursor this list returned.', { argument: 'after' });
  }
  return { at: when, id };
}
