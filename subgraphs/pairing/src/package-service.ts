import {
  kindOfNewRecord,
  amountLimitExceeded,
  checkRange,
  ErrorCode,
  isUuid,
  MAX_ENTRY_FEN,
  MAX_PACKAGE_LINES,
  notFound,
  requireRole,
  seesDrafts,
  userError,
  versionConflict,
  type MoneyInput,
  type ProvenanceKind,
} from '@hub/common';
import type { Peers } from '@hub/server';
import type { PairingContext } from './loaders.ts';
import { isDemo, organizationsOf } from './organization-lookup.ts';
import { checksFailedError, packageProblems } from './package-checks.ts';
import { checkPackages } from './package-facts.ts';
import { packageContentHash } from './package-hash.ts';
import type { NewPackageLine, PackageRow } from './store/package-store.ts';
import type { CeremonyRow } from './store/pairing-store.ts';

export interface PackageLineInput {
  projectId: string;
  shaanxiSignatoryId?: string | null;
  jiangsuOrganizationId?: string | null;
  amount?: MoneyInput | null;
}

export interface SaveCeremonyPackageInput {
  ceremonyId: string;
  expectedVersion: number;
  lines?: PackageLineInput[] | null;
  statedTotal?: MoneyInput | null;
}

export interface PackageVersionInput {
  ceremonyId: string;
  version: number;
}

type PackageContext = Pick<PairingContext, 'identity' | 'loaders' | 'peers' | 'store' | 'packages' | 'ceremonies'>;

/** A need as Shaanxi holds it, drafts included (asked under the pairing's service identity). */
interface NeedEntity {
  id: string;
  publishedAt: string | null;
  county: { code: string };
  raisedBy: { id: string } | null;
  amountSought: { fen: number } | null;
  provenance: { kind: ProvenanceKind };
}

const NEEDS = /* GraphQL */ `
  query PackageNeeds($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Project { id publishedAt county { code } raisedBy { id } amountSought { fen } provenance { kind } }
    }
  }
`;

const OFFICES = ['SHAANXI_OFFICE', 'JIANGSU_OFFICE'] as const;

/**
 * Preparing a ceremony's package: saving versions as drafts, checking them, freezing one as
 * final, and who may read which. The signing reads packages through `PackageStore` and runs
 * the checks through `checkPackages` (package-facts.ts); who may read which is package-visibility.ts.
 */
export class PackageService {
  constructor(private readonly context: PackageContext) {}

  async savePackage(input: SaveCeremonyPackageInput): Promise<PackageRow> {
    const { identity, packages } = this.context;
    requireRole(identity, OFFICES, 'prepare ceremony packages');
    const ceremony = await this.ceremony(input.ceremonyId);
    if (ceremony.lineByLine === 'NOT_IN_PUBLIC_RECORD') {
      throw userError(
        ErrorCode.BadUserInput,
        `input.ceremonyId: ceremony ${ceremony.id} is known by its declared figures only; its line-by-line list is not in the public record, so it has no package.`,
        { field: 'input.ceremonyId' },
      );
    }
    checkRange(input.expectedVersion, 'input.expectedVersion', 0, 1_000_000);
    const latest = await packages.latestVersion(ceremony.id);
    if (latest !== input.expectedVersion) throw versionConflict('ceremony package', input.expectedVersion, latest);

    if ((input.lines?.length ?? 0) > MAX_PACKAGE_LINES) throw tooManyLines(input.lines!.length, 'lines');
    const lines = await this.buildLines(ceremony, input.lines);
    // Lines built from the batch may be as many as the projects scheduled for the ceremony.
    if (lines.length > MAX_PACKAGE_LINES) throw tooManyLines(lines.length, 'projects scheduled for the ceremony');
    const sum = lines.reduce((total, line) => total + line.amountFen, 0n);
    let statedTotalFen = sum;
    if (input.statedTotal) {
      if (!Number.isSafeInteger(input.statedTotal.fen) || input.statedTotal.fen < 0) {
        throw userError(ErrorCode.BadUserInput, `input.statedTotal.fen must be a whole number of fen, 0 or more; got ${input.statedTotal.fen}.`, {
          field: 'input.statedTotal.fen',
        });
      }
      statedTotalFen = BigInt(input.statedTotal.fen);
    } else if (sum < 0n) {
      throw userError(ErrorCode.BadUserInput, 'input.statedTotal is needed: the lines sum to less than zero, and a total never is.', {
        field: 'input.statedTotal',
      });
    }

    const saved = await packages.saveDraft(
      {
        ceremonyId: ceremony.id,
        version: input.expectedVersion + 1,
        statedTotalFen,
        createdByRole: identity.role,
        createdBySubject: identity.subject,
        provenanceKind: kindOfNewRecord(ceremony.provenanceKind),
        sourceId: null,
        sourceDetail: isDemo(ceremony.provenanceKind) ? `package of the demo ceremony ${ceremony.id}` : null,
      },
      lines,
    );
    if (saved.type === 'version-conflict') {
      throw versionConflict('ceremony package', input.expectedVersion, await packages.latestVersion(ceremony.id));
    }
    this.context.loaders.packagesByCeremony.clear(ceremony.id);
    return saved.package;
  }

