const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Project ids are UUIDs; anything else cannot match one and must not reach a uuid column. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

const UUID_LIST = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:,[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})*$/i;

/**
 * The UUIDs of a comma-separated list of ids (a funnel stage's `projectIdList`), as such a list:
 * checked in one pass over the text where every id is one, as the pairing subgraph writes them;
 * otherwise the ids that are not UUIDs left out. '' for none.
 */
export function uuidsOfList(list: string): string {
  if (list === '' || UUID_LIST.test(list)) return list;
  return list.split(',').filter(isUuid).join(',');
}

/**
 * Whether a text key could be stored at all: Postgres text cannot hold NUL, and no key the
 * hub issues is longer than 200 characters or contains control characters. A lookup by any
 * other value finds nothing, and must not reach the database as an error.
 */
export function isStorableKey(value: string): boolean {
  return value.length <= 200 && !/[\u0000-\u001F\u007F]|[\uD800-\uDFFF]/.test(value);
}
