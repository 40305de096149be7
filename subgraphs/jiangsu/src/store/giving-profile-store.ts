import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { isStorableKey, type GivingProfileContent, type ProvenanceKind } from '@hub/common';
import { unlessDuplicate, type Db } from '@hub/db';
import { givingProfiles, givingProfileVersions } from '../db/schema.ts';

export type GivingProfileRow = typeof givingProfiles.$inferSelect;
export type GivingProfileVersionRow = typeof givingProfileVersions.$inferSelect;

/** One setting of an organization's giving profile, checked. */
export interface GivingProfileSetting {
  organizationId: string;
  /** The version the caller decided on: 0 to set the profile the first time. */
  expectedVersion: number;
  content: GivingProfileContent;
  setByRole: string;
  setBySubject: string | null;
  provenanceKind: ProvenanceKind;
}

export type GivingProfileWrite = { type: 'set'; profile: GivingProfileRow } | { type: 'version-conflict'; currentVersion: number };

/** One profile per organization: the primary key of `giving_profile` (Postgres names it so). */
const PROFILE_KEY = 'giving_profile_pkey';

/** All SQL of giving profiles. Batch methods take many keys and send one statement. */
export class GivingProfileStore {
  constructor(private readonly db: Db) {}

  profilesByOrganizations(organizationIds: readonly string[]): Promise<GivingProfileRow[]> {
    const keys = organizationIds.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db.select().from(givingProfiles).where(inArray(givingProfiles.organizationId, keys));
  }

  /** Every version of each organization's profile, oldest first. */
  versionsByOrganizations(organizationIds: readonly string[]): Promise<GivingProfileVersionRow[]> {
    const keys = organizationIds.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(givingProfileVersions)
      .where(inArray(givingProfileVersions.organizationId, keys))
      .orderBy(asc(givingProfileVersions.organizationId), asc(givingProfileVersions.version));
  }

  /**
   * Sets an organization's profile and keeps the setting as a version, in one transaction.
   * The database decides between two settings made at one version: a first setting (version 0)
   * inserts, and the primary key lets one insert through, so a profile another request created
   * meanwhile is never overwritten; a later setting updates only while the row is still at
   * `expectedVersion`. The loser writes nothing.
   */
  async setProfile(setting: GivingProfileSetting): Promise<GivingProfileWrite> {
    const { organizationId, content, provenanceKind } = setting;
    const written = await unlessDuplicate(
      PROFILE_KEY,
      () =>
        this.db.transaction(async (tx) => {
          const [profile] =
            setting.expectedVersion === 0
              ? await tx
                  .insert(givingProfiles)
                  .values({ organizationId, version: 1, ...content, provenanceKind })
                  .returning()
              : await tx
                  .update(givingProfiles)
                  .set({ ...content, provenanceKind, version: sql`${givingProfiles.version} + 1`, updatedAt: sql`now()` })
                  .where(and(eq(givingProfiles.organizationId, organizationId), eq(givingProfiles.version, setting.expectedVersion)))
                  .returning();
          if (!profile) return null;
          await tx.insert(givingProfileVersions).values({
            organizationId,
            version: profile.version,
            ...content,
            setAt: profile.updatedAt,
            setByRole: setting.setByRole,
            setBySubject: setting.setBySubject,
            provenanceKind,
          });
          return profile;
        }),
      null,
    );
    if (written) return { type: 'set', profile: written };
    return { type: 'version-conflict', currentVersion: await this.currentVersion(organizationId) };
  }

  /** The profile's version as it stands; 0 when it was never set. */
  private async currentVersion(organizationId: string): Promise<number> {
    const [row] = await this.db
      .select({ version: givingProfiles.version })
      .from(givingProfiles)
      .where(eq(givingProfiles.organizationId, organizationId));
    return row?.version ?? 0;
  }
}