  async finalizePackage(input: PackageVersionInput): Promise<PackageRow> {
    const { identity, packages } = this.context;
    requireRole(identity, OFFICES, 'finalize ceremony packages');
    const ceremony = await this.ceremony(input.ceremonyId);
    const found = await packages.packageWithLines(ceremony.id, input.version);
    if (!found) throw notFound('ceremony package', 'version', String(input.version));
    if (found.package.status !== 'DRAFT') {
      throw userError(
        ErrorCode.PackageNotFinal,
        `Version ${input.version} of the package of ceremony ${ceremony.id} is ${found.package.status}: only a draft is finalized. Save a new version to change it.`,
        { status: found.package.status, version: input.version },
      );
    }
    const latest = await packages.latestVersion(ceremony.id);
    if (latest !== input.version) throw versionConflict('ceremony package', input.version, latest);
    const standing = await this.context.loaders.packagesByCeremony.load(ceremony.id);
    const signed = standing.find((row) => row.status === 'SIGNING' || row.status === 'SIGNED');
    if (signed) throw signedAlready(ceremony.id, signed.version, signed.status);

    const [checks] = await checkPackages(this.context, [{ package: found.package, lines: found.lines, ceremony }]);
    const problems = packageProblems(checks!, found.lines);
    if (problems.length > 0) throw checksFailedError(problems, 'Nothing was finalized.');

    const result = await packages.finalize(found.package.id, {
      contentHash: packageContentHash({
        ceremonyId: ceremony.id,
        version: found.package.version,
        lines: found.lines,
        statedTotalFen: found.package.statedTotalFen,
      }),
      checks: checks!,
      finalizedByRole: identity.role,
      finalizedBySubject: identity.subject,
    });
    switch (result.type) {
      case 'signed':
        throw signedAlready(ceremony.id, result.version, result.status);
      case 'not-draft':
        throw userError(
          ErrorCode.PackageNotFinal,
          `Version ${input.version} of the package of ceremony ${ceremony.id} became ${result.status} meanwhile: only a draft is finalized.`,
          { status: result.status, version: input.version },
        );
      case 'not-latest':
        throw versionConflict('ceremony package', input.version, result.latestVersion);
      case 'claimed': {
        const heldBy = new Map(result.claims.map((claim) => [claim.projectId, claim.ceremonyId]));
        throw checksFailedError(
          found.lines
            .filter((line) => heldBy.has(line.projectId))
            .map((line) => ({
              line: line.position,
              projectId: line.projectId,
              kind: 'ONE_PACKAGE_PER_PROJECT',
              code: 'PROJECT_IN_ANOTHER_PACKAGE',
              message: `Project ${line.projectId} was claimed meanwhile by the package of ceremony ${heldBy.get(line.projectId)}.`,
            })),
          'Nothing was finalized.',
        );
      }
      case 'finalized':
        this.context.loaders.packagesByCeremony.clear(ceremony.id);
        return result.package;
    }
  }

