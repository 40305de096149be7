import { PROJECT_FIELDS, type OrganizationKind, type ProjectField, type ProvenanceKind } from '@hub/common';
import type { Province } from './db/schema.ts';
import type { PairingContext } from './loaders.ts';
import type { AgreementRow, CeremonyRow } from './store/pairing-store.ts';
import type { AgreementTargetRow } from './store/targets-store.ts';
import type { DeclaredCeremonyRow, TrackedProjectRow } from './store/tracking-store.ts';
import { termYearList } from './targets-service.ts';
import { byText, distinct, type CountyFlags, type FundingYearSum } from './tracking-loaders.ts';

/**
 * Where an agreement stands against its targets (docs/decisions/0022-tracking-the-agreement.md).
 * The figures are pure functions of rows: the pipeline's projects under the agreement, its
 * declared ceremonies, Jiangsu's sums by year, the organizations' kinds and Shaanxi's counties.
 */

/** A period of the term: a calendar year, or null for the whole term. */
export type Period = number | null;

/** The article's minimum of social organizations per poverty county (深度贫困地区民政系统脱贫攻坚工作方案). */
export const ORGANIZATION_MINIMUM = 5;

/** The kind of an organization as its province knows it; null when it does not know the organization. */
export type KindOf = (province: Province, id: string) => OrganizationKind | null;

/** Read-only: what is arranged of them once is kept for them (see `arranged`). */
export interface TrackingInputs {
  readonly projects: readonly TrackedProjectRow[];
  readonly declared: readonly DeclaredCeremonyRow[];
  readonly funding: readonly FundingYearSum[];
  readonly kindOf: KindOf;
  readonly targets: readonly AgreementTargetRow[];
}

export interface CountFigure {
  target: number | null;
  actual: number;
  itemized: number;
  declared: number;
  shareReached: number | null;
}

export interface MoneyFigure {
  target: bigint | null;
  actual: bigint;
  itemized: bigint;
  declared: bigint;
  shareReached: number | null;
}

export interface SliceFigures {
  projectsSigned: number;
  committedFen: bigint;
  disbursedFen: bigint;
}

export interface Slice<K> {
  key: K;
  figures: SliceFigures;
}

export interface PeriodFigures {
  year: Period;
  projectsSigned: CountFigure;
  committed: MoneyFigure;
  disbursed: MoneyFigure;
  countiesReached: CountFigure;
  shaanxiOrganizations: CountFigure;
  jiangsuOrganizations: CountFigure;
  byPrefecture: Slice<string>[];
  byCounty: Slice<string>[];
  byField: Slice<ProjectField>[];
  byOrganization: Slice<string>[];
  byFocus: Slice<number | null>[];
}

export interface CoverageCountFigures {
  known: number;
  reached: number;
  reachedByDeclarationOnly: number;
  unknown: number;
  reachedAmongUnknown: number;
  reachedCounties: string[];
}

export interface CoverageFigures {
  povertyCounties: CoverageCountFigures;
  deepPovertyCounties: CoverageCountFigures;
  revolutionaryOldAreaCounties: CoverageCountFigures;
}

export interface OrganizationRuleFigures {
  minimum: number;
  countiesMeeting: number;
  countiesShort: { countyCode: string; organizations: number; short: number }[];
}

/**
 * actual / target to four decimal places, rounded half up, computed in integers so that money
 * beyond 2^53 fen stays exact; null without a target or with a target of 0.
 */
export function shareReached(actual: bigint | number, target: bigint | number | null): number | null {
  if (target === null) return null;
  const whole = BigInt(target);
  if (whole === 0n) return null;
  const tenThousandths = (BigInt(actual) * 20_000n + whole) / (2n * whole);
  return Number(tenThousandths) / 10_000;
}

const inPeriod = (year: number, period: Period) => period === null || year === period;
const heldIn = (ceremony: CeremonyRow) => Number(ceremony.heldOn.slice(0, 4));

/** A Jiangsu sum for a project under the agreement, with the project. */
interface ProjectSum {
  sum: FundingYearSum;
  project: TrackedProjectRow;
}

/** What one ceremony's batch holds of signed projects: how many, and their commitments. */
interface Batch {
  projects: number;
  committedFen: bigint;
}

/**
 * The inputs arranged once for every period and slice asked of them: the agreement's funding
 * joined to its projects (sums of other projects dropped) and its signed projects, each also
 * by year, and what each ceremony's batch holds of signed projects and their commitments.
 */
