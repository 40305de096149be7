import { createHash } from 'node:crypto';

/** What a final package freezes: the content its hash is taken over. */
export interface PackageContent {
  ceremonyId: string;
  version: number;
  lines: readonly {
    position: number;
    projectId: string;
    countyCode: string;
    shaanxiSignatoryId: string;
    jiangsuOrganizationId: string;
    amountFen: bigint;
  }[];
  statedTotalFen: bigint;
}

/**
 * The JSON the hash is taken over: keys sorted at every level, no spaces, lines by position,
 * money as decimal strings of fen (exact at any size, and the same in every language). Anyone
 * holding the printed package can rebuild it and check the hash.
 */
export function canonicalPackageJson(content: PackageContent): string {
  return canonicalJson({
    ceremonyId: content.ceremonyId,
    version: content.version,
    lines: [...content.lines]
      .sort((a, b) => a.position - b.position)
      .map((line) => ({
        position: line.position,
        projectId: line.projectId,
        countyCode: line.countyCode,
        shaanxiSignatoryId: line.shaanxiSignatoryId,
        jiangsuOrganizationId: line.jiangsuOrganizationId,
        amountFen: line.amountFen.toString(),
      })),
    statedTotalFen: content.statedTotalFen.toString(),
  });
}

/** SHA-256, in lower-case hex, of the package's canonical JSON. */
export function packageContentHash(content: PackageContent): string {
  return createHash('sha256').update(canonicalPackageJson(content), 'utf8').digest('hex');
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as Json)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
