import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { noReads, runNotingReads, type DataVersions, type TablesRead } from '@hub/db';
import { KeptAnswers, noteReadInScopes, stillCurrent, type ReadFrom } from './kept-answers.ts';

/** An entity's representation as a subgraph is sent it: its type, its key, and what it requires. */
export interface Representation {
  __typename: string;
  id: string;
  [field: string]: unknown;
}

/** The representations `variables` ask entities for, when each has its `id`: such reads are kept entity by entity. */
export function entityRepresentations(variables: Record<string, unknown>): Representation[] | undefined {
  const representations = variables.representations;
  if (!Array.isArray(representations) || representations.length === 0) return undefined;
  for (const representation of representations) {
    if (typeof representation !== 'object' || representation === null || typeof (representation as Representation).id !== 'string') return undefined;
  }
  return representations as Representation[];
}

/**
 * A subgraph's `_entities` reads of its peers, kept entity by entity
 * (docs/decisions/0049-entities-kept-one-by-one.md): a foundation's matches read the money of two
 * thousand needs from Jiangsu, and a pledge to one of them wrote the rows of that one alone.
 * Asked again, the read runs for the entities whose rows were written since; the others are
 * given as they were kept.
 *
 * - A read is kept under its key (the caller, the date, the peer, the document and every variable
 *   but the representations), each entity under its `id`, with its representation: an entity
 *   asked with other required fields than it was kept with is read again.
 * - An entity is kept with the tables its read named as a whole, and, of each table read by key,
 *   the rows of its own id: a subgraph resolves an entity's fields from the rows of its own key.
 *   A read that named a table by a key that is none of its entities' ids (the rows of another
 *   project, another column's key) keeps nothing.
 * - A read whose answer has an error is run again whole, and nothing of it is kept.
 * - Kept entities are given as they were kept, frozen: a peer's answer is read, never changed in
 *   place. Parsing two thousand of them from text for each request cost as much as the rest of
 *   the ranking.
 */
export class KeptEntities {
  private readonly reads: KeptAnswers<KeptRead>;

  constructor(
    /** The schemas whose tables answers are read from: the subgraphs'. */
    private readonly schemas: ReadonlySet<string>,
    limits: { maxEntries: number; maxChars: number } = DEFAULT_ENTITY_LIMITS,
  ) {
    this.reads = new KeptAnswers(limits, (read) => read.chars);
  }

  /**
   * The answer to the read `readKey` of `representations`: its kept entities still current at
   * the request's `versions` (read only when something is kept to compare), and `run` for the others.
   */
  async read(
    readKey: string,
    representations: readonly Representation[],
    versionsOf: () => Promise<DataVersions>,
    run: (representations: readonly Representation[]) => Promise<GatewayGraphQLResponse>,
  ): Promise<GatewayGraphQLResponse> {
    const kept = this.reads.get(readKey);
    // Asked the first time lately: run as it is, and nothing kept, as for any answer.
    if (!kept && this.reads.firstAsking(readKey)) return run(representations);
    const versions = await versionsOf();

    const entities: unknown[] = new Array(representations.length);
    const given: KeptEntity[] = [];
    const current = new Map<ReadFrom[], boolean>();
    const missing: number[] = [];
    representations.forEach((representation, index) => {
      const entity = kept?.entities.get(representation.id);
      if (entity && sameJson(entity.representation, representation) && isCurrent(entity, versions, current)) {
        entities[index] = entity.answer;
        given.push(entity);
      } else {
        missing.push(index);
      }
    });

    if (missing.length > 0) {
      const asked = missing.map((index) => representations[index]!);
      const reads = noReads(this.schemas);
      const response = await runNotingReads(reads, () => run(asked));
      const ran = response.data?._entities;
      // Errors name entities by their place in what was asked: the whole read again answers them.
      if (response.errors?.length || !Array.isArray(ran) || ran.length !== asked.length) return run(representations);
      missing.forEach((index, place) => (entities[index] = ran[place]));
      this.keep(readKey, kept, asked, ran, reads, versions);
    }
    noteGiven(given);
    return { data: { _entities: entities } };
  }

