/**
 * What a printed package shows, read through the gateway as one operation so that the pairing
 * subgraph's visibility rule decides who may print it, and the names come from the books that
 * own them (project titles and Shaanxi names from Shaanxi, Jiangsu names from Jiangsu).
 */
export const PACKAGE_FOR_PRINT = /* GraphQL */ `
  query CeremonyPackageForPrint($ceremonyId: ID!, $version: Int!) {
    ceremonyPackage(ceremonyId: $ceremonyId, version: $version) {
      id
      version
      status
      contentHash
      finalizedAt
      signedAt
      total { yuan }
      provenance { kind }
      ceremony {
        id
        titleZh
        titleEn
        heldOn
        cityNameZh
        venue
        provenance { kind }
        hosts {
          id
          ... on ShaanxiOrganization { nameZh }
          ... on JiangsuOrganization { nameZh }
        }
      }
      lines {
        position
        amount { yuan }
        project { id titleZh provenance { kind } }
        county { code nameZh }
        shaanxiSignatory { id nameZh provenance { kind } }
        jiangsuOrganization { id nameZh provenance { kind } }
      }
      checks { kind line passed code }
    }
  }
`;

export type PackageStatus = 'DRAFT' | 'FINAL' | 'SIGNING' | 'SIGNED' | 'SUPERSEDED';
export type ProvenanceKind = 'PUBLIC_RECORD' | 'SYNTHETIC_DEMO' | 'ENTERED';

interface WithProvenance {
  provenance: { kind: ProvenanceKind };
}

/** One line as printed: the project and who signs for what amount. */
export interface PrintedLine {
  position: number;
  /** Exact decimal yuan with two places, as `Money.yuan` gives it. */
  amount: { yuan: string };
  project: { id: string; titleZh: string } & WithProvenance;
  county: { code: string; nameZh: string };
  shaanxiSignatory: { id: string; nameZh: string } & WithProvenance;
  jiangsuOrganization: { id: string; nameZh: string } & WithProvenance;
}

export interface PrintedCheck {
  kind: string;
  line: number | null;
  passed: boolean;
  code: string | null;
}

/** The `ceremonyPackage` of PACKAGE_FOR_PRINT: everything the printed package shows. */
export interface PackageForPrint extends WithProvenance {
  id: string;
  version: number;
  status: PackageStatus;
  contentHash: string | null;
  finalizedAt: string | null;
  signedAt: string | null;
  total: { yuan: string };
  ceremony: {
    id: string;
    titleZh: string;
    titleEn: string | null;
    /** YYYY-MM-DD. */
    heldOn: string;
    cityNameZh: string;
    venue: string | null;
    /** An organization the caller's graph cannot name (an outage) comes without `nameZh`. */
    hosts: { id: string; nameZh?: string | null }[];
  } & WithProvenance;
  lines: PrintedLine[];
  checks: PrintedCheck[];
}
