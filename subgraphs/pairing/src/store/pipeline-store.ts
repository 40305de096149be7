import { and, asc, eq, gte, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { isUuid, type ProjectField, type ProvenanceKind, type TimeCursor } from '@hub/common';
import { amongUuidsAt, newestFirstPage, prepared, queryRows, uuidArray, uuidList, type Db, type Preparable } from '@hub/db';
import { ceremonies, ceremonyProjects, projectPipelines, stageEvents, type Stage } from '../db/schema.ts';
import type { CeremonyFor } from './pairing-store.ts';

export type PipelineRow = typeof projectPipelines.$inferSelect;
export type StageEventRow = typeof stageEvents.$inferSelect;

/** The parts of a project a request may ask for at once (`partsOfProjects`). */
export type ProjectPart = 'pipeline' | 'ceremony' | 'history';

/** A row of `partsOfProjects`' statement: one stage event of a project (or none), with its other parts joined. */
interface PartsRow {
  projectId: string;
  pipeline?: PipelineRow | null;
  ceremony?: typeof ceremonies.$inferSelect | null;
  event?: StageEventRow | null;
}

/** What `partsOfProjects` read of one project: each part asked, null or empty where it has none. */
export interface ProjectParts {
  projectId: string;
  pipeline: PipelineRow | null;
  ceremony: CeremonyFor<'projectId'> | null;
  history: StageEventRow[];
}

/** The projects at one stage of the funnel: how many, and their ids in one text, comma-separated. */
export interface FunnelCount {
  stage: Stage;
  projectCount: number;
  projectIdList: string;
}

export interface PipelineFilter {
  stages?: Stage[] | null;
  countyCode?: string | null;
  prefectureCode?: string | null;
  field?: ProjectField | null;
  organizationId?: string | null;
  year?: number | null;
  provenance?: readonly ProvenanceKind[] | null;
}

/** What Shaanxi says of the need, copied at each transition for filtering. */
export interface NeedSnapshot {
  countyCode: string;
  prefectureCode: string;
  field: ProjectField;
  raisedByOrganizationId: string | null;
}

export interface Transition {
  projectId: string;
  expectedVersion: number;
  from: Stage;
  to: Stage;
  snapshot: NeedSnapshot;
  actorRole: string;
  actorSubject: string | null;
  note: string | null;
  organizationId: string | null;
  ceremonyId: string | null;
  /** For SCHEDULED: the position of the agreement focus the project serves; null or left out: none. */
  focusPosition?: number | null;
}

export type TransitionResult =
  | { type: 'moved'; pipeline: PipelineRow; event: StageEventRow }
  | { type: 'version-conflict' }
  /** A package being signed holds the project (docs/decisions/0023): only that signing moves it. */
  | { type: 'being-signed'; packageId: string }
  /** A move to SIGNED of a project in a ceremony's standing package: signing the package signs it. */
  | { type: 'in-package'; ceremonyId: string }
  /** Scheduling into a ceremony whose package is being signed or signed: its list is closed. */
  | { type: 'ceremony-signed'; ceremonyId: string };

/** Whether a reader sees projects that were never published (a draft suspended or cancelled). */
export type PipelineReader = 'drafts-included' | 'published-only';

/** All SQL of the pipeline. Batch methods take many keys and send one statement. */
export class PipelineStore {
  constructor(
    private readonly db: Db,
    private readonly reader: PipelineReader = 'published-only',
  ) {}

  /**
   * A need is public once it has been published; one suspended or cancelled as a draft never
   * was, and stays the Shaanxi office's. Spread into the lists' conditions.
   */
  private visibleProjects(): SQL[] {
    if (this.reader === 'drafts-included') return [];
    return [everPublished()];
  }

  /**
   * The parts of each project asked for — its place in the pipeline, the ceremony batch it is
   * in, its stage events in order — in one statement: a project lookup asks for all three at
   * once, and three statements cost the serving thread three times what one does. One row per
   * stage event (one for a project without any), the other parts repeated on each; a part not
   * asked is not joined, and is left null or empty. An entry for each distinct id asked, by its
   * lower-case form (as the database gives ids back), ids that are no UUID left out: the same
   * id twice in the list would join its events twice.
   */
  async partsOfProjects(ids: readonly string[], parts: ReadonlySet<ProjectPart>): Promise<ProjectParts[]> {
    const keys = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
    if (keys.length === 0) return [];
    const pipeline = parts.has('pipeline');
    const ceremony = parts.has('ceremony');
    const history = parts.has('history');
    const name = `pairing.partsOfProjects.${[pipeline && 'pipeline', ceremony && 'ceremony', history && 'history'].filter(Boolean).join('.')}`;
    const rows = await prepared(this.db, name, (db): Preparable<PartsRow[]> => {
      const asked = sql<string>`asked.project_id`;
      const selection = {
        projectId: asked,
        ...(pipeline ? { pipeline: projectPipelines } : {}),
        ...(ceremony ? { ceremony: ceremonies } : {}),
        ...(history ? { event: stageEvents } : {}),
      };
      let query = db
        .select(selection as { projectId: typeof asked })
        .from(sql`unnest(${uuidArray(sql.placeholder('ids'))}) as asked(project_id)`)
        .$dynamic();
      if (pipeline) query = query.leftJoin(projectPipelines, eq(projectPipelines.projectId, asked));
      if (ceremony) {
        query = query
          .leftJoin(ceremonyProjects, eq(ceremonyProjects.projectId, asked))
          .leftJoin(ceremonies, eq(ceremonies.id, ceremonyProjects.ceremonyId));
      }
      if (history) query = query.leftJoin(stageEvents, eq(stageEvents.projectId, asked)).orderBy(asc(stageEvents.sequence));
      // The selection names a table for each part joined: its rows hold those parts.
      return query as unknown as Preparable<PartsRow[]>;
    }).execute({ ids: uuidList(keys) });
    const byProject = new Map<string, ProjectParts>();
    for (const row of rows) {
      let found = byProject.get(row.projectId);
      if (!found) {
        found = {
          projectId: row.projectId,
          pipeline: row.pipeline ?? null,
          ceremony: row.ceremony ? { ...row.ceremony, projectId: row.projectId } : null,
          history: [],
        };
        byProject.set(row.projectId, found);
      }
      if (row.event) found.history.push(row.event);
    }
    return keys.map((projectId) => byProject.get(projectId) ?? { projectId, pipeline: null, ceremony: null, history: [] });
  }

  eventsByProjects(ids: readonly string[]): Promise<StageEventRow[]> {
    const keys = ids.filter(isUuid);
    if (keys.length === 0) return Promise.resolve([]);
    return prepared(this.db, 'pairing.eventsByProjects', (db) =>
      db.select().from(stageEvents).where(amongUuidsAt(stageEvents.projectId, 'ids')).orderBy(asc(stageEvents.projectId), asc(stageEvents.sequence)),
    ).execute({ ids: uuidList(keys) });
  }

  /** One page of the pipeline, newest entries first, and how many projects the filter holds: one statement. */
  page(filter: PipelineFilter, first: number, after: TimeCursor | null): Promise<{ rows: PipelineRow[]; totalCount: number }> {
    const list = {
      table: projectPipelines,
      at: projectPipelines.enteredAt,
      id: projectPipelines.projectId,
      matching: and(...pipelineConditions(filter), ...this.visibleProjects()),
    };
    return newestFirstPage(this.db, list, first, after);
  }

  /**
   * The projects open for funding under `filter`, whose stages are PUBLISHED, MATCHED or both,
   * for ranking matches. Every reader gets published projects only: the pipeline reaches those
   * stages through PUBLISHED alone.
   */
  async openForFunding(filter: PipelineFilter & { stages: Stage[] }): Promise<string[]> {
    if (filter.stages.length === 0) return [];
    const rows = await this.db
      .select({ projectId: projectPipelines.projectId })
      .from(projectPipelines)
      .where(and(...pipelineConditions(filter)));
    return rows.map((row) => row.projectId);
  }

  /**
   * Projects per stage for the funnel: how many, and their ids as one text, comma-separated, in
   * the order of the ids (`FunnelStage.projectIdList`). Read as text, not as an array: the
   * driver would parse ten thousand ids into as many strings for them to be joined again.
   */
  async funnel(filter: PipelineFilter): Promise<FunnelCount[]> {
    return this.db
      .select({
        stage: projectPipelines.stage,
        projectCount: sql<number>`count(*)::int`,
        projectIdList: sql<string>`string_agg(${projectPipelines.projectId}::text, ',' order by ${projectPipelines.projectId})`,
      })
      .from(projectPipelines)
      .where(and(...pipelineConditions(filter), ...this.visibleProjects()))
      .groupBy(projectPipelines.stage);
  }

  /**
   * Moves a project, in one transaction: the pipeline row changes only if it is still at
   * `expectedVersion` (0: not in the pipeline yet), the event is written with the new
   * version as its sequence, and a project scheduled into a ceremony joins its batch.
   */
  async applyTransition(move: Transition): Promise<TransitionResult> {
    return this.db.transaction(async (tx) => {
      const changes = {
        stage: move.to,
        ...move.snapshot,
        ...(move.to === 'MATCHED' ? { matchedOrganizationId: move.organizationId } : {}),
        // Each scheduling names its focus anew, in the same write as the move.
        ...(move.to === 'SCHEDULED' ? { focusPosition: move.focusPosition ?? null } : {}),
      };
      const [pipeline] =
        move.expectedVersion === 0
          ? await tx
              .insert(projectPipelines)
              .values({ projectId: move.projectId, version: 1, provenanceKind: 'ENTERED', ...changes })
              .onConflictDoNothing()
              .returning()
          : await tx
              .update(projectPipelines)
              .set({ ...changes, version: sql`${projectPipelines.version} + 1`, updatedAt: sql`now()` })
              .where(
                and(
                  eq(projectPipelines.projectId, move.projectId),
                  eq(projectPipelines.version, move.expectedVersion),
                  isNull(projectPipelines.signingPackageId),
                  move.to === 'SIGNED' ? sql`not exists (${claimOf(move.projectId)})` : undefined,
                  move.to === 'SCHEDULED' && move.ceremonyId ? sql`not exists (${signedPackageOf(move.ceremonyId)})` : undefined,
                ),
              )
              .returning();
      if (!pipeline) {
        // Judged in this transaction, after the update waited for any signing holding the row.
        const [held] = await tx
          .select({ packageId: projectPipelines.signingPackageId })
          .from(projectPipelines)
          .where(and(eq(projectPipelines.projectId, move.projectId), isNotNull(projectPipelines.signingPackageId)));
        if (held?.packageId) return { type: 'being-signed', packageId: held.packageId };
        if (move.to === 'SIGNED') {
          const [claim] = await queryRows<{ ceremony_id: string }>(tx, sql`${claimOf(move.projectId)}`);
          if (claim) return { type: 'in-package', ceremonyId: claim.ceremony_id };
        }
        if (move.to === 'SCHEDULED' && move.ceremonyId) {
          const [signed] = await queryRows<{ ceremony_id: string }>(tx, sql`${signedPackageOf(move.ceremonyId)}`);
          if (signed) return { type: 'ceremony-signed', ceremonyId: signed.ceremony_id };
        }
        return { type: 'version-conflict' };
      }
      const [event] = await tx
        .insert(stageEvents)
        .values({
          projectId: move.projectId,
          sequence: pipeline.version,
          fromStage: move.from,
          toStage: move.to,
          actorRole: move.actorRole,
          actorSubject: move.actorSubject,
          note: move.note,
          organizationId: move.organizationId,
          ceremonyId: move.ceremonyId,
          provenanceKind: 'ENTERED',
        })
        .returning();
      if (move.to === 'SCHEDULED' && move.ceremonyId) {
        await tx
          .insert(ceremonyProjects)
          .values({ projectId: move.projectId, ceremonyId: move.ceremonyId })
          .onConflictDoUpdate({ target: ceremonyProjects.projectId, set: { ceremonyId: move.ceremonyId, addedAt: sql`now()` } });
      }
      // The row was returned before the event's trigger marked a first publication on it.
      const published = move.to === 'PUBLISHED' ? { ...pipeline, everPublished: true } : pipeline;
      return { type: 'moved', pipeline: published, event: event as StageEventRow };
    });
  }

}

/** The pipeline has published the project: it has a PUBLISHED stage event, which the row notes (`ever_published`). */
const everPublished = () => sql`${projectPipelines.everPublished}`;

function pipelineConditions(filter: PipelineFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.stages?.length) conditions.push(inArray(projectPipelines.stage, filter.stages));
  if (filter.countyCode) conditions.push(eq(projectPipelines.countyCode, filter.countyCode));
  if (filter.prefectureCode) conditions.push(eq(projectPipelines.prefectureCode, filter.prefectureCode));
  if (filter.field) conditions.push(eq(projectPipelines.field, filter.field));
  if (filter.organizationId) {
    const either = or(
      eq(projectPipelines.raisedByOrganizationId, filter.organizationId),
      eq(projectPipelines.matchedOrganizationId, filter.organizationId),
    );
    if (either) conditions.push(either);
  }
  if (filter.year != null) {
    conditions.push(gte(projectPipelines.enteredAt, new Date(Date.UTC(filter.year, 0, 1))));
    conditions.push(lt(projectPipelines.enteredAt, new Date(Date.UTC(filter.year + 1, 0, 1))));
  }
  if (filter.provenance) conditions.push(inArray(projectPipelines.provenanceKind, [...filter.provenance]));
  return conditions;
}

/** The standing package (final, signing or signed) that claims a project, if one does. */
const claimOf = (projectId: string) => sql`select ceremony_id from pairing.package_project_claim where project_id = ${projectId}::uuid`;

/** A package of the ceremony that is being signed or signed, if there is one. */
const signedPackageOf = (ceremonyId: string) =>
  sql`select ceremony_id from pairing.ceremony_package where ceremony_id = ${ceremonyId} and status in ('SIGNING', 'SIGNED')`;
