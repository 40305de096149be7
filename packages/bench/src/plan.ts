import { readFileSync } from 'node:fs';
import {
  PROJECT_FIELDS,
  parseCsv,
  provinceDivisions,
  requiredField,
  type OrganizationKind,
  type ProjectField,
  type ProjectStage,
} from '@hub/common';
import { chinaDate } from '@hub/db';
import { pairingExceptionsOf, type DemoCeremony, type DemoEvent, type DemoGivingProfile, type DemoPackage, type DemoPackageLine } from '@hub/demo';
import { SeededRandom, WeightedPicker, benchUuid } from './random.ts';

/**
 * Synthetic data at the scale of the public record, for measuring the hub: the 56 poverty
 * counties (and some other Shaanxi counties), tens of thousands of organizations, thousands of
 * projects at every stage with their full histories, and their money in both provinces' books.
 * It has the demo plan's shape (packages/demo/src/plan.ts) at any size: several ceremonies, so
 * no package exceeds MAX_PACKAGE_LINES. Everything comes from one seeded stream, so the same
 * options give the same plan, and the same rows, on every run.
 */

/** A package holds at most 500 lines (the pairing's MAX_PACKAGE_LINES); batches stay below. */
export const BENCH_BATCH_SIZE = 400;

export const BENCH_DEFAULTS = { projects: 10_000, seed: 1, shaanxiOrganizations: 23_000, jiangsuOrganizations: 1_000 } as const;

export interface BenchOptions {
  projects: number;
  seed: number;
  shaanxiOrganizations?: number;
  jiangsuOrganizations?: number;
}

/** Every generated row carries this provenance. */
export interface BenchProvenance {
  provenanceKind: 'SYNTHETIC_DEMO';
  sourceId: null;
  sourceDetail: string;
}

export interface BenchShaanxiOrganization {
  id: string;
  nameZh: string;
  nameEn: string;
  kind: OrganizationKind;
  homeCountyCode: string;
  createdAt: Date;
}

export interface BenchJiangsuOrganization {
  id: string;
  nameZh: string;
  nameEn: string;
  kind: OrganizationKind;
  cityCode: string;
  /** The Shaanxi prefecture its city is paired with; null for a city with no pairing. */
  pairedPrefectureCode: string | null;
  createdAt: Date;
}

export interface BenchProject {
  id: string;
  countyCode: string;
  prefectureCode: string;
  field: ProjectField;
  titleZh: string;
  amountSoughtFen: bigint;
  createdAt: Date;
  publishedAt: Date | null;
  stage: ProjectStage;
  /** Empty for a PROPOSED draft: it has not entered the pipeline. */
  events: DemoEvent[];
  raisedByOrganizationId: string;
  /** The Jiangsu organization it was matched with; null before MATCHED. */
  matchedOrganizationId: string | null;
  focusPosition: number | null;
  /** The ceremony whose batch it is in, once scheduled. */
  ceremonyId: string | null;
}

export interface BenchCeremony extends DemoCeremony {
  /** NOT_IN_PUBLIC_RECORD: known by its declared figures only, with no package. */
  lineByLine: 'IN_PACKAGE' | 'NOT_IN_PUBLIC_RECORD';
  /** Its projects have been signed there (the ceremony is past). */
  signed: boolean;
}

export interface BenchFundingEntry {
  id: string;
  projectId: string;
  organizationId: string;
  kind: 'PLEDGE' | 'COMMITMENT' | 'DISBURSEMENT';
  amountFen: bigint;
  recordedAt: Date;
  idempotencyKey: string;
}

export interface BenchFundsEntry {
  id: string;
  projectId: string;
  kind: 'RECEIPT' | 'EXPENDITURE';
  amountFen: bigint;
  fromOrganizationId: string | null;
  purpose: string | null;
  recordedAt: Date;
  idempotencyKey: string;
}

export interface BenchFundingAccount {
  projectId: string;
  organizationId: string;
  pledgedFen: bigint;
  committedFen: bigint;
  disbursedFen: bigint;
  updatedAt: Date;
}

export interface BenchProjectAccount {
  projectId: string;
  receivedFen: bigint;
  spentFen: bigint;
  updatedAt: Date;
}

