import type { Db } from '@hub/db';
import type { ProvenanceKind } from '@hub/common';
import { counties, organizations, projectNeeds } from '../../subgraphs/shaanxi/src/db/schema.ts';

/**
 * Gives every Shaanxi county an organization (`<idPrefix>-<code>`) and a published need it
 * raised, of one kind of record, so that each county of a page has rows at every level a
 * statement-count test batches. Returns the county codes.
 */
export async function organizationAndNeedInEveryCounty(
  db: Db,
  options: { idPrefix: string; label: string; provenanceKind: ProvenanceKind },
): Promise<string[]> {
  const codes = (await db.select({ code: counties.code }).from(counties)).map(({ code }) => code);
  await db.insert(organizations).values(
    codes.map((code) => ({
      id: `${options.idPrefix}-${code}`,
      nameZh: `${options.label}社会组织 ${code}`,
      kind: 'SOCIAL_SERVICE_INSTITUTION' as const,
      homeCountyCode: code,
      provenanceKind: options.provenanceKind,
    })),
  );
  await db.insert(projectNeeds).values(
    codes.map((code) => ({
      countyCode: code,
      raisedByOrganizationId: `${options.idPrefix}-${code}`,
      titleZh: `${options.label}项目 ${code}`,
      field: 'EDUCATION' as const,
      // Published, so the public lists them.
      publishedAt: new Date(),
      provenanceKind: options.provenanceKind,
    })),
  );
  return codes;
}
