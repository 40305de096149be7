const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Project ids are UUIDs; anything else cannot match one and must not reach a uuid column. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Whether a text key could be stored at all: Postgres text cannot hold NUL, and no key the
 * hub issues is longer than 200 characters or contains control characters. A lookup by any
 * other value finds nothing, and must not reach the database as an error.
 */
export function isStorableKey(value: string): boolean {
  return value.length <= 200 && !/[\u0000-\u001F\u007F]|[\uD800-\uDFFF]/.test(value);
}