export interface BenchPlan {
  /** The seed-log entry each subgraph writes when it loads this plan, and the prefix of its ids. */
  name: string;
  provenance: BenchProvenance;
  shaanxiOrganizations: BenchShaanxiOrganization[];
  jiangsuOrganizations: BenchJiangsuOrganization[];
  givingProfiles: DemoGivingProfile[];
  agreement: { id: string; titleZh: string; titleEn: string; focuses: { titleZh: string; titleEn: string }[] };
  ceremonies: BenchCeremony[];
  /** SIGNED packages for the past ceremonies known line by line, FINAL ones for the coming ceremonies. */
  packages: DemoPackage[];
  pairingExceptions: [organizationId: string, prefectureCode: string][];
  projects: BenchProject[];
  fundingEntries: BenchFundingEntry[];
  /** One per project and organization with money in Jiangsu's books: the sums of its entries. */
  fundingAccounts: BenchFundingAccount[];
  /** One per project with money in Jiangsu's books: the sums of its accounts. */
  fundingProjectTotals: Omit<BenchFundingAccount, 'organizationId'>[];
  fundsEntries: BenchFundsEntry[];
  projectAccounts: BenchProjectAccount[];
}

const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60 * 1000;
const FIRST_NEED_AT = Date.UTC(2018, 0, 1);
const LAST_NEED_AT = Date.UTC(2022, 5, 30);

/**
 * The stages at which the ledger service (packages/server/src/ledger-service.ts) admits each
 * kind of money: pledges while the project is open for matching, disbursements, receipts and
 * spending once signed and until it is evaluated or suspended. Commitments are recorded at
 * signing, which admits them.
 */
const PLEDGE_STAGES: readonly ProjectStage[] = ['PUBLISHED', 'MATCHED', 'SCHEDULED'];
const MONEY_AFTER_SIGNING: readonly ProjectStage[] = ['SIGNED', 'IMPLEMENTING', 'COMPLETED'];

/** How the projects spread over the stages, in parts of 10,000. */
const STAGE_WEIGHTS: [ProjectStage, number][] = [
  ['PROPOSED', 400],
  ['PUBLISHED', 1_200],
  ['MATCHED', 1_000],
  ['SCHEDULED', 900],
  ['SIGNED', 700],
  ['IMPLEMENTING', 2_200],
  ['COMPLETED', 1_800],
  ['EVALUATED', 1_000],
  ['SUSPENDED', 300],
  ['CANCELLED', 500],
];

const FIELD_TITLES: Record<ProjectField, string> = {
  LIVELIHOOD: '饮水安全改造',
  INDUSTRY: '特色产业加工设备',
  TECHNOLOGY_AND_CULTURE: '农技培训',
  TALENT: '乡村社工人才培养',
  EDUCATION: '乡村学校图书室',
  MEDICAL_AID: '村卫生室设备',
  INFRASTRUCTURE: '产业路硬化',
  CHILD_WELFARE: '留守儿童之家',
  DISABILITY: '残疾人康复站',
  OTHER: '综合帮扶',
};

const SHAANXI_KINDS: OrganizationKind[] = ['SOCIAL_SERVICE_INSTITUTION', 'ASSOCIATION', 'VOLUNTEER_GROUP', 'FOUNDATION', 'OTHER'];
const JIANGSU_KINDS: OrganizationKind[] = ['FOUNDATION', 'FOUNDATION', 'ASSOCIATION', 'SOCIAL_SERVICE_INSTITUTION'];
const PURPOSES = ['基准：物资采购', '基准：工程施工', '基准：培训与服务', '基准：设备购置'];

const FOCUSES = [
  { titleZh: '聚焦陕西省56个贫困县', titleEn: "Shaanxi's 56 poor counties" },
  { titleZh: '聚焦革命老区和深度贫困县及深度贫困村', titleEn: 'Revolutionary old areas, deep-poverty counties and deep-poverty villages' },
  { titleZh: '聚焦帮困家庭和帮困人群', titleEn: 'Families and groups in difficulty' },
  { titleZh: '聚焦重点帮扶领域', titleEn: 'Key assistance fields' },
];

