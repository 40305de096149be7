import { moneyFromFen, notFound, provenanceOf } from '@hub/common';
import { CeremonyService, type PairingExceptionInput, type ScheduleCeremonyInput } from '../ceremony-service.ts';
import type { PairingContext } from '../loaders.ts';
import type { PackageCheckResult } from '../package-checks.ts';
import { currentPackage, packageForCaller, pdfPathOf, visiblePackages } from '../package-visibility.ts';
import {
  PackageService,
  type PackageVersionInput,
  type SaveCeremonyPackageInput,
} from '../package-service.ts';
import type { PairingExceptionRow } from '../store/ceremony-store.ts';
import type { PackageLineRow, PackageRow } from '../store/package-store.ts';
import type { CeremonyRow } from '../store/pairing-store.ts';
import { organizationReference } from './references.ts';

export const packageMutations = {
  scheduleCeremony: (_: unknown, { input }: { input: ScheduleCeremonyInput }, context: PairingContext) =>
    new CeremonyService(context).scheduleCeremony(input),
  recordPairingException: (_: unknown, { input }: { input: PairingExceptionInput }, context: PairingContext) =>
    new CeremonyService(context).recordPairingException(input),
  saveCeremonyPackage: (_: unknown, { input }: { input: SaveCeremonyPackageInput }, context: PairingContext) =>
    new PackageService(context).savePackage(input),
  finalizeCeremonyPackage: (_: unknown, { input }: { input: PackageVersionInput }, context: PairingContext) =>
    new PackageService(context).finalizePackage(input),
};

export const packageQueries = {
  ceremonyPackage: (_: unknown, { ceremonyId, version }: { ceremonyId: string; version?: number | null }, context: PairingContext) =>
    packageForCaller(ceremonyId, version ?? null, context),
  async pairingExceptions(_: unknown, { agreementId }: { agreementId: string }, { loaders }: PairingContext) {
    if (!(await loaders.agreement.load(agreementId))) throw notFound('agreement', 'id', agreementId);
    return loaders.pairingExceptionsByAgreement.load(agreementId);
  },
};

/** What the pairing adds to a ceremony about its packages. */
export const ceremonyPackageFields = {
  packages: (ceremony: CeremonyRow, _: unknown, context: PairingContext) => visiblePackages(ceremony.id, context),
  currentPackage: (ceremony: CeremonyRow, _: unknown, context: PairingContext) => currentPackage(ceremony.id, context),
};

export const CeremonyPackage = {
  async ceremony(pkg: PackageRow, _: unknown, { loaders }: PairingContext) {
    const ceremony = await loaders.ceremony.load(pkg.ceremonyId);
    if (!ceremony) throw new Error(`package ${pkg.id} names missing ceremony ${pkg.ceremonyId}`);
    return ceremony;
  },
  lines: (pkg: PackageRow, _: unknown, { loaders }: PairingContext) => loaders.linesByPackage.load(pkg.id),
  async total(pkg: PackageRow, _: unknown, { loaders }: PairingContext) {
    const lines = await loaders.linesByPackage.load(pkg.id);
    return moneyFromFen(lines.reduce((sum, line) => sum + line.amountFen, 0n));
  },
  statedTotal: (pkg: PackageRow) => moneyFromFen(pkg.statedTotalFen),
  // A draft is judged as things stand now; a frozen package keeps the checks it passed.
  checks: (pkg: PackageRow, _: unknown, { loaders }: PairingContext) =>
    pkg.status === 'DRAFT' ? loaders.draftChecks.load(pkg) : ((pkg.checks ?? []) as PackageCheckResult[]),
  signing: (pkg: PackageRow, _: unknown, { loaders }: PairingContext) => loaders.signingByPackage.load(pkg.id),
  pdfPath: pdfPathOf,
  provenance: provenanceOf,
};

export const PackageLine = {
  project: (line: PackageLineRow) => ({ id: line.projectId }),
  county: (line: PackageLineRow) => ({ code: line.countyCode }),
  shaanxiSignatory: (line: PackageLineRow) => organizationReference(line.shaanxiSignatoryId, 'SHAANXI'),
  jiangsuOrganization: (line: PackageLineRow) => organizationReference(line.jiangsuOrganizationId, 'JIANGSU'),
  amount: (line: PackageLineRow) => moneyFromFen(line.amountFen),
};

export const PairingException = {
  async agreement(exception: PairingExceptionRow, _: unknown, { loaders }: PairingContext) {
    const agreement = await loaders.agreement.load(exception.agreementId);
    if (!agreement) throw new Error(`pairing exception ${exception.id} names missing agreement ${exception.agreementId}`);
    return agreement;
  },
  organization: (exception: PairingExceptionRow) => organizationReference(exception.organizationId, 'JIANGSU'),
  county: (exception: PairingExceptionRow) => (exception.countyCode ? { code: exception.countyCode } : null),
  prefecture: (exception: PairingExceptionRow) => (exception.prefectureCode ? { code: exception.prefectureCode } : null),
  provenance: provenanceOf,
};
