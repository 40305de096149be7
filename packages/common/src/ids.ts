const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Project ids are UUIDs; anything else cannot match one and must not reach a uuid column. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

const UUID_BODY = UUID.source.slice(1, -1);
const UUID_LIST = new RegExp(`^${UUID_BODY}(?:,${UUID_BODY})*$`, UUID.flags);

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
 * A funnel stage as the gateway hands it to the province subgraphs to sum their money over: its
 * key, and its projects' ids in one text, comma-separated (the pairing's `projectIdList`, 0057).
 * A representation is any JSON its sender wrote, so neither is taken on trust.
 */
export interface FunnelStageReference {
  key?: unknown;
  projectIdList?: unknown;
}

/**
 * A funnel stage's project ids as the province subgraphs sum over them: '' (no project) when the
 * representation holds no text there. One stage sent wrong sums to nothing; the stages beside it
 * in the same request, summed in the same statement, are not touched.
 */
export function projectIdListOf(stage: FunnelStageReference): string {
  return typeof stage.projectIdList === 'string' ? stage.projectIdList : '';
}

/**
 * Whether a text key could be stored at all: Postgres text cannot hold NUL, and no key the
 * hub issues is longer than 200 characters or contains control characters. A lookup by any
 * other value finds nothing, and must not reach the database as an error.
 */
export function isStorableKey(value: string): boolean {
  return value.length <= 200 && !/[\u0000-\u001F\u007F]|[\uD800-\uDFFF]/.test(value);
}