  private async ceremony(id: string): Promise<CeremonyRow> {
    const ceremony = await this.context.loaders.ceremony.load(id);
    if (!ceremony) throw notFound('ceremony', 'id', id);
    return ceremony;
  }

  /**
   * The lines to save: as given, or one per project scheduled for the ceremony now. Each gets
   * its county from the project, and its signatories and amount from the project where left
   * out. Unknown projects and organizations are refused here; whether the lines make a valid
   * package is for the checks to judge, on the facts at finalization.
   */
  private async buildLines(ceremony: CeremonyRow, given: PackageLineInput[] | null | undefined): Promise<NewPackageLine[]> {
    const { identity, packages, peers } = this.context;
    const requested = given
      ? given.map((line, index) => checkedLineInput(line, index))
      : (await packages.scheduledProjects(ceremony.id)).map((project) => ({
          projectId: project.projectId,
          shaanxiSignatoryId: null,
          jiangsuOrganizationId: null,
          amountFen: null,
        }));
    if (requested.length === 0) return [];
    const projectIds = requested.map((line) => line.projectId);
    const [needs, pipeline] = await Promise.all([needsOf(peers, projectIds), packages.pipelineFacts(projectIds)]);
    const pipelineOf = new Map(pipeline.map((row) => [row.projectId, row]));

    const lines = requested.map((line, index) => {
      const field = `input.lines[${index}]`;
      const need = needs.get(line.projectId);
      const facts = pipelineOf.get(line.projectId);
      // A draft is the Shaanxi office's alone: to anyone else it is an unknown project (0016).
      const draft = !need?.publishedAt || !facts?.published;
      if (!need || (draft && !seesDrafts(identity))) {
        throw userError(ErrorCode.NotFound, `${field}.projectId: no project has id ${JSON.stringify(line.projectId)}.`, {
          field: `${field}.projectId`,
          line: index + 1,
        });
      }
      // Nor does a draft go into a package for the Shaanxi office: the offices' partners read
      // packages, and a draft is shown to no one else (0016). Publish it first.
      if (draft) {
        throw userError(ErrorCode.BadUserInput, `${field}.projectId: project ${line.projectId} is a draft need: publish it before it goes into a package.`, {
          field: `${field}.projectId`,
          line: index + 1,
        });
      }
      const shaanxiSignatoryId = line.shaanxiSignatoryId ?? need.raisedBy?.id;
      if (!shaanxiSignatoryId) throw noDefault(`${field}.shaanxiSignatoryId`, index, 'no organization raised the need: name the Shaanxi signatory');
      const jiangsuOrganizationId = line.jiangsuOrganizationId ?? facts?.matchedOrganizationId;
      if (!jiangsuOrganizationId) {
        throw noDefault(`${field}.jiangsuOrganizationId`, index, 'the project is matched with no Jiangsu organization: name one');
      }
      const amountFen = line.amountFen ?? (need.amountSought ? BigInt(need.amountSought.fen) : null);
      if (amountFen === null) throw noDefault(`${field}.amount`, index, 'the need states no amount sought: state the amount');
      return {
        position: index + 1,
        projectId: line.projectId,
        countyCode: need.county.code,
        shaanxiSignatoryId,
        jiangsuOrganizationId,
        amountFen,
        provenance: need.provenance.kind,
      };
    });

    const [shaanxi, jiangsu] = await Promise.all([
      organizationsOf(peers, 'SHAANXI', lines.map((line) => line.shaanxiSignatoryId)),
      organizationsOf(peers, 'JIANGSU', lines.map((line) => line.jiangsuOrganizationId)),
    ]);
    const demoCeremony = isDemo(ceremony.provenanceKind);
    return lines.map(({ provenance, ...line }, index) => {
      const field = `input.lines[${index}]`;
      const signatory = shaanxi.get(line.shaanxiSignatoryId);
      const organization = jiangsu.get(line.jiangsuOrganizationId);
      if (!signatory) throw lineNotFound(`${field}.shaanxiSignatoryId`, index, 'Shaanxi', line.shaanxiSignatoryId);
      if (!organization) throw lineNotFound(`${field}.jiangsuOrganizationId`, index, 'Jiangsu', line.jiangsuOrganizationId);
      // The project and the Jiangsu organization carry the commitment a signing records: both
      // are of the ceremony's kind. A real office may sign for a demo county; a demo one never
      // signs a real package.
      if (isDemo(provenance) !== demoCeremony) throw lineMismatch(`${field}.projectId`, index, 'project', demoCeremony);
      if (isDemo(organization.provenance.kind) !== demoCeremony) {
        throw lineMismatch(`${field}.jiangsuOrganizationId`, index, 'Jiangsu organization', demoCeremony);
      }
      if (!demoCeremony && isDemo(signatory.provenance.kind)) throw lineMismatch(`${field}.shaanxiSignatoryId`, index, 'Shaanxi signatory', false);
      return line;
    });
  }
}

