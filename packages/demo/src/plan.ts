import { createHash } from 'node:crypto';
import { PROJECT_FIELDS, PROJECT_STAGES, type ProjectField, type ProjectStage } from '@hub/common';

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
  pledgedFen: bigint;
  committedFen: bigint;
  disbursedFen: bigint;
  /** What Shaanxi recorded as received: equal to disbursed, except on the one mismatch. */
  receivedFen: bigint;
  spentFen: bigint;
  /** The project whose books disagree, so the reconciliation has something to show. */
  mismatch: boolean;
}

export interface DemoPlan {
  organizations: DemoOrganization[];
  agreement: { id: string; titleZh: string; titleEn: string };
  ceremony: { id: string; titleZh: string; heldOn: string; cityCode: string; cityNameZh: string; projectCount: number; totalFen: bigint };
  projects: DemoProject[];
}

const PER_STAGE = 8;
const DAY = 24 * 60 * 60 * 1000;

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

export function demoPlan(): DemoPlan {
  const organizations: DemoOrganization[] = [
    { id: 'js-demo-jiangnan-education', nameZh: '演示：江南助学基金会（虚构）', nameEn: 'Demo: Jiangnan Education Foundation (fictional)', cityCode: '320500' },
    { id: 'js-demo-taihu-health', nameZh: '演示：太湖健康公益基金会（虚构）', nameEn: 'Demo: Taihu Health Foundation (fictional)', cityCode: '320200' },
    { id: 'js-demo-huaihe-industry', nameZh: '演示：淮河产业帮扶基金会（虚构）', nameEn: 'Demo: Huaihe Industry Foundation (fictional)', cityCode: '320300' },
  ];
  const ceremonyId = 'demo-2019-06-18-ankang';
  const projects: DemoProject[] = [];
  let index = 0;
  for (const [stageIndex, stage] of DEMO_STAGES.entries()) {
    for (let n = 0; n < PER_STAGE; n += 1, index += 1) {
      const [countyCode, prefectureCode] = (
        n === 0 ? DEMO_PREFECTURE_COUNTIES[stageIndex % DEMO_PREFECTURE_COUNTIES.length] : DEMO_COUNTIES[index % DEMO_COUNTIES.length]
      ) as [string, string];
      const field = PROJECT_FIELDS[index % (PROJECT_FIELDS.length - 1)] as ProjectField;
      const organization = organizations[index % organizations.length] as DemoOrganization;
      const amountSoughtFen = BigInt(50_000 + ((index * 7_919) % 1_950_000)) * 100n;
      const createdAt = new Date(Date.UTC(2018, 2, 1) + index * 9 * DAY);
      const path = pathTo(stage);
      const events: DemoEvent[] = path.map((to, position) => ({
        sequence: position + 1,
        from: position === 0 ? 'PROPOSED' : (path[position - 1] as DemoStage),
        to,
        at: new Date(createdAt.getTime() + (position + 1) * 30 * DAY),
        actorRole: to === 'PUBLISHED' || position % 2 === 0 ? 'SHAANXI_OFFICE' : 'JIANGSU_OFFICE',
        organizationId: to === 'MATCHED' ? organization.id : null,
        ceremonyId: to === 'SCHEDULED' ? ceremonyId : null,
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
        pledgedFen,
        committedFen,
        disbursedFen,
        receivedFen,
        spentFen,
        mismatch,
      });
    }
  }
  const batch = projects.filter((project) => project.events.some((event) => event.to === 'SCHEDULED'));
  return {
    organizations,
    agreement: {
      id: 'demo-agreement',
      titleZh: '演示协议（虚构，用于体验系统）',
      titleEn: 'Demo agreement (fictional, for exploring the hub)',
    },
    ceremony: {
      id: ceremonyId,
      titleZh: '演示签约仪式（虚构）',
      heldOn: '2019-06-18',
      cityCode: '610900',
      cityNameZh: '安康市',
      projectCount: batch.length,
      totalFen: batch.reduce((total, project) => total + (project.amountSoughtFen * 8n) / 10n, 0n),
    },
    projects,
  };
}
