import { readFileSync } from 'node:fs';
import { yuanToFen, type ProjectField } from '@hub/common';
import { seedOnce, type Db } from '@hub/db';
import {
  agreementFocuses,
  agreements,
  ceremonies,
  ceremonyCounties,
  ceremonyOrganizations,
  seedLog,
  type Province,
} from './db/schema.ts';

const SEED_NAME = 'public-record-v1';
const REPORT = 'shaanxi-civil-affairs-2017-report';

const readSeed = <T>(file: string): T =>
  JSON.parse(readFileSync(new URL(`../seed/${file}`, import.meta.url), 'utf8')) as T;

interface AgreementSeed {
  id: string;
  titleZh: string;
  titleEn: string;
  jiangsuPartyId: string;
  shaanxiPartyId: string;
  coordinatorId: string | null;
  termYears: number;
  signedOn: string | null;
  plannedProjectCount: number | null;
  plannedFields: ProjectField[];
  sourceDetail: string;
  focuses: { titleZh: string; titleEn: string }[];
}

interface OrganizationRef {
  organizationId: string;
  province: Province;
}

interface CeremonySeed {
  id: string;
  agreementId: string;
  titleZh: string;
  titleEn: string;
  heldOn: string;
  cityCode: string;
  cityNameZh: string;
  venue: string | null;
  declaredProjectCount: number;
  declaredTotalYuan: number;
  hosts: OrganizationRef[];
  signatoryOrganizations: OrganizationRef[];
  signatoryCounties: string[];
  sourceDetail: string;
}

/** Loads the public-record seed in one transaction, once per database. */
export async function seedPairing(db: Db): Promise<void> {
  await seedOnce(db, seedLog, SEED_NAME, async (tx) => {
    for (const { focuses, sourceDetail, ...agreement } of readSeed<AgreementSeed[]>('agreements.json')) {
      await tx.insert(agreements).values({ ...agreement, provenanceKind: 'PUBLIC_RECORD', sourceId: REPORT, sourceDetail });
      await tx
        .insert(agreementFocuses)
        .values(focuses.map((focus, index) => ({ agreementId: agreement.id, position: index + 1, ...focus })));
    }

    for (const seed of readSeed<CeremonySeed[]>('ceremonies.json')) {
      const { hosts, signatoryOrganizations, signatoryCounties, declaredTotalYuan, sourceDetail, ...ceremony } = seed;
      await tx.insert(ceremonies).values({
        ...ceremony,
        declaredTotalFen: yuanToFen(declaredTotalYuan),
        // The record gives the batch's count and total, not its projects one by one.
        lineByLine: 'NOT_IN_PUBLIC_RECORD',
        provenanceKind: 'PUBLIC_RECORD',
        sourceId: REPORT,
        sourceDetail,
      });
      await tx.insert(ceremonyOrganizations).values([
        ...hosts.map((host) => ({ ceremonyId: ceremony.id, ...host, role: 'HOST' as const })),
        ...signatoryOrganizations.map((signatory) => ({ ceremonyId: ceremony.id, ...signatory, role: 'SIGNATORY' as const })),
      ]);
      await tx
        .insert(ceremonyCounties)
        .values(signatoryCounties.map((countyCode) => ({ ceremonyId: ceremony.id, countyCode })));
    }
  });
}