/** A line as asked, checked for shape only. */
function checkedLineInput(line: PackageLineInput, index: number) {
  const field = `input.lines[${index}]`;
  const projectId = line.projectId.toLowerCase();
  if (!isUuid(projectId)) {
    throw userError(ErrorCode.NotFound, `${field}.projectId: no project has id ${JSON.stringify(line.projectId)}.`, {
      field: `${field}.projectId`,
      line: index + 1,
    });
  }
  let amountFen: bigint | null = null;
  if (line.amount) {
    if (!Number.isSafeInteger(line.amount.fen)) {
      throw userError(ErrorCode.BadUserInput, `${field}.amount.fen must be a whole number of fen; got ${line.amount.fen}.`, {
        field: `${field}.amount.fen`,
        line: index + 1,
      });
    }
    amountFen = BigInt(line.amount.fen);
    // The table holds a line's amount within the ledger's entry limit, as the commitment it becomes.
    if (amountFen > MAX_ENTRY_FEN) throw amountLimitExceeded('ENTRY', `${field}.amount.fen`, 'package line');
  }
  return {
    projectId,
    shaanxiSignatoryId: line.shaanxiSignatoryId ?? null,
    jiangsuOrganizationId: line.jiangsuOrganizationId ?? null,
    amountFen,
  };
}

async function needsOf(peers: Peers, projectIds: readonly string[]): Promise<Map<string, NeedEntity>> {
  const unique = [...new Set(projectIds)];
  const data = await peers.query<{ _entities: (NeedEntity | null)[] }>('shaanxi', NEEDS, {
    representations: unique.map((id) => ({ __typename: 'Project', id })),
  });
  return new Map(data._entities.filter((need): need is NeedEntity => need !== null).map((need) => [need.id.toLowerCase(), need]));
}

function signedAlready(ceremonyId: string, version: number, status: string) {
  return userError(
    ErrorCode.CeremonyAlreadySigned,
    `Version ${version} of the package of ceremony ${ceremonyId} is ${status === 'SIGNED' ? 'signed' : 'being signed'}: a signed package is never superseded.`,
    { status, signedVersion: version },
  );
}

function tooManyLines(count: number, what: string) {
  return userError(
    ErrorCode.BadUserInput,
    `input.lines: a package holds at most ${MAX_PACKAGE_LINES} lines; ${count} ${what} would not be signed as one. Split them between ceremonies.`,
    { field: 'input.lines', limit: MAX_PACKAGE_LINES },
  );
}

function noDefault(field: string, index: number, why: string) {
  return userError(ErrorCode.BadUserInput, `${field} is needed: ${why}.`, { field, line: index + 1 });
}

function lineNotFound(field: string, index: number, province: string, id: string) {
  return userError(ErrorCode.NotFound, `${field}: no ${province} organization has id ${JSON.stringify(id)}.`, { field, line: index + 1 });
}

function lineMismatch(field: string, index: number, what: string, demoCeremony: boolean) {
  return userError(
    ErrorCode.ProvenanceMismatch,
    demoCeremony
      ? `${field}: the ${what} is a real record and the ceremony is synthetic demo data; demo and real records are not mixed.`
      : `${field}: the ${what} is synthetic demo data and the ceremony is a real record; demo and real records are not mixed.`,
    { field, line: index + 1 },
  );
}
