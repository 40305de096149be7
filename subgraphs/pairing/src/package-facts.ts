import type { Peers } from '@hub/server';
import { runPackageChecks, type PackageCheckResult, type PackageFacts, type ProjectFacts } from './package-checks.ts';
import type { CeremonyStore } from './store/ceremony-store.ts';
import type { PackageLineRow, PackageRow, PackageStore } from './store/package-store.ts';
import type { CeremonyRow, PairingStore } from './store/pairing-store.ts';

/** What gathering a package's facts reads from: the pairing's own tables and the two provinces. */
export interface FactSource {
  store: PairingStore;
  packages: PackageStore;
  ceremonies: CeremonyStore;
  peers: Peers;
}

const AMOUNTS_SOUGHT = /* GraphQL */ `
  query AmountsSought($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Project { id amountSought { fen } } }
  }
`;

// Each organization's city and that city's pairing, one chain of batched lookups in Jiangsu.
const PAIRING_FACTS = /* GraphQL */ `
  query PairingFacts($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on JiangsuOrganization { id city { code pairing { shaanxiPrefecture { code } } } }
    }
  }
`;

/**
 * The checks of each package, run on facts gathered for all of them together: the pairing's
 * rows in four statements and each province asked once, however many packages and lines.
 */
export async function checkPackages(
  source: FactSource,
  items: readonly { package: PackageRow; lines: readonly PackageLineRow[]; ceremony: CeremonyRow }[],
): Promise<PackageCheckResult[][]> {
  const allLines = items.flatMap((item) => item.lines);
  const projectIds = [...new Set(allLines.map((line) => line.projectId))];
  const organizationIds = [...new Set(allLines.map((line) => line.jiangsuOrganizationId))];
  const agreementIds = [...new Set(items.map((item) => item.ceremony.agreementId))];
  const [pipeline, claims, exceptions, amounts, pairingFacts] = await Promise.all([
    source.packages.pipelineFacts(projectIds),
    source.packages.claimsOfProjects(projectIds),
    allLines.length > 0 ? source.ceremonies.pairingExceptionsOfAgreements(agreementIds) : Promise.resolve([]),
    amountsSoughtOf(source.peers, projectIds),
    pairingFactsOf(source.peers, organizationIds),
  ]);
  const pipelineOf = new Map(pipeline.map((row) => [row.projectId, row]));
  const projects = new Map<string, ProjectFacts>(
    projectIds.map((id) => {
      const row = pipelineOf.get(id);
      return [
        id,
        {
          stage: row?.stage ?? null,
          ceremonyId: row?.ceremonyId ?? null,
          matchedOrganizationId: row?.matchedOrganizationId ?? null,
          amountSoughtFen: amounts.get(id) ?? null,
        },
      ];
    }),
  );
  const claimedBy = new Map(claims.map((claim) => [claim.projectId, claim.ceremonyId]));
  return items.map((item) => {
    const facts: PackageFacts = {
      ceremonyId: item.ceremony.id,
      statedTotalFen: item.package.statedTotalFen,
      lines: item.lines,
      projects,
      claims: claimedBy,
      organizationCities: pairingFacts.cities,
      pairings: pairingFacts.pairings,
      exceptions: exceptions.filter((exception) => exception.agreementId === item.ceremony.agreementId),
    };
    return runPackageChecks(facts);
  });
}

/** How the draft checks of a request find the lines and ceremonies of its packages: its own DataLoaders. */
export interface PackageLookups {
  lines(packageIds: readonly string[]): Promise<readonly (readonly PackageLineRow[] | Error)[]>;
  ceremonies(ids: readonly string[]): Promise<readonly (CeremonyRow | null | Error)[]>;
}

/**
 * Checks for the packages a request reads (the draft checks of a page), with their lines and
 * ceremonies taken from the request's loaders, which have read them already.
 */
export async function checksOfPackages(source: FactSource, lookups: PackageLookups, rows: readonly PackageRow[]): Promise<PackageCheckResult[][]> {
  const [lines, ceremonies] = await Promise.all([lookups.lines(rows.map((row) => row.id)), lookups.ceremonies(rows.map((row) => row.ceremonyId))]);
  return checkPackages(
    source,
    rows.map((row, index) => {
      const found = lines[index];
      const ceremony = ceremonies[index];
      if (found instanceof Error) throw found;
      if (!ceremony || ceremony instanceof Error) throw ceremony ?? new Error(`package ${row.id} names missing ceremony ${row.ceremonyId}`);
      return { package: row, lines: found ?? [], ceremony };
    }),
  );
}

async function amountsSoughtOf(peers: Peers, projectIds: readonly string[]): Promise<Map<string, bigint>> {
  if (projectIds.length === 0) return new Map();
  const data = await peers.query<{ _entities: ({ id: string; amountSought: { fen: number } | null } | null)[] }>('shaanxi', AMOUNTS_SOUGHT, {
    representations: projectIds.map((id) => ({ __typename: 'Project', id })),
  });
  const amounts = new Map<string, bigint>();
  for (const need of data._entities) if (need?.amountSought) amounts.set(need.id.toLowerCase(), BigInt(need.amountSought.fen));
  return amounts;
}

/** The Jiangsu organizations' cities and those cities' pairings (a city has one at most), in one query to Jiangsu. */
async function pairingFactsOf(peers: Peers, organizationIds: readonly string[]) {
  const cities = new Map<string, string | null>();
  const pairings = new Map<string, Set<string>>();
  if (organizationIds.length === 0) return { cities, pairings };
  type City = { code: string; pairing: { shaanxiPrefecture: { code: string } } | null };
  const data = await peers.query<{ _entities: ({ id: string; city: City | null } | null)[] }>('jiangsu', PAIRING_FACTS, {
    representations: organizationIds.map((id) => ({ __typename: 'JiangsuOrganization', id })),
  });
  for (const organization of data._entities) {
    if (!organization) continue;
    cities.set(organization.id, organization.city?.code ?? null);
    const { city } = organization;
    if (city?.pairing) pairings.set(city.code, new Set([city.pairing.shaanxiPrefecture.code]));
  }
  return { cities, pairings };
}
