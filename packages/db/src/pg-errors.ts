/** The constraint name of a unique violation (SQLSTATE 23505), or null for any other error. */
export function uniqueViolation(error: unknown): string | null {
  const cause = findPgError(error);
  return cause?.code === '23505' ? (cause.constraint ?? cause.constraint_name ?? '') : null;
}

/** The constraint name of a check violation (SQLSTATE 23514), or null for any other error. */
export function checkViolation(error: unknown): string | null {
  const cause = findPgError(error);
  return cause?.code === '23514' ? (cause.constraint ?? cause.constraint_name ?? '') : null;
}

interface PgErrorShape {
  code?: string;
  constraint?: string;
  constraint_name?: string;
  cause?: unknown;
}

function findPgError(error: unknown): PgErrorShape | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const shape = current as PgErrorShape;
    if (typeof shape.code === 'string' && /^[0-9A-Z]{5}$/.test(shape.code)) return shape;
    current = shape.cause;
  }
  return null;
}

/** Runs a write; a unique violation of `constraint` answers `duplicate` instead of throwing. */
export async function unlessDuplicate<T, D>(constraint: string, write: () => Promise<T>, duplicate: D): Promise<T | D> {
  try {
    return await write();
  } catch (error) {
    if (uniqueViolation(error) === constraint) return duplicate;
    throw error;
  }
}