interface Arranged {
  funding: ProjectSum[];
  fundingByYear: Map<number, ProjectSum[]>;
  signed: TrackedProjectRow[];
  signedByYear: Map<number, TrackedProjectRow[]>;
  itemizedByCeremony: Map<string, Batch>;
}

const arrangedInputs = new WeakMap<TrackingInputs, Arranged>();

/** Adds `value` to the list `map` holds under `key`, begun if there is none. */
function pushed<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function arranged(inputs: TrackingInputs): Arranged {
  let found = arrangedInputs.get(inputs);
  if (found) return found;
  const projects = new Map(inputs.projects.map((project) => [project.projectId, project]));
  found = { funding: [], fundingByYear: new Map(), signed: [], signedByYear: new Map(), itemizedByCeremony: new Map() };
  const { funding, fundingByYear, signed, signedByYear, itemizedByCeremony } = found;
  /** The batch figures of each signed project's ceremony, by project. */
  const batchOf = new Map<string, Batch>();
  for (const project of inputs.projects) {
    if (project.signedYear === null) continue;
    signed.push(project);
    pushed(signedByYear, project.signedYear, project);
    let batch = itemizedByCeremony.get(project.ceremonyId);
    if (!batch) itemizedByCeremony.set(project.ceremonyId, (batch = { projects: 0, committedFen: 0n }));
    batch.projects += 1;
    batchOf.set(project.projectId, batch);
  }
  for (const sum of inputs.funding) {
    const project = projects.get(sum.projectId);
    if (!project) continue;
    const joined = { sum, project };
    funding.push(joined);
    pushed(fundingByYear, sum.year, joined);
    const batch = batchOf.get(sum.projectId);
    if (batch && sum.kind === 'COMMITMENT') batch.committedFen += sum.fen;
  }
  arrangedInputs.set(inputs, found);
  return found;
}

/** A value computed the first time it is asked for, and kept. */
function once<T>(compute: () => T): () => T {
  let value: { of: T } | undefined;
  return () => (value ??= { of: compute() }).of;
}

/** A social organization takes part; a government office (the departments, the offices) does not count. */
function socialOrganization(kindOf: KindOf, province: Province, id: string | null): id is string {
  if (id === null) return false;
  const kind = kindOf(province, id);
  return kind !== null && kind !== 'GOVERNMENT_OFFICE';
}

function countFigure(itemized: number, declared: number, target: number | null): CountFigure {
  const actual = itemized + declared;
  return { target, actual, itemized, declared, shareReached: shareReached(actual, target) };
}

function moneyFigure(itemized: bigint, declared: bigint, target: bigint | null): MoneyFigure {
  const actual = itemized + declared;
  return { target, actual, itemized, declared, shareReached: shareReached(actual, target) };
}

/**
 * Distinct members counted from records and from declarations: one found in both counts once,
 * as itemized, so that actual is the size of the union.
 */
function unionCount(itemized: ReadonlySet<string>, declared: Iterable<string>, target: number | null): CountFigure {
  const declaredOnly = new Set([...declared].filter((member) => !itemized.has(member)));
  return countFigure(itemized.size, declaredOnly.size, target);
}

/** The itemized figures of one period, sliced by `sliceOf`; a slice with nothing in the period is left out. */
function slices<K>(
  signed: readonly TrackedProjectRow[],
  funding: readonly ProjectSum[],
  signedSlice: (project: TrackedProjectRow) => K | undefined,
  moneySlice: (sum: FundingYearSum, project: TrackedProjectRow) => K | undefined,
  order: (a: K, b: K) => number,
): Slice<K>[] {
  const figures = new Map<K, SliceFigures>();
  const at = (key: K) => {
    let entry = figures.get(key);
    if (!entry) figures.set(key, (entry = { projectsSigned: 0, committedFen: 0n, disbursedFen: 0n }));
    return entry;
  };
  for (const project of signed) {
    const key = signedSlice(project);
    if (key !== undefined) at(key).projectsSigned += 1;
  }
  for (const { sum, project } of funding) {
    const key = moneySlice(sum, project);
    if (key === undefined) continue;
    if (sum.kind === 'COMMITMENT') at(key).committedFen += sum.fen;
    if (sum.kind === 'DISBURSEMENT') at(key).disbursedFen += sum.fen;
  }
  return [...figures]
    .filter(([, slice]) => slice.projectsSigned > 0 || slice.committedFen > 0n || slice.disbursedFen > 0n)
    .sort(([a], [b]) => order(a, b))
    .map(([key, slice]) => ({ key, figures: slice }));
}