  /** Keeps the entities a read ran for beside those kept before, when what each was read from can be told. */
  private keep(readKey: string, kept: KeptRead | undefined, asked: readonly Representation[], ran: unknown[], reads: TablesRead, versions: DataVersions): void {
    const readFrom = entityReadFrom(reads, asked, versions);
    if (!readFrom) return;
    const entities = new Map(kept?.entities);
    let chars = kept?.chars ?? 0;
    asked.forEach((representation, place) => {
      const json = JSON.stringify(ran[place]);
      // Its size as text: the answer and the representation kept with it.
      const size = json.length + JSON.stringify(representation).length;
      chars += size - (entities.get(representation.id)?.chars ?? 0);
      entities.set(representation.id, {
        representation: deepFreeze(structuredClone(representation)),
        rowKey: rowKeyOf(representation.id),
        answer: deepFreeze(JSON.parse(json)),
        tables: readFrom.tables,
        rows: readFrom.rows,
        chars: size,
      });
    });
    this.reads.keep(readKey, { entities, chars });
  }
}

/**
 * What the entities of one run were read from: the tables it named as a whole, one array shared
 * by all of them, and the tables it read by key, whose rows of each entity's own id it read. None
 * when that cannot be told: a read not all noted, or one of a table by a key none of its ids.
 */
function entityReadFrom(reads: TablesRead, asked: readonly Representation[], versions: DataVersions) {
  if (reads.unknown) return undefined;
  const ids = new Set(asked.map((representation) => rowKeyOf(representation.id)));
  for (const { keys } of reads.rows.values()) for (const key of keys) if (!ids.has(key)) return undefined;
  const tables: ReadFrom[] = [...reads.tables].map((table) => [table, versions.get(table)]);
  const rows = [...reads.rows].map(([table, { column }]) => ({ table, version: versions.get(table), column }));
  return { tables, rows };
}

/** Whether what a kept entity was read from is as it was: its run's whole tables (asked once per run) and its own rows. */
function isCurrent(entity: KeptEntity, versions: DataVersions, current: Map<ReadFrom[], boolean>): boolean {
  let tables = current.get(entity.tables);
  if (tables === undefined) current.set(entity.tables, (tables = stillCurrent(entity.tables, versions)));
  return tables && entity.rows.every(({ table, version, column }) => versions.rowsCurrent(table, version, column, [entity.rowKey]));
}

/** What the given entities were read from counts as read by the request, and by the fetch they were given within. */
function noteGiven(given: readonly KeptEntity[]): void {
  const readFrom = new Set<ReadFrom>();
  const rows = new Map<string, { version: string; column: string; keys: string[] }>();
  for (const entity of given) {
    for (const table of entity.tables) readFrom.add(table);
    for (const { table, version, column } of entity.rows) {
      const ofTable = rows.get(table) ?? { version, column, keys: [] };
      ofTable.keys.push(entity.rowKey);
      rows.set(table, ofTable);
    }
  }
  for (const [table, { version, column, keys }] of rows) readFrom.add([table, version, column, keys]);
  noteReadInScopes([...readFrom]);
}

/**
 * An id as the database layer notes the keys of a UUID column (`readingRowsBy`): in lower case.
 * Of a column whose keys are noted as given, an id not in lower case is kept by no read: the
 * keys its read noted are then none of the ids.
 */
const rowKeyOf = (id: string) => id.toLowerCase();

/** Whether two JSON values are the same, key order aside. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((key) => Object.hasOwn(b, key) && sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const each of Object.values(value)) deepFreeze(each);
  }
  return value;
}

interface KeptEntity {
  /** The representation it was asked with. */
  representation: Representation;
  /** Its id as the keys of the rows it read are noted (`rowKeyOf`). */
  rowKey: string;
  answer: unknown;
  /** The tables its run read as a whole, at their versions: shared by the entities of one run. */
  tables: ReadFrom[];
  /** The tables its run read by key, of which it read the rows of its own id. */
  rows: readonly { table: string; version: string; column: string }[];
  chars: number;
}

interface KeptRead {
  entities: ReadonlyMap<string, KeptEntity>;
  chars: number;
}

/**
 * A few foundations' matches: two thousand needs each from Shaanxi and from Jiangsu, a few
 * hundred characters each, in reads of up to two million characters.
 */
const DEFAULT_ENTITY_LIMITS = { maxEntries: 500, maxChars: 16_000_000 };