const readSeed = (path: string) => readFileSync(new URL(`../../../subgraphs/${path}`, import.meta.url), 'utf8');

/** The places the generator draws from: the record's counties, the other divisions, the city pairings. */
interface Geography {
  povertyCounties: { code: string; prefectureCode: string }[];
  otherCounties: { code: string; prefectureCode: string }[];
  prefectureNames: Map<string, string>;
  jiangsuCities: string[];
  /** Jiangsu city code → the Shaanxi prefecture it is paired with. */
  pairings: Map<string, string>;
}

function geography(): Geography {
  const rows = parseCsv(readSeed('shaanxi/seed/shaanxi-poverty-counties.csv'));
  const povertyCounties = rows.map((row) => ({
    code: requiredField(row, 'code'),
    prefectureCode: `${requiredField(row, 'prefecture_code')}00`,
  }));
  const prefectureNames = new Map(rows.map((row) => [`${requiredField(row, 'prefecture_code')}00`, requiredField(row, 'prefecture_zh')]));
  // The divisions the Shaanxi seed adds beside the record's, as it adds them: a county the record
  // names under a former code is the record's row, not a second one.
  const renamed = new Set(rows.flatMap((row) => row.notes?.match(/became \S+ (61\d{4})/)?.[1] ?? []));
  const inRecord = new Set(povertyCounties.map((county) => county.code));
  const otherCounties = provinceDivisions('61')
    .counties.filter((county) => !inRecord.has(county.code) && !renamed.has(county.code) && prefectureNames.has(county.cityCode))
    .map((county) => ({ code: county.code, prefectureCode: county.cityCode }));
  const pairings = new Map(
    parseCsv(readSeed('jiangsu/seed/jiangsu-shaanxi-city-pairs.csv')).map((row) => [
      `${requiredField(row, 'jiangsu_city_code')}00`,
      `${requiredField(row, 'shaanxi_city_code')}00`,
    ]),
  );
  const jiangsuCities = provinceDivisions('32').cities.map((city) => city.code);
  return { povertyCounties, otherCounties, prefectureNames, jiangsuCities, pairings };
}

/** The seed-log name (and id prefix) of a plan: the defaults' organization counts are left out. */
export function benchPlanName(options: BenchOptions): string {
  const { projects, seed, shaanxiOrganizations, jiangsuOrganizations } = withDefaults(options);
  const organizations =
    shaanxiOrganizations === BENCH_DEFAULTS.shaanxiOrganizations && jiangsuOrganizations === BENCH_DEFAULTS.jiangsuOrganizations
      ? ''
      : `-o${shaanxiOrganizations}-${jiangsuOrganizations}`;
  return `bench-${projects}-${seed}${organizations}`;
}

function withDefaults(options: BenchOptions): Required<BenchOptions> {
  const resolved = {
    projects: options.projects,
    seed: options.seed,
    shaanxiOrganizations: options.shaanxiOrganizations ?? BENCH_DEFAULTS.shaanxiOrganizations,
    jiangsuOrganizations: options.jiangsuOrganizations ?? BENCH_DEFAULTS.jiangsuOrganizations,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < (name === 'seed' ? 0 : 1)) {
      throw new RangeError(`${name} must be a whole number${name === 'seed' ? '' : ' of at least 1'}; got ${value}`);
    }
  }
  if (resolved.jiangsuOrganizations < 2) throw new RangeError('jiangsuOrganizations must be at least 2 (a project may have a co-funder)');
  return resolved;
}

/** The path a project takes to reach a stage, as the demo's projects take it. */
function pathTo(stage: ProjectStage): ProjectStage[] {
  const main: ProjectStage[] = ['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED'];
  if (stage === 'PROPOSED') return [];
  if (stage === 'SUSPENDED') return [...main.slice(0, 5), 'SUSPENDED'];
  if (stage === 'CANCELLED') return ['PUBLISHED', 'MATCHED', 'CANCELLED'];
  return main.slice(0, main.indexOf(stage) + 1);
}

