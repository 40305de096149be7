import type { ProjectField, ProjectStage, ProvenanceKind } from '@hub/common';

/** Money as the exports read it: the exact decimal yuan string (`fen` is null beyond 2^53 − 1). */
export interface MoneyRead {
  yuan: string;
}

export interface Page<TNode> {
  totalCount?: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: TNode[];
}

interface CountyRead {
  code: string;
  nameZh: string;
  prefecture: { code: string; nameZh: string };
}

/** A project as PIPELINE_ROWS reads it. */
export interface ProjectRow {
  id: string;
  titleZh: string;
  titleEn: string | null;
  field: ProjectField;
  stage: ProjectStage;
  iatiActivityStatus: number;
  publishedAt: string | null;
  county: CountyRead;
  raisedBy: { id: string; nameZh: string } | null;
  matchedOrganization: { id: string; nameZh: string } | null;
  ceremony: { id: string; titleZh: string; heldOn: string } | null;
  amountSought: MoneyRead | null;
  pledged: MoneyRead;
  committed: MoneyRead;
  disbursed: MoneyRead;
  received: MoneyRead;
  spent: MoneyRead;
  fundingGap: MoneyRead | null;
  reconciliation: { balanced: boolean; difference: MoneyRead };
  history: { sequence: number; to: ProjectStage; at: string; actorRole: string; actor: string | null }[];
  provenance: { kind: ProvenanceKind };
}

export type OrganizationKind = 'GOVERNMENT_OFFICE' | 'ASSOCIATION' | 'FOUNDATION' | 'SOCIAL_SERVICE_INSTITUTION' | 'VOLUNTEER_GROUP' | 'OTHER';

export interface OrganizationRead {
  id: string;
  nameZh: string;
  nameEn: string | null;
  kind: OrganizationKind;
  provenance: { kind: ProvenanceKind };
}

/** A project as PIPELINE_ACTIVITIES reads it. */
export interface ProjectActivity {
  id: string;
  titleZh: string;
  titleEn: string | null;
  description: string | null;
  field: ProjectField;
  stage: ProjectStage;
  iatiActivityStatus: number;
  publishedAt: string | null;
  createdAt: string;
  provenance: { kind: ProvenanceKind; detail: string | null; source: { title: string; publisher: string } | null };
  county: CountyRead;
  raisedBy: OrganizationRead | null;
  matchedOrganization: OrganizationRead | null;
  ceremony: { id: string; titleZh: string; heldOn: string; agreement: { id: string; titleZh: string; titleEn: string | null } } | null;
  amountSought: MoneyRead | null;
  history: { sequence: number; from: ProjectStage; to: ProjectStage; at: string }[];
  fundingEntries: {
    id: string;
    kind: 'PLEDGE' | 'COMMITMENT' | 'DISBURSEMENT';
    amount: MoneyRead;
    recordedAt: string;
    note: string | null;
    organization: OrganizationRead;
  }[];
  fundsEntries: {
    id: string;
    kind: 'RECEIPT' | 'EXPENDITURE';
    amount: MoneyRead;
    recordedAt: string;
    purpose: string | null;
    note: string | null;
    fromOrganization: { id: string; nameZh: string; nameEn: string | null } | null;
  }[];
}

/** A funnel stage as PIPELINE_TOTALS reads it. */
export interface FunnelTotals {
  stage: ProjectStage;
  projectCount: number;
  amountSought: MoneyRead;
  pledged: MoneyRead;
  committed: MoneyRead;
  disbursed: MoneyRead;
  received: MoneyRead;
  spent: MoneyRead;
}

/** The date in China Standard Time (UTC+8, no daylight saving) of an instant. */
export function chinaDate(instant: string): string {
  return new Date(Date.parse(instant) + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** The first time a project moved to `stage`, from its history (oldest first). */
export function firstMoveTo<T extends { to: ProjectStage; at: string }>(history: readonly T[], stage: ProjectStage): T | undefined {
  return history.find((event) => event.to === stage);
}

/** What each kind of record is called in the downloads, in Chinese and English. */
export const PROVENANCE_NAMES: Record<ProvenanceKind, { zh: string; en: string }> = {
  PUBLIC_RECORD: { zh: '公开记录', en: 'public record' },
  ENTERED: { zh: '平台录入', en: 'entered in the hub' },
  SYNTHETIC_DEMO: { zh: '合成演示数据（非真实项目）', en: 'synthetic demo data (not a real project)' },
};
