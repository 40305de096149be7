import { createHash } from 'node:crypto';
import { PROJECT_FIELDS, PROJECT_STAGES, type GivingProfileContent, type ProjectField, type ProjectStage } from '@hub/common';

/**
 * Synthetic demo data: a living pipeline for someone exploring `npm start`. Every record is
 * flagged SYNTHETIC_DEMO, names say 演示 (demo), and nothing is attached to the real record:
 * the demo foundations, agreement and ceremony are invented, and so are all amounts. The plan
 * is deterministic, so each subgraph seeds its own part of the same story.
 */

export const DEMO_STAGES = PROJECT_STAGES;
type DemoStage = ProjectStage;

/** Real poverty counties the demo projects are placed in, with their prefectures. */
const DEMO_COUNTIES: [county: string, prefecture: string][] = [
  ['610924', '610900'], ['610929', '610900'], ['610927', '610900'], ['610926', '610900'],
  ['611024', '611000'], ['611025', '611000'], ['611021', '611000'],
  ['610622', '610600'], ['610630', '610600'],
  ['610826', '610800'], ['610827', '610800'], ['610831', '610800'],
  ['610726', '610700'], ['610728', '610700'],
  ['610124', '610100'], ['610426', '610400'], ['610222', '610200'], ['610525', '610500'],
];

/**
 * 安康 (610900), where the demo ceremony is held. The first project of every stage is placed in
 * one of its counties, so a view of one prefecture (README's PipelineFunnel example) finds
 * projects at every stage, the one whose books disagree among them.
 */
export const DEMO_PREFECTURE = '610900';
const DEMO_PREFECTURE_COUNTIES = DEMO_COUNTIES.filter(([, prefecture]) => prefecture === DEMO_PREFECTURE);

const TITLES: Record<ProjectField, string> = {
  LIVELIHOOD: '饮水安全改造',
  INDUSTRY: '茶叶合作社加工设备',
  TECHNOLOGY_AND_CULTURE: '农技培训与村史馆',
  TALENT: '乡村社工人才培养',
  EDUCATION: '小学图书室与营养餐',
  MEDICAL_AID: '村卫生室设备',
  INFRASTRUCTURE: '产业路硬化',
  CHILD_WELFARE: '留守儿童之家',
  DISABILITY: '残疾人康复站',
  OTHER: '综合帮扶',
};

export interface DemoOrganization {
  id: string;
  nameZh: string;
  nameEn: string;
  cityCode: string;
  /**
   * The Shaanxi prefecture its city is paired with (苏州–西安, 无锡–延安, 徐州–宝鸡, as the
   * city pairings record): its package lines elsewhere need an exception.
   */
  pairedPrefectureCode: string;
}

/** A fictional Shaanxi social organization that raises demo needs and signs for them. */
export interface DemoShaanxiOrganization {
  id: string;
  nameZh: string;
  nameEn: string;
}

export interface DemoCeremony {
  id: string;
  titleZh: string;
  heldOn: string;
  cityCode: string;
  cityNameZh: string;
  /** Declared once its package is signed: the package's count and total; 0 before. */
  projectCount: number;
  totalFen: bigint;
}

/** A line of a demo ceremony package: the project, its two signatories and the amount committed. */
export interface DemoPackageLine {
  projectId: string;
  countyCode: string;
  shaanxiSignatoryId: string;
  jiangsuOrganizationId: string;
  amountFen: bigint;
}

export interface DemoPackage {
  ceremonyId: string;
  status: 'FINAL' | 'SIGNED';
  lines: DemoPackageLine[];
  totalFen: bigint;
}

export interface DemoEvent {
  sequence: number;
  from: DemoStage;
  to: DemoStage;
  at: Date;
  actorRole: 'SHAANXI_OFFICE' | 'JIANGSU_OFFICE';
  organizationId: string | null;
  ceremonyId: string | null;
}