const byFieldOrder = (a: ProjectField, b: ProjectField) => PROJECT_FIELDS.indexOf(a) - PROJECT_FIELDS.indexOf(b);
/** Focuses in the agreement's order; projects naming none last. */
const byFocusPosition = (a: number | null, b: number | null) => (a ?? Number.MAX_SAFE_INTEGER) - (b ?? Number.MAX_SAFE_INTEGER);

/**
 * What a declared ceremony adds beyond the records the hub holds of it. The ceremony signed
 * its declared projects and no others, so a project the hub records as signed in its batch is
 * one of them, and its commitments are part of the declared total: the declared figures count
 * only for what is not itemized, never twice (at least zero).
 */
function declaredBeyondItemized(ceremony: DeclaredCeremonyRow['ceremony'], inputs: TrackingInputs): { projects: number; fen: bigint } {
  const itemized: Batch = arranged(inputs).itemizedByCeremony.get(ceremony.id) ?? { projects: 0, committedFen: 0n };
  const projects = ceremony.declaredProjectCount - itemized.projects;
  const fen = ceremony.declaredTotalFen - itemized.committedFen;
  return { projects: projects > 0 ? projects : 0, fen: fen > 0n ? fen : 0n };
}

/**
 * One period's figures: itemized from the pipeline and Jiangsu's books, declared from the
 * ceremonies known by declared figures only (never in a breakdown). The breakdowns and the
 * counts of counties and organizations are made when first read: a query asking a year's
 * totals sums no slice and gathers no organization.
 */
export function periodFigures(period: Period, inputs: TrackingInputs): PeriodFigures {
  const { kindOf } = inputs;
  const all = arranged(inputs);
  const target = inputs.targets.find((row) => row.year === period) ?? null;
  const signed = period === null ? all.signed : (all.signedByYear.get(period) ?? []);
  const funding = period === null ? all.funding : (all.fundingByYear.get(period) ?? []);
  const declared = inputs.declared.filter(({ ceremony }) => inPeriod(heldIn(ceremony), period));
  let committedFen = 0n;
  let disbursedFen = 0n;
  for (const { sum } of funding) {
    if (sum.kind === 'COMMITMENT') committedFen += sum.fen;
    else if (sum.kind === 'DISBURSEMENT') disbursedFen += sum.fen;
  }
  const declaredSignatories = (province: Province) =>
    declared.flatMap(({ signatories }) =>
      signatories.filter((signatory) => signatory.province === province && socialOrganization(kindOf, province, signatory.id)).map(({ id }) => id),
    );
  // The distinct social organizations of each province in the period's records.
  const shaanxiItemized = () => {
    const members = new Set<string>();
    for (const project of signed) {
      if (socialOrganization(kindOf, 'SHAANXI', project.raisedByOrganizationId)) members.add(project.raisedByOrganizationId);
      for (const id of project.packageSignatoryIds) if (socialOrganization(kindOf, 'SHAANXI', id)) members.add(id);
    }
    return members;
  };
  const jiangsuItemized = () => {
    const members = new Set<string>();
    for (const project of signed) if (socialOrganization(kindOf, 'JIANGSU', project.matchedOrganizationId)) members.add(project.matchedOrganizationId);
    for (const { sum } of funding) if (sum.kind === 'COMMITMENT' && socialOrganization(kindOf, 'JIANGSU', sum.organizationId)) members.add(sum.organizationId);
    return members;
  };

  const unitemized = declared.map(({ ceremony }) => declaredBeyondItemized(ceremony, inputs));
  const sliced = <K>(
    signedSlice: (project: TrackedProjectRow) => K | undefined,
    moneySlice: (sum: FundingYearSum, project: TrackedProjectRow) => K | undefined,
    order: (a: K, b: K) => number,
  ) => once(() => slices(signed, funding, signedSlice, moneySlice, order));
  const byPrefecture = sliced((p) => p.prefectureCode, (_, p) => p.prefectureCode, byText);
  const byCounty = sliced((p) => p.countyCode, (_, p) => p.countyCode, byText);
  const byField = sliced((p) => p.field, (_, p) => p.field, byFieldOrder);
  // An organization's slice: the projects it was matched with, and its own money.
  const byOrganization = sliced((p) => p.matchedOrganizationId ?? undefined, (sum) => sum.organizationId, byText);
  const byFocus = sliced((p) => p.focusPosition, (_, p) => p.focusPosition, byFocusPosition);
  const countiesReached = once(() =>
    unionCount(
      new Set(signed.map((project) => project.countyCode)),
      declared.flatMap(({ countyCodes }) => countyCodes),
      target?.countiesReached ?? null,
    ),
  );
  const shaanxiOrganizations = once(() => unionCount(shaanxiItemized(), declaredSignatories('SHAANXI'), target?.shaanxiOrganizations ?? null));
  const jiangsuOrganizations = once(() => unionCount(jiangsuItemized(), declaredSignatories('JIANGSU'), target?.jiangsuOrganizations ?? null));
  return {
    year: period,
    projectsSigned: countFigure(
      signed.length,
      unitemized.reduce((total, { projects }) => total + projects, 0),
      target?.projectsSigned ?? null,
    ),
    committed: moneyFigure(
      committedFen,
      unitemized.reduce((total, { fen }) => total + fen, 0n),
      target?.committedFen ?? null,
    ),
    disbursed: moneyFigure(disbursedFen, 0n, target?.disbursedFen ?? null),
    get countiesReached() {
      return countiesReached();
    },
    get shaanxiOrganizations() {
      return shaanxiOrganizations();
    },
    get jiangsuOrganizations() {
      return jiangsuOrganizations();
    },
    get byPrefecture() {
      return byPrefecture();
    },
    get byCounty() {
      return byCounty();
    },
    get byField() {
      return byField();
    },
    get byOrganization() {
      return byOrganization();
    },
    get byFocus() {
      return byFocus();
    },
  };
}

