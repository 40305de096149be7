import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { isStorableKey, isUuid, type ProvenanceKind } from '@hub/common';
import { unlessDuplicate, type Db } from '@hub/db';
import { agreementTargetRevisions, agreementTargets } from '../db/schema.ts';

export type AgreementTargetRow = typeof agreementTargets.$inferSelect;
export type AgreementTargetRevisionRow = typeof agreementTargetRevisions.$inferSelect;

/** The measures of one period's targets; null has no target. */
export interface TargetMeasures {
  projectsSigned: number | null;
  committedFen: bigint | null;
  disbursedFen: bigint | null;
  countiesReached: number | null;
  shaanxiOrganizations: number | null;
  jiangsuOrganizations: number | null;
  note: string | null;
}

/** One setting of a period's targets, checked. */
export interface TargetSetting {
  agreementId: string;
  /** A calendar year of the term; null for the whole term. */
  year: number | null;
  /** The version the caller decided on: 0 to set the period's targets the first time. */
  expectedVersion: number;
  measures: TargetMeasures;
  setByRole: string;
  setBySubject: string | null;
  provenanceKind: ProvenanceKind;
}

export type TargetWrite = { type: 'set'; target: AgreementTargetRow } | { type: 'version-conflict'; currentVersion: number };

/** One period's targets per agreement: `agreement_target_period_unique` on (agreement, coalesce(year, 0)). */
const PERIOD_UNIQUE = 'agreement_target_period_unique';

/** All SQL of an agreement's targets. Batch methods take many keys and send one statement. */
export class TargetsStore {
  constructor(private readonly db: Db) {}

  /** The targets of each agreement: the whole term first, then the years in order. */
  targetsByAgreements(ids: readonly string[]): Promise<AgreementTargetRow[]> {
    const keys = ids.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(agreementTargets)
      .where(inArray(agreementTargets.agreementId, keys))
      .orderBy(asc(agreementTargets.agreementId), sql`${agreementTargets.year} asc nulls first`);
  }

  /** Every version of each target, oldest first. */
  revisionsByTargets(ids: readonly string[]): Promise<AgreementTargetRevisionRow[]> {
    const keys = ids.filter(isUuid);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(agreementTargetRevisions)
      .where(inArray(agreementTargetRevisions.targetId, keys))
      .orderBy(asc(agreementTargetRevisions.targetId), asc(agreementTargetRevisions.version));
  }

  /**
   * Sets a period's targets and keeps the setting as a revision, in one transaction. The
   * database decides between two settings made at one version: a first setting (version 0)
   * inserts, and the period's unique index lets one insert through; a later one updates only
   * while the row is still at `expectedVersion`. The loser writes nothing.
   */
  async setTarget(setting: TargetSetting): Promise<TargetWrite> {
    const written = await unlessDuplicate(
      PERIOD_UNIQUE,
      () =>
        this.db.transaction(async (tx) => {
          const who = { setByRole: setting.setByRole, setBySubject: setting.setBySubject };
          const [target] =
            setting.expectedVersion === 0
              ? await tx
                  .insert(agreementTargets)
                  .values({
                    agreementId: setting.agreementId,
                    year: setting.year,
                    ...setting.measures,
                    ...who,
                    version: 1,
                    provenanceKind: setting.provenanceKind,
                  })
                  .returning()
              : await tx
                  .update(agreementTargets)
                  .set({ ...setting.measures, ...who, version: sql`${agreementTargets.version} + 1`, setAt: sql`now()` })
                  .where(and(this.period(setting.agreementId, setting.year), eq(agreementTargets.version, setting.expectedVersion)))
                  .returning();
          if (!target) return null;
          await tx.insert(agreementTargetRevisions).values({
            targetId: target.id,
            version: target.version,
            ...setting.measures,
            ...who,
            setAt: target.setAt,
          });
          return target;
        }),
      null,
    );
    if (written) return { type: 'set', target: written };
    return { type: 'version-conflict', currentVersion: await this.currentVersion(setting.agreementId, setting.year) };
  }

  /** The period's version as it stands; 0 when its targets were never set. */
  private async currentVersion(agreementId: string, year: number | null): Promise<number> {
    const [row] = await this.db
      .select({ version: agreementTargets.version })
      .from(agreementTargets)
      .where(this.period(agreementId, year));
    return row?.version ?? 0;
  }

  /** The row of one period, matched the way the unique index sees it. */
  private period(agreementId: string, year: number | null) {
    return and(eq(agreementTargets.agreementId, agreementId), sql`coalesce(${agreementTargets.year}, 0) = ${year ?? 0}`);
  }
}