export interface DemoProject {
  id: string;
  countyCode: string;
  prefectureCode: string;
  field: ProjectField;
  titleZh: string;
  amountSoughtFen: bigint;
  createdAt: Date;
  stage: DemoStage;
  /** Empty for a PROPOSED need: it has not entered the pipeline. */
  events: DemoEvent[];
  organizationId: string;
  /** The position of the demo agreement's focus it serves, once scheduled; null before. */
  focusPosition: number | null;
  /** The fictional Shaanxi organization that raised the need. */
  raisedByOrganizationId: string;
  pledgedFen: bigint;
  committedFen: bigint;
  disbursedFen: bigint;
  /** What Shaanxi recorded as received: equal to disbursed, except on the one mismatch. */
  receivedFen: bigint;
  spentFen: bigint;
  /** The project whose books disagree, so the reconciliation has something to show. */
  mismatch: boolean;
}

export interface DemoTarget {
  year: number | null;
  projectsSigned: number;
  committedFen: bigint;
  disbursedFen: bigint;
  countiesReached: number;
  shaanxiOrganizations: number;
  jiangsuOrganizations: number;
}

/**
 * What a demo foundation funds, as its giving profile states it (docs/decisions/0026-matching.md),
 * in the columns Jiangsu keeps it in. Version 1, set by the demo; amounts in fen.
 */
export interface DemoGivingProfile extends GivingProfileContent {
  organizationId: string;
}

/** The demo agreement keeps the real agreement's four focuses, so tracking by focus has something to show. */
const DEMO_FOCUSES = [
  { titleZh: '聚焦陕西省56个贫困县', titleEn: "Shaanxi's 56 poor counties" },
  { titleZh: '聚焦革命老区和深度贫困县及深度贫困村', titleEn: 'Revolutionary old areas, deep-poverty counties and deep-poverty villages' },
  { titleZh: '聚焦帮困家庭和帮困人群', titleEn: 'Families and groups in difficulty' },
  { titleZh: '聚焦重点帮扶领域', titleEn: 'Key assistance fields' },
];

export interface DemoPlan {
  organizations: DemoOrganization[];
  /**
   * The demo foundations' giving profiles: education in 安康, health in two of its counties
   * (白河, 镇坪), industry in 榆林 kept private, so matching has all three kinds to show.
   */
  givingProfiles: DemoGivingProfile[];
  shaanxiOrganizations: DemoShaanxiOrganization[];
  agreement: { id: string; titleZh: string; titleEn: string; focuses: { titleZh: string; titleEn: string }[] };
  /** Targets the demo offices set: the whole term (year null) and its first two years. */
  targets: DemoTarget[];
  /** The ceremony that signed every project that reached SIGNED: its package is signed. */
  ceremony: DemoCeremony;
  /** The ceremony the SCHEDULED projects wait for: its package is final, ready to sign. */
  nextCeremony: DemoCeremony;
  packages: DemoPackage[];
  /**
   * Pairing exceptions the demo offices recorded, so that the fictional foundations may sign
   * with counties outside their city's pairing: [foundation, prefecture].
   */
  pairingExceptions: [organizationId: string, prefectureCode: string][];
  projects: DemoProject[];
}

/** Demo projects per stage at scale 1: 80 projects in all. */
const PER_STAGE = 8;
/** The largest scale: the signed package's lines (40 a scale) stay within a package's 500. */
export const MAX_DEMO_SCALE = 10;
const DAY = 24 * 60 * 60 * 1000;
/** The first demo ceremony, 2019-06-18, at 10:00 in China: its signed package signs its projects then. */
const FIRST_CEREMONY_AT = new Date('2019-06-18T02:00:00Z');

