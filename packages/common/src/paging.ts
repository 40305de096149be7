import { ErrorCode, userError } from './errors.ts';

/** The largest page any list field serves; larger requests are refused, not truncated. */
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first: number;
  after: string | null;
}

/** Checks `first` and passes `after` through; a clear BAD_USER_INPUT names the argument. */
export function pageArgs(args: { first?: number | null; after?: string | null }): PageArgs {
  const first = args.first ?? 50;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw userError(ErrorCode.BadUserInput, `Argument "first" must be between 0 and ${MAX_PAGE_SIZE}; got ${first}.`, {
      argument: 'first',
    });
  }
  return { first, after: args.after ?? null };
}