/**
 * Which Shaanxi counties have a signed project under the agreement (at any time of the term)
 * or signed at a declared ceremony, per kind of county. A county whose flag is unknown is
 * counted apart, never as not of the kind.
 */
export function coverage(
  projects: readonly TrackedProjectRow[],
  declared: readonly DeclaredCeremonyRow[],
  counties: readonly CountyFlags[],
): CoverageFigures {
  const itemized = new Set(projects.filter((project) => project.signedYear !== null).map((project) => project.countyCode));
  const byDeclaration = new Set(declared.flatMap(({ countyCodes }) => countyCodes));
  const reached = (code: string) => itemized.has(code) || byDeclaration.has(code);
  const count = (flag: (county: CountyFlags) => boolean | null): CoverageCountFigures => {
    const known = counties.filter((county) => flag(county) === true);
    const unknown = counties.filter((county) => flag(county) === null);
    const reachedKnown = known.filter((county) => reached(county.code));
    return {
      known: known.length,
      reached: reachedKnown.length,
      reachedByDeclarationOnly: reachedKnown.filter((county) => !itemized.has(county.code)).length,
      unknown: unknown.length,
      reachedAmongUnknown: unknown.filter((county) => reached(county.code)).length,
      reachedCounties: reachedKnown.map((county) => county.code).sort(byText),
    };
  };
  return {
    povertyCounties: count((county) => county.povertyCounty),
    deepPovertyCounties: count((county) => county.deepPoverty),
    revolutionaryOldAreaCounties: count((county) => county.revolutionaryOldArea),
  };
}

/**
 * The rule that every poverty county mobilizes at least five social organizations: for each
 * county known to be a poverty county, the distinct social organizations of both provinces
 * taking part in its projects signed under the agreement — the Jiangsu organization matched,
 * the Shaanxi organization that raised the need, the Shaanxi signatories of its signed package
 * lines. A declared ceremony does not pair its organizations with its counties, so it adds none.
 */
export function organizationRule(
  projects: readonly TrackedProjectRow[],
  counties: readonly CountyFlags[],
  kindOf: KindOf,
): OrganizationRuleFigures {
  const organizations = new Map<string, Set<string>>();
  for (const project of projects) {
    if (project.signedYear === null) continue;
    let members = organizations.get(project.countyCode);
    if (!members) organizations.set(project.countyCode, (members = new Set<string>()));
    if (socialOrganization(kindOf, 'JIANGSU', project.matchedOrganizationId)) members.add(`JIANGSU:${project.matchedOrganizationId}`);
    if (socialOrganization(kindOf, 'SHAANXI', project.raisedByOrganizationId)) members.add(`SHAANXI:${project.raisedByOrganizationId}`);
    for (const id of project.packageSignatoryIds) if (socialOrganization(kindOf, 'SHAANXI', id)) members.add(`SHAANXI:${id}`);
  }
  const poverty = counties.filter((county) => county.povertyCounty === true);
  const tally = poverty.map((county) => ({ countyCode: county.code, organizations: organizations.get(county.code)?.size ?? 0 }));
  return {
    minimum: ORGANIZATION_MINIMUM,
    countiesMeeting: tally.filter((county) => county.organizations >= ORGANIZATION_MINIMUM).length,
    countiesShort: tally
      .filter((county) => county.organizations < ORGANIZATION_MINIMUM)
      .map((county) => ({ ...county, short: ORGANIZATION_MINIMUM - county.organizations }))
      .sort((a, b) => b.short - a.short || byText(a.countyCode, b.countyCode)),
  };
}