/** A deterministic UUID for a demo record, so every subgraph names it the same. */
function demoUuid(name: string): string {
  const hex = createHash('sha256').update(`su-shaan-demo:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The path a project takes to reach a stage (SUSPENDED and CANCELLED leave from IMPLEMENTING and PUBLISHED). */
function pathTo(stage: DemoStage): DemoStage[] {
  const main: DemoStage[] = ['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED'];
  if (stage === 'PROPOSED') return [];
  if (stage === 'SUSPENDED') return [...main.slice(0, 5), 'SUSPENDED'];
  if (stage === 'CANCELLED') return ['PUBLISHED', 'MATCHED', 'CANCELLED'];
  return main.slice(0, main.indexOf(stage) + 1);
}

/**
 * The demo plan, the same on every call. `scale` multiplies the projects (80 at 1, 800 at 10)
 * over the same years, for measuring how the hub's cost grows; everything else stays.
 */
export function demoPlan(scale = 1): DemoPlan {
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_DEMO_SCALE) {
    throw new RangeError(`demo scale must be a whole number from 1 to ${MAX_DEMO_SCALE}; got ${scale}`);
  }
  const organizations: DemoOrganization[] = [
    { id: 'js-demo-jiangnan-education', nameZh: '演示：江南助学基金会（虚构）', nameEn: 'Demo: Jiangnan Education Foundation (fictional)', cityCode: '320500', pairedPrefectureCode: '610100' },
    { id: 'js-demo-taihu-health', nameZh: '演示：太湖健康公益基金会（虚构）', nameEn: 'Demo: Taihu Health Foundation (fictional)', cityCode: '320200', pairedPrefectureCode: '610600' },
    { id: 'js-demo-huaihe-industry', nameZh: '演示：淮河产业帮扶基金会（虚构）', nameEn: 'Demo: Huaihe Industry Foundation (fictional)', cityCode: '320300', pairedPrefectureCode: '610300' },
  ];
  const givingProfiles: DemoGivingProfile[] = [
    {
      organizationId: 'js-demo-jiangnan-education',
      fields: ['EDUCATION', 'CHILD_WELFARE'],
      preferredPrefectureCodes: ['610900'],
      preferredCountyCodes: [],
      countPairedCity: true,
      prioritizeDeepPoverty: true,
      prioritizeRevolutionaryOldArea: false,
      yearlyBudgetFen: 500_000_000n,
      smallestGrantFen: 10_000_000n,
      largestGrantFen: 100_000_000n,
      reportingLanguages: ['ZH', 'EN'],
      public: true,
    },
    {
      organizationId: 'js-demo-taihu-health',
      fields: ['MEDICAL_AID', 'DISABILITY'],
      preferredPrefectureCodes: [],
      preferredCountyCodes: ['610927', '610929'],
      countPairedCity: true,
      prioritizeDeepPoverty: false,
      prioritizeRevolutionaryOldArea: true,
      yearlyBudgetFen: null,
      smallestGrantFen: 5_000_000n,
      largestGrantFen: 50_000_000n,
      reportingLanguages: ['ZH'],
      public: true,
    },
    {
      organizationId: 'js-demo-huaihe-industry',
      fields: ['INDUSTRY', 'INFRASTRUCTURE'],
      preferredPrefectureCodes: ['610800'],
      preferredCountyCodes: [],
      countPairedCity: true,
      prioritizeDeepPoverty: false,
      prioritizeRevolutionaryOldArea: false,
      yearlyBudgetFen: 1_000_000_000n,
      smallestGrantFen: null,
      largestGrantFen: 200_000_000n,
      reportingLanguages: ['ZH'],
      public: false,
    },
  ];
  const shaanxiOrganizations: DemoShaanxiOrganization[] = [
    { id: 'sn-demo-ankang-social-work', nameZh: '演示：安康市社会工作服务中心（虚构）', nameEn: 'Demo: Ankang Social Work Service Centre (fictional)' },
    { id: 'sn-demo-qinba-volunteers', nameZh: '演示：秦巴山区志愿服务协会（虚构）', nameEn: 'Demo: Qinba Mountains Volunteer Association (fictional)' },
    { id: 'sn-demo-loess-rural-development', nameZh: '演示：黄土高原乡村发展促进会（虚构）', nameEn: 'Demo: Loess Plateau Rural Development Association (fictional)' },
  ];
  const ceremonyId = 'demo-2019-06-18-ankang';
  const nextCeremonyId = 'demo-2020-09-16-shangluo';
  const projects: DemoProject[] = [];
  let index = 0;
  for (const [stageIndex, stage] of DEMO_STAGES.entries()) {
    for (let n = 0; n < PER_STAGE * scale; n += 1, index += 1) {
      const [countyCode, prefectureCode] = (
        n === 0 ? DEMO_PREFECTURE_COUNTIES[stageIndex % DEMO_PREFECTURE_COUNTIES.length] : DEMO_COUNTIES[index % DEMO_COUNTIES.length]
      ) as [string, string];
      const field = PROJECT_FIELDS[index % (PROJECT_FIELDS.length - 1)] as ProjectField;
      const organization = organizations[index % organizations.length] as DemoOrganization;
      const amountSoughtFen = BigInt(50_000 + ((index * 7_919) % 1_950_000)) * 100n;
      const createdAt = new Date(Date.UTC(2018, 2, 1) + Math.floor((index * 3 * DAY) / scale));
      const path = pathTo(stage);
      // Every need is scheduled by the end of 2018; the projects that were signed were signed at
      // the first ceremony, on its day, and went on from there.
      const signedAt = path.indexOf('SIGNED');
      const events: DemoEvent[] = path.map((to, position) => ({
        sequence: position + 1,
        from: position === 0 ? 'PROPOSED' : (path[position - 1] as DemoStage),
        to,
        at:
          signedAt >= 0 && position >= signedAt
            ? new Date(FIRST_CEREMONY_AT.getTime() + (position - signedAt) * 30 * DAY)
            : new Date(createdAt.getTime() + (position + 1) * 30 * DAY),
        actorRole: to === 'PUBLISHED' || position % 2 === 0 ? 'SHAANXI_OFFICE' : 'JIANGSU_OFFICE',
        organizationId: to === 'MATCHED' ? organization.id : null,
        // The projects still SCHEDULED wait for the next ceremony; the others were signed at the first.
        ceremonyId: to === 'SCHEDULED' ? (stage === 'SCHEDULED' ? nextCeremonyId : ceremonyId) : null,
      }));
      const reached = (target: DemoStage) => path.includes(target);
      const pledgedFen = reached('MATCHED') ? (amountSoughtFen * 6n) / 10n : 0n;
      const committedFen = reached('SIGNED') ? (amountSoughtFen * 8n) / 10n : 0n;
      const disbursedFen = reached('IMPLEMENTING') ? (reached('COMPLETED') ? committedFen : committedFen / 2n) : 0n;
      const mismatch = stage === 'IMPLEMENTING' && n === 0;
      const receivedFen = mismatch ? disbursedFen - 1_234_500n : disbursedFen;
      const spentFen = reached('IMPLEMENTING') ? (receivedFen * 7n) / 10n : 0n;
      projects.push({
        id: demoUuid(`project-${index}`),
        countyCode,
        prefectureCode,
        field,
        titleZh: `演示：${TITLES[field]}（虚构 ${String(index + 1).padStart(2, '0')}）`,
        amountSoughtFen,
        createdAt,
        stage,
        events,
        organizationId: organization.id,
        focusPosition: path.includes('SCHEDULED') ? (index % DEMO_FOCUSES.length) + 1 : null,
        raisedByOrganizationId: (shaanxiOrganizations[index % shaanxiOrganizations.length] as DemoShaanxiOrganization).id,
        pledgedFen,
        committedFen,
        disbursedFen,
        receivedFen,
        spentFen,
        mismatch,
      });
    }
  }
  const line = (project: DemoProject, amountFen: bigint): DemoPackageLine => ({
    projectId: project.id,
    countyCode: project.countyCode,
    shaanxiSignatoryId: project.raisedByOrganizationId,
    jiangsuOrganizationId: project.organizationId,
    amountFen,
  });
  const reachedSigned = (project: DemoProject) => project.events.some((event) => event.to === 'SIGNED');
  // The signed package commits what the books hold; the final one, what its projects seek.
  const signedLines = projects.filter(reachedSigned).map((project) => line(project, project.committedFen));
  const finalLines = projects.filter((project) => project.stage === 'SCHEDULED').map((project) => line(project, project.amountSoughtFen));
  const sum = (lines: DemoPackageLine[]) => lines.reduce((total, { amountFen }) => total + amountFen, 0n);
  const packages: DemoPackage[] = [
    { ceremonyId, status: 'SIGNED', lines: signedLines, totalFen: sum(signedLines) },
    { ceremonyId: nextCeremonyId, status: 'FINAL', lines: finalLines, totalFen: sum(finalLines) },
  ];
  const pairingExceptions = pairingExceptionsOf(projects, organizations, packages);
  return {
    organizations,
    givingProfiles,
    shaanxiOrganizations,
    agreement: {
      id: 'demo-agreement',
      titleZh: '演示协议（虚构，用于体验系统）',
      titleEn: 'Demo agreement (fictional, for exploring the hub)',
      focuses: DEMO_FOCUSES,
    },
    targets: [
      { year: null, projectsSigned: 60, committedFen: 6_000_000_000n, disbursedFen: 4_000_000_000n, countiesReached: 20, shaanxiOrganizations: 5, jiangsuOrganizations: 5 },
      { year: 2019, projectsSigned: 45, committedFen: 2_000_000_000n, disbursedFen: 1_000_000_000n, countiesReached: 15, shaanxiOrganizations: 3, jiangsuOrganizations: 3 },
      { year: 2020, projectsSigned: 15, committedFen: 2_500_000_000n, disbursedFen: 1_500_000_000n, countiesReached: 5, shaanxiOrganizations: 3, jiangsuOrganizations: 3 },
    ],
    ceremony: {
      id: ceremonyId,
      titleZh: '演示签约仪式（虚构）',
      heldOn: '2019-06-18',
      cityCode: '610900',
      cityNameZh: '安康市',
      projectCount: signedLines.length,
      totalFen: sum(signedLines),
    },
    nextCeremony: {
      id: nextCeremonyId,
      titleZh: '演示第二批签约仪式（虚构）',
      heldOn: '2020-09-16',
      cityCode: '611000',
      cityNameZh: '商洛市',
      projectCount: 0,
      totalFen: 0n,
    },
    packages,
    pairingExceptions,
    projects,
  };
}

/**
 * The pairing exceptions a plan's packages need: [organization, prefecture] for each line whose
 * foundation's city is not paired with its project's prefecture, once each, in order.
 */
export function pairingExceptionsOf(
  projects: readonly { id: string; prefectureCode: string }[],
  organizations: readonly { id: string; pairedPrefectureCode: string | null }[],
  packages: readonly { lines: readonly { projectId: string; jiangsuOrganizationId: string }[] }[],
): [organizationId: string, prefectureCode: string][] {
  const prefectureOf = new Map(projects.map((project) => [project.id, project.prefectureCode]));
  const pairedPrefecture = new Map(organizations.map((organization) => [organization.id, organization.pairedPrefectureCode]));
  const pairs = packages.flatMap((plannedPackage) =>
    plannedPackage.lines
      .filter((line) => pairedPrefecture.get(line.jiangsuOrganizationId) !== prefectureOf.get(line.projectId))
      .map((line) => `${line.jiangsuOrganizationId} ${prefectureOf.get(line.projectId)}`),
  );
  return [...new Set(pairs)].sort().map((pair) => pair.split(' ') as [string, string]);
}