/** `total` split into `parts` positive amounts, near equal, the last taking the remainder. */
function split(total: bigint, parts: number): bigint[] {
  const each = total / BigInt(parts);
  return Array.from({ length: parts }, (_, index) => (index === parts - 1 ? total - each * BigInt(parts - 1) : each));
}

export function pushTo<T>(lists: Map<string, T[]>, key: string, item: T): void {
  const list = lists.get(key);
  if (list) list.push(item);
  else lists.set(key, [item]);
}

/** Builds the plan for `options`; the same options give an identical plan. */
export function benchPlan(options: BenchOptions): BenchPlan {
  const { projects: projectCount, shaanxiOrganizations: snCount, jiangsuOrganizations: jsCount } = withDefaults(options);
  const name = benchPlanName(options);
  const random = new SeededRandom(name);
  const places = geography();
  const provenance: BenchProvenance = {
    provenanceKind: 'SYNTHETIC_DEMO',
    sourceId: null,
    sourceDetail: `packages/bench (synthetic, bench generator: ${name})`,
  };
  const pad = (n: number, width: number) => String(n).padStart(width, '0');

  // Needs go to the poverty counties, some counties far more than others; one in ten elsewhere.
  const countyWeights = places.povertyCounties.map(() => random.int(1, 6));
  const povertyPicker = new WeightedPicker(places.povertyCounties, countyWeights);
  const pickCounty = () => (random.chance(0.9) || places.otherCounties.length === 0 ? povertyPicker.pick(random) : random.pick(places.otherCounties));

  const shaanxiOrganizations: BenchShaanxiOrganization[] = [];
  const shaanxiByCounty = new Map<string, string[]>();
  for (let n = 1; n <= snCount; n += 1) {
    const county = pickCounty();
    const id = `sn-${name}-${pad(n, 5)}`;
    shaanxiOrganizations.push({
      id,
      nameZh: `基准：陕西社会组织 ${pad(n, 5)}（合成）`,
      nameEn: `Bench: Shaanxi organization ${pad(n, 5)} (synthetic)`,
      kind: random.pick(SHAANXI_KINDS),
      homeCountyCode: county.code,
      createdAt: new Date(FIRST_NEED_AT - random.int(30, 3_000) * DAY),
    });
    pushTo(shaanxiByCounty, county.code, id);
  }

  // Most foundations are in a city paired with a prefecture; a few in the three cities without one.
  const pairedCities = places.jiangsuCities.filter((city) => places.pairings.has(city));
  const unpairedCities = places.jiangsuCities.filter((city) => !places.pairings.has(city));
  const jiangsuOrganizations: BenchJiangsuOrganization[] = [];
  const jiangsuByPrefecture = new Map<string, string[]>();
  for (let n = 1; n <= jsCount; n += 1) {
    const cityCode = random.chance(0.95) || unpairedCities.length === 0 ? random.pick(pairedCities) : random.pick(unpairedCities);
    const pairedPrefectureCode = places.pairings.get(cityCode) ?? null;
    const id = `js-${name}-${pad(n, 4)}`;
    jiangsuOrganizations.push({
      id,
      nameZh: `基准：江苏公益组织 ${pad(n, 4)}（合成）`,
      nameEn: `Bench: Jiangsu organization ${pad(n, 4)} (synthetic)`,
      kind: random.pick(JIANGSU_KINDS),
      cityCode,
      pairedPrefectureCode,
      createdAt: new Date(FIRST_NEED_AT - random.int(30, 3_000) * DAY),
    });
    if (pairedPrefectureCode) pushTo(jiangsuByPrefecture, pairedPrefectureCode, id);
  }
  const jiangsuIds = jiangsuOrganizations.map((organization) => organization.id);

  // One foundation in ten states a giving profile, so matching by profile has some to rank for.
  const givingProfiles: DemoGivingProfile[] = jiangsuOrganizations
    .filter((_, index) => index % 10 === 0)
    .map((organization) => {
      const first = random.pick(PROJECT_FIELDS);
      const second = random.pick(PROJECT_FIELDS.filter((field) => field !== first));
      const smallest = BigInt(random.int(1, 10)) * 1_000_000n;
      return {
        organizationId: organization.id,
        fields: [first, second],
        preferredPrefectureCodes: organization.pairedPrefectureCode ? [organization.pairedPrefectureCode] : [],
        preferredCountyCodes: [],
        countPairedCity: true,
        prioritizeDeepPoverty: random.chance(0.5),
        prioritizeRevolutionaryOldArea: random.chance(0.3),
        yearlyBudgetFen: random.chance(0.5) ? BigInt(random.int(1, 20)) * 100_000_000n : null,
        smallestGrantFen: random.chance(0.7) ? smallest : null,
        largestGrantFen: smallest * BigInt(random.int(5, 40)),
        reportingLanguages: random.chance(0.2) ? ['ZH', 'EN'] : ['ZH'],
        public: random.chance(0.8),
      };
    });

  const stagePicker = new WeightedPicker(
    STAGE_WEIGHTS.map(([stage]) => stage),
    STAGE_WEIGHTS.map(([, weight]) => weight),
  );

  // First pass: each project up to being scheduled; ceremonies are dated from the batches after.
  interface Draft {
    project: BenchProject;
    path: ProjectStage[];
    times: number[];
    scheduledAt: number | null;
  }
  const drafts: Draft[] = [];
  for (let index = 0; index < projectCount; index += 1) {
    const county = pickCounty();
    const stage = stagePicker.pick(random);
    const field = random.pick(PROJECT_FIELDS);
    const createdAt = FIRST_NEED_AT + Math.floor(random.next() * (LAST_NEED_AT - FIRST_NEED_AT));
    const path = pathTo(stage);
    const times: number[] = [];
    let at = createdAt;
    for (const to of path) {
      if (to === 'SIGNED') break;
      at += (to === 'CANCELLED' ? random.int(10, 120) : random.int(5, 60)) * DAY + random.int(0, 8 * 60) * MINUTE;
      times.push(at);
    }
    const reachesMatched = path.includes('MATCHED');
    const paired = jiangsuByPrefecture.get(county.prefectureCode);
    const matchedOrganizationId = reachesMatched
      ? paired && random.chance(0.9)
        ? random.pick(paired)
        : random.pick(jiangsuIds)
      : null;
    const raisers = shaanxiByCounty.get(county.code);
    const scheduledIndex = path.indexOf('SCHEDULED');
    drafts.push({
      path,
      times,
      scheduledAt: scheduledIndex >= 0 ? (times[scheduledIndex] as number) : null,
      project: {
        id: benchUuid(`${name}:project-${index}`),
        countyCode: county.code,
        prefectureCode: county.prefectureCode,
        field,
        titleZh: `基准：${FIELD_TITLES[field]}（合成 ${pad(index + 1, 5)}）`,
        amountSoughtFen: BigInt(random.int(500, 20_000)) * 10_000n,
        createdAt: new Date(createdAt),
        publishedAt: path.length > 0 ? new Date(times[0] as number) : null,
        stage,
        events: [],
        raisedByOrganizationId: raisers ? random.pick(raisers) : random.pick(shaanxiOrganizations).id,
        matchedOrganizationId,
        focusPosition: scheduledIndex >= 0 ? random.int(1, FOCUSES.length) : null,
        ceremonyId: null,
      },
    });
  }

  // Batches in the order their projects were scheduled; every fourth past ceremony is known by
  // its declared figures only, as some real ones are.
  const ceremonies: BenchCeremony[] = [];
  const batches = new Map<string, Draft[]>();
  const prefectures = [...places.prefectureNames.keys()].sort();
  const makeBatches = (members: Draft[], signed: boolean, minimum: number) => {
    members.sort((a, b) => (a.scheduledAt as number) - (b.scheduledAt as number));
    const count = Math.min(members.length, Math.max(minimum, Math.ceil(members.length / BENCH_BATCH_SIZE)));
    for (let c = 0; c < count; c += 1) {
      const batch = members.slice(Math.floor((c * members.length) / count), Math.floor(((c + 1) * members.length) / count));
      const lastScheduled = Math.max(...batch.map((draft) => draft.scheduledAt as number));
      const heldOn = chinaDate(lastScheduled + (signed ? 14 : 30) * DAY);
      const cityCode = prefectures[(ceremonies.length * 3) % prefectures.length] as string;
      const id = `${name}-ceremony-${pad(ceremonies.length + 1, 3)}`;
      ceremonies.push({
        id,
        titleZh: `基准：第${ceremonies.length + 1}批签约仪式（合成）`,
        heldOn,
        cityCode,
        cityNameZh: places.prefectureNames.get(cityCode) as string,
        projectCount: 0,
        totalFen: 0n,
        lineByLine: signed && c % 4 === 3 ? 'NOT_IN_PUBLIC_RECORD' : 'IN_PACKAGE',
        signed,
      });
      batches.set(id, batch);
      for (const draft of batch) draft.project.ceremonyId = id;
    }
  };
  makeBatches(drafts.filter((draft) => draft.path.includes('SIGNED')), true, 3);
  makeBatches(drafts.filter((draft) => draft.project.stage === 'SCHEDULED'), false, 1);
  const ceremonyById = new Map(ceremonies.map((ceremony) => [ceremony.id, ceremony]));

  // Second pass: signed at their ceremony, then under way; the money in both books; then the
  // stages after, each placed so that every entry falls while the project's stage admits it.
  const fundingEntries: BenchFundingEntry[] = [];
  const fundsEntries: BenchFundsEntry[] = [];
  for (const draft of drafts) {
    const { project, path, times } = draft;
    const ceremony = project.ceremonyId ? ceremonyById.get(project.ceremonyId) : undefined;
    if (path.includes('SIGNED')) times.push(Date.parse(`${ceremony!.heldOn}T02:00:00Z`));
    if (path.includes('IMPLEMENTING')) times.push((times.at(-1) as number) + random.int(15, 60) * DAY + random.int(0, 8 * 60) * MINUTE);
    const lastEntryAt = recordMoney(draft);
    let at = times.at(-1) as number;
    for (const to of path.slice(times.length)) {
      const gap = to === 'COMPLETED' ? random.int(120, 360) : to === 'EVALUATED' ? random.int(30, 120) : random.int(30, 200);
      at += gap * DAY + random.int(0, 8 * 60) * MINUTE;
      // The first stage that takes no more money comes after the last entry, as the services would have it.
      if (!MONEY_AFTER_SIGNING.includes(to) && lastEntryAt !== null && at <= lastEntryAt) at = lastEntryAt + random.int(1, 30) * DAY;
      times.push(at);
    }
    project.events = path.map((to, position) => ({
      sequence: position + 1,
      from: position === 0 ? 'PROPOSED' : (path[position - 1] as ProjectStage),
      to,
      at: new Date(times[position] as number),
      actorRole: to === 'PUBLISHED' || position % 2 === 0 ? 'SHAANXI_OFFICE' : 'JIANGSU_OFFICE',
      organizationId: to === 'MATCHED' ? project.matchedOrganizationId : null,
      ceremonyId: to === 'SCHEDULED' ? project.ceremonyId : null,
    }));
  }

  /**
   * A project's money in both books, dated within its stages up to IMPLEMENTING (`draft.times`
   * holds those so far): pledges while matched or scheduled, the commitment at signing, and the
   * tranches, receipts and spending from IMPLEMENTING on. Returns when the last of these was
   * recorded, for the stages after to follow it; null when none was after signing.
   */
  function recordMoney({ project, path, times }: Draft): number | null {
    const timeOf = (stage: ProjectStage) => {
      const position = path.indexOf(stage);
      return position >= 0 && position < times.length ? (times[position] as number) : undefined;
    };
    const nextKey = (() => {
      let n = 0;
      return (kind: string) => {
        n += 1;
        return { id: benchUuid(`${name}:entry-${project.id}-${n}`), idempotencyKey: `bench-${kind.toLowerCase()}-${project.id}-${n}` };
      };
    })();
    const matchedAt = timeOf('MATCHED');
    if (matchedAt === undefined || !project.matchedOrganizationId) return null;
    const sought = project.amountSoughtFen;
    const funder = project.matchedOrganizationId;
    fundingEntries.push({ ...nextKey('PLEDGE'), projectId: project.id, organizationId: funder, kind: 'PLEDGE', amountFen: (sought * 6n) / 10n, recordedAt: new Date(matchedAt) });
    // Some projects draw a second foundation's pledge too, so a project's total sums two accounts;
    // it comes within twenty days, and before the project is signed or cancelled.
    if (random.chance(0.15)) {
      let coFunder = random.pick(jiangsuIds);
      if (coFunder === funder) coFunder = jiangsuIds[(jiangsuIds.indexOf(funder) + 1) % jiangsuIds.length] as string;
      const pledgesEnd = path.slice(path.indexOf('MATCHED')).find((stage) => !PLEDGE_STAGES.includes(stage));
      const room = Math.min(20 * DAY, (pledgesEnd ? (timeOf(pledgesEnd) as number) : Infinity) - matchedAt);
      const recordedAt = new Date(matchedAt + Math.floor(random.next() * room));
      fundingEntries.push({ ...nextKey('PLEDGE'), projectId: project.id, organizationId: coFunder, kind: 'PLEDGE', amountFen: sought / 10n, recordedAt });
    }
    const signedAt = timeOf('SIGNED');
    if (signedAt === undefined) return null;
    const committed = (sought * 8n) / 10n;
    fundingEntries.push({ ...nextKey('COMMITMENT'), projectId: project.id, organizationId: funder, kind: 'COMMITMENT', amountFen: committed, recordedAt: new Date(signedAt) });
    const implementingAt = timeOf('IMPLEMENTING');
    if (implementingAt === undefined) return signedAt;
    const tranches = split(committed, random.int(3, 8));
    const finished = path.includes('COMPLETED');
    const paid = finished ? tranches.length : random.int(1, tranches.length - 1);
    // One in fifty projects still under way has a tranche Shaanxi has not recorded receiving.
    const unreceived = !finished && paid >= 2 && random.chance(0.02) ? 1 : 0;
    let at = implementingAt;
    let last = implementingAt;
    let received = 0n;
    let firstReceiptAt = 0;
    for (const [tranche, amountFen] of tranches.slice(0, paid).entries()) {
      fundingEntries.push({ ...nextKey('DISBURSEMENT'), projectId: project.id, organizationId: funder, kind: 'DISBURSEMENT', amountFen, recordedAt: new Date(at) });
      last = Math.max(last, at);
      if (tranche < paid - unreceived) {
        const receivedAt = at + random.int(2, 10) * DAY;
        firstReceiptAt ||= receivedAt;
        fundsEntries.push({ ...nextKey('RECEIPT'), projectId: project.id, kind: 'RECEIPT', amountFen, fromOrganizationId: funder, purpose: null, recordedAt: new Date(receivedAt) });
        received += amountFen;
        last = Math.max(last, receivedAt);
      }
      at += random.int(20, 60) * DAY;
    }
    let spentAt = firstReceiptAt;
    for (const amountFen of split((received * 7n) / 10n, random.int(2, 12))) {
      spentAt += random.int(5, 30) * DAY;
      fundsEntries.push({ ...nextKey('EXPENDITURE'), projectId: project.id, kind: 'EXPENDITURE', amountFen, fromOrganizationId: null, purpose: random.pick(PURPOSES), recordedAt: new Date(spentAt) });
      last = Math.max(last, spentAt);
    }
    return last;
  }
  const projects = drafts.map((draft) => draft.project);

  // The running totals, as the services would have left them: sums of the entries.
  const accounts = new Map<string, BenchFundingAccount>();
  for (const entry of fundingEntries) {
    const key = `${entry.projectId} ${entry.organizationId}`;
    const account = accounts.get(key) ?? { projectId: entry.projectId, organizationId: entry.organizationId, pledgedFen: 0n, committedFen: 0n, disbursedFen: 0n, updatedAt: entry.recordedAt };
    if (entry.kind === 'PLEDGE') account.pledgedFen += entry.amountFen;
    if (entry.kind === 'COMMITMENT') account.committedFen += entry.amountFen;
    if (entry.kind === 'DISBURSEMENT') account.disbursedFen += entry.amountFen;
    if (entry.recordedAt > account.updatedAt) account.updatedAt = entry.recordedAt;
    accounts.set(key, account);
  }
  const fundingAccounts = [...accounts.values()];
  const totals = new Map<string, Omit<BenchFundingAccount, 'organizationId'>>();
  for (const { organizationId: _, ...account } of fundingAccounts) {
    const total = totals.get(account.projectId);
    if (!total) {
      totals.set(account.projectId, { ...account });
      continue;
    }
    total.pledgedFen += account.pledgedFen;
    total.committedFen += account.committedFen;
    total.disbursedFen += account.disbursedFen;
    if (account.updatedAt > total.updatedAt) total.updatedAt = account.updatedAt;
  }
  const shaanxiAccounts = new Map<string, BenchProjectAccount>();
  for (const entry of fundsEntries) {
    const account = shaanxiAccounts.get(entry.projectId) ?? { projectId: entry.projectId, receivedFen: 0n, spentFen: 0n, updatedAt: entry.recordedAt };
    if (entry.kind === 'RECEIPT') account.receivedFen += entry.amountFen;
    else account.spentFen += entry.amountFen;
    if (entry.recordedAt > account.updatedAt) account.updatedAt = entry.recordedAt;
    shaanxiAccounts.set(entry.projectId, account);
  }

  // A past ceremony's package commits what the books hold; a coming one's, what its projects seek.
  const committedOf = new Map([...totals.values()].map((total) => [total.projectId, total.committedFen]));
  const sum = (lines: DemoPackageLine[]) => lines.reduce((total, line) => total + line.amountFen, 0n);
  const packages: DemoPackage[] = [];
  for (const ceremony of ceremonies) {
    const lines = (batches.get(ceremony.id) ?? []).map(({ project }) => ({
      projectId: project.id,
      countyCode: project.countyCode,
      shaanxiSignatoryId: project.raisedByOrganizationId,
      jiangsuOrganizationId: project.matchedOrganizationId as string,
      amountFen: ceremony.signed ? (committedOf.get(project.id) ?? 0n) : project.amountSoughtFen,
    }));
    if (ceremony.signed) {
      ceremony.projectCount = lines.length;
      ceremony.totalFen = sum(lines);
    }
    if (ceremony.lineByLine === 'IN_PACKAGE') {
      packages.push({ ceremonyId: ceremony.id, status: ceremony.signed ? 'SIGNED' : 'FINAL', lines, totalFen: sum(lines) });
    }
  }
  const pairingExceptions = pairingExceptionsOf(projects, jiangsuOrganizations, packages);

  return {
    name,
    provenance,
    shaanxiOrganizations,
    jiangsuOrganizations,
    givingProfiles,
    agreement: {
      id: `${name}-agreement`,
      titleZh: `基准协议（合成，${name}）`,
      titleEn: `Bench agreement (synthetic, ${name})`,
      focuses: FOCUSES,
    },
    ceremonies,
    packages,
    pairingExceptions,
    projects,
    fundingEntries,
    fundingAccounts,
    fundingProjectTotals: [...totals.values()],
    fundsEntries,
    projectAccounts: [...shaanxiAccounts.values()],
  };
}

/** Row counts of a plan, for the command line's report. */
export function benchPlanCounts(plan: BenchPlan): Record<string, number> {
  return {
    shaanxiOrganizations: plan.shaanxiOrganizations.length,
    jiangsuOrganizations: plan.jiangsuOrganizations.length,
    givingProfiles: plan.givingProfiles.length,
    projects: plan.projects.length,
    inPipeline: plan.projects.filter((project) => project.events.length > 0).length,
    stageEvents: plan.projects.reduce((total, project) => total + project.events.length, 0),
    ceremonies: plan.ceremonies.length,
    packages: plan.packages.length,
    packageLines: plan.packages.reduce((total, benchPackage) => total + benchPackage.lines.length, 0),
    pairingExceptions: plan.pairingExceptions.length,
    jiangsuEntries: plan.fundingEntries.length,
    shaanxiEntries: plan.fundsEntries.length,
    ledgerEntries: plan.fundingEntries.length + plan.fundsEntries.length,
  };
}