type TrackingContext = Pick<PairingContext, 'loaders'>;

/**
 * The focus of its ceremony's agreement a project serves, named when it was scheduled; null
 * when it names none. Three batched lookups, whatever the number of projects asked.
 */
export async function agreementFocusOf(projectId: string, { loaders }: TrackingContext) {
  const id = projectId.toLowerCase();
  const [pipeline, ceremony] = await Promise.all([loaders.pipeline.load(id), loaders.ceremonyByProject.load(id)]);
  if (!pipeline?.focusPosition || !ceremony) return null;
  const focuses = await loaders.focusesByAgreement.load(ceremony.agreementId);
  return focuses.find((focus) => focus.position === pipeline.focusPosition) ?? null;
}

/**
 * Gathers what an agreement's tracking needs, each once per request, and answers its parts:
 * the pairing's rows, then Jiangsu's sums for the agreement's projects, then the kinds of
 * every organization named, and Shaanxi's counties only when coverage or the rule is asked.
 */
export class TrackingService {
  constructor(private readonly context: TrackingContext) {}

  track(agreement: AgreementRow, provenance: readonly ProvenanceKind[] | null) {
    const { loaders } = this.context;
    const inputs = () => loaders.trackingInputs({ key: agreement.id, kinds: provenance }, () => this.gather(agreement, provenance));
    return {
      // Assigned rather than spread: a spread would read, and so sum, every breakdown.
      async term(): Promise<PeriodFigures & { agreementId: string }> {
        return Object.assign(periodFigures(null, (await inputs()).inputs), { agreementId: agreement.id });
      },
      async years(): Promise<(PeriodFigures & { agreementId: string })[]> {
        const { inputs: rows, termYears } = await inputs();
        return termYears.map((year) => Object.assign(periodFigures(year, rows), { agreementId: agreement.id }));
      },
      async coverage(): Promise<CoverageFigures> {
        const [{ inputs: rows }, counties] = await Promise.all([inputs(), loaders.shaanxiCounties()]);
        return coverage(rows.projects, rows.declared, counties);
      },
      async organizationRule(): Promise<OrganizationRuleFigures> {
        const [{ inputs: rows }, counties] = await Promise.all([inputs(), loaders.shaanxiCounties()]);
        return organizationRule(rows.projects, counties, rows.kindOf);
      },
      async declaredCeremonies(): Promise<CeremonyRow[]> {
        return (await inputs()).inputs.declared.map(({ ceremony }) => ceremony);
      },
    };
  }

  private async gather(agreement: AgreementRow, provenance: readonly ProvenanceKind[] | null) {
    const { loaders } = this.context;
    const key = { key: agreement.id, kinds: provenance };
    const [projects, declared, targets, ceremonies] = await Promise.all([
      loaders.trackedProjects.load(key),
      loaders.declaredCeremonies.load(key),
      loaders.targetsByAgreement.load(agreement.id),
      loaders.ceremoniesByAgreement.load(agreement.id),
    ]);
    const declaredIds = (province: Province) =>
      declared.flatMap(({ signatories }) => signatories.filter((signatory) => signatory.province === province).map(({ id }) => id));
    const shaanxiIds = distinct([
      ...projects.flatMap((project) => [project.raisedByOrganizationId, ...project.packageSignatoryIds]),
      ...declaredIds('SHAANXI'),
    ]);

    const [jiangsu, shaanxi] = await Promise.all([
      (async () => {
        // In the order of their ids, whatever the order of the rows: the ids are the variables of
        // the read of Jiangsu, which the fetch cache keeps by them (0041).
        const projectIds = distinct(projects.map((project) => project.projectId));
        const funding = await loaders.fundingOfProjects.load({ ids: projectIds });
        // The committing organizations are known only from the books, so their kinds are asked after.
        const ids = distinct([...projects.map((project) => project.matchedOrganizationId), ...funding.map((sum) => sum.organizationId), ...declaredIds('JIANGSU')]);
        return { funding, kinds: await loaders.jiangsuOrganizationKinds.load({ ids }) };
      })(),
      loaders.shaanxiOrganizationKinds.load({ ids: shaanxiIds }),
    ]);
    const kindOf: KindOf = (province, id) => (province === 'JIANGSU' ? jiangsu.kinds : shaanxi).get(id) ?? null;
    return {
      inputs: { projects, declared, funding: jiangsu.funding, kindOf, targets },
      termYears: termYearList(agreement, ceremonies),
    };
  }
}
