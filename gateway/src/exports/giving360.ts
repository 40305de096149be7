import { Readable } from 'node:stream';
import { FIELD_NAMES, type ProjectStage } from '@hub/common';
import { fenOfYuan, yuanNumber } from './money.ts';
import type { OpenDataPublisher } from './publisher.ts';
import { PROVENANCE_NAMES, chinaDate, firstMoveTo, type OrganizationRead, type ProjectActivity } from './records.ts';

/** The stages a project with a signed commitment can stand at: only they hold grants. */
export const GRANT_STAGES: readonly ProjectStage[] = ['SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED', 'SUSPENDED', 'CANCELLED'];

export interface Giving360Options {
  publisher: OpenDataPublisher;
  generatedAt: Date;
  /** Whether the filter lets synthetic demo projects in: the package's description then says so. */
  includesSyntheticDemo: boolean;
}

/** One 360Giving grant, as the package carries it. */
export interface Grant {
  id: string;
  title: string;
  description: string;
  currency: 'CNY';
  amountAwarded: number;
  amountDisbursed?: number;
  awardDate: string;
  plannedDates: { startDate: string; endDate?: string }[];
  actualDates?: { startDate: string; endDate?: string }[];
  recipientOrganization: { id: string; name: string; alternateName?: string; addressRegion?: string; addressCountry: string }[];
  fundingOrganization: { id: string; name: string; alternateName?: string }[];
  beneficiaryLocation: { id: string; name: string; countryCode: 'CN'; geoCode: string; geoCodeType: string }[];
  grantProgramme?: { code: string; title: string }[];
  classifications: { vocabulary: string; code: string; title: string }[];
  commitmentTransaction: Transaction[];
  disbursementTransaction?: Transaction[];
  relatedActivity: string[];
}

interface Transaction {
  id: string;
  transactionDate: string;
  currency: 'CNY';
  value: number;
  description?: string;
}

/**
 * The grants of one project: what one Jiangsu organization committed to it is one grant,
 * awarded when it first committed, with each of its commitments (and disbursements) as the
 * grant's transactions. Recipient: the Shaanxi organization that raised the need, or the
 * county where none did; the pairing's agreement is the programme it is awarded under.
 */
export function grantsOf(project: ProjectActivity, publisher: OpenDataPublisher, iatiOrgRef: string): Grant[] {
  const byFunder = new Map<string, { funder: OrganizationRead; entries: ProjectActivity['fundingEntries'] }>();
  for (const entry of project.fundingEntries) {
    if (entry.kind === 'PLEDGE') continue;
    const grant = byFunder.get(entry.organization.id) ?? { funder: entry.organization, entries: [] };
    grant.entries.push(entry);
    byFunder.set(entry.organization.id, grant);
  }
  const grants: Grant[] = [];
  for (const { funder, entries } of byFunder.values()) {
    const commitments = entries.filter((entry) => entry.kind === 'COMMITMENT');
    if (commitments.length === 0) continue;
    const disbursements = entries.filter((entry) => entry.kind === 'DISBURSEMENT');
    const sum = (list: typeof entries) => list.reduce((total, entry) => total + fenOfYuan(entry.amount.yuan), 0n);
    const transactions = (list: typeof entries) =>
      list.map<Transaction>((entry) => ({
        id: `${publisher.giving360Prefix}-${entry.id}`,
        transactionDate: chinaDate(entry.recordedAt),
        currency: 'CNY',
        value: yuanNumber(fenOfYuan(entry.amount.yuan)),
        ...(entry.note ? { description: entry.note } : {}),
      }));
    const signed = firstMoveTo(project.history, 'SIGNED');
    const started = signed ? chinaDate(signed.at) : project.ceremony?.heldOn;
    const ended = firstMoveTo(project.history, 'COMPLETED') ?? firstMoveTo(project.history, 'CANCELLED');
    const provenance = PROVENANCE_NAMES[project.provenance.kind];
    grants.push({
      id: `${publisher.giving360Prefix}-${project.id}-${funder.id}`,
      title: project.titleZh,
      description: [project.description ?? project.titleZh, `阶段 Stage: ${project.stage}`, `数据来源 Provenance: ${provenance.zh} ${provenance.en}`].join('\n'),
      currency: 'CNY',
      amountAwarded: yuanNumber(sum(commitments)),
      ...(disbursements.length > 0 ? { amountDisbursed: yuanNumber(sum(disbursements)) } : {}),
      awardDate: chinaDate(commitments[0]!.recordedAt),
      plannedDates: [{ startDate: project.ceremony?.heldOn ?? started ?? chinaDate(commitments[0]!.recordedAt) }],
      ...(started ? { actualDates: [{ startDate: started, ...(ended ? { endDate: chinaDate(ended.at) } : {}) }] } : {}),
      recipientOrganization: [recipientOf(project, publisher)],
      fundingOrganization: [
        {
          id: `${publisher.giving360Prefix}-ORG-${funder.id}`,
          name: funder.nameZh,
          ...(funder.nameEn ? { alternateName: funder.nameEn } : {}),
        },
      ],
      beneficiaryLocation: [
        { id: `CN-GBT2260-${project.county.code}`, name: project.county.nameZh, countryCode: 'CN', geoCode: project.county.code, geoCodeType: 'GB/T 2260' },
      ],
      ...(project.ceremony ? { grantProgramme: [{ code: project.ceremony.agreement.id, title: project.ceremony.agreement.titleZh }] } : {}),
      classifications: [
        { vocabulary: 'su-shaan-hub:provenance', code: project.provenance.kind, title: provenance.zh },
        { vocabulary: 'su-shaan-hub:field', code: project.field, title: FIELD_NAMES[project.field].zh },
      ],
      commitmentTransaction: transactions(commitments),
      ...(disbursements.length > 0 ? { disbursementTransaction: transactions(disbursements) } : {}),
      relatedActivity: [`${iatiOrgRef}-${project.id}`],
    });
  }
  return grants;
}

function recipientOf(project: ProjectActivity, publisher: OpenDataPublisher): Grant['recipientOrganization'][number] {
  const region = `陕西省${project.county.prefecture.nameZh}${project.county.nameZh}`;
  if (!project.raisedBy) {
    return { id: `${publisher.giving360Prefix}-COUNTY-${project.county.code}`, name: project.county.nameZh, addressRegion: region, addressCountry: 'CN' };
  }
  return {
    id: `${publisher.giving360Prefix}-ORG-${project.raisedBy.id}`,
    name: project.raisedBy.nameZh,
    ...(project.raisedBy.nameEn ? { alternateName: project.raisedBy.nameEn } : {}),
    addressRegion: region,
    addressCountry: 'CN',
  };
}

/**
 * A 360Giving 1.4 package of the grants of `pages`, written grant by grant: the package's
 * own fields first, then each grant as it is read. Never-published drafts are left out. The
 * standard asks for at least one grant: `head` holds the grants of the pages read before the
 * answer began, at least one.
 */
export function giving360Package(head: Grant[], rest: AsyncIterable<ProjectActivity[]>, options: Giving360Options): Readable {
  const { publisher } = options;
  const packageFields = {
    version: '1.4',
    title: `${publisher.nameZh}：已签约资助 Signed grants`,
    description: options.includesSyntheticDemo
      ? '含合成演示数据（SYNTHETIC_DEMO），其项目并非真实项目，每笔资助的 classifications 注明来源。 Includes synthetic demo data (SYNTHETIC_DEMO): those projects are not real; each grant says what it is in its classifications.'
      : '仅含真实记录（公开记录与平台录入）。 Real records only (public record and entered in the hub).',
    issued: options.generatedAt.toISOString(),
    publisher: { name: publisher.nameZh, identifier: publisher.giving360Prefix },
  };
  async function* chunks(): AsyncGenerator<string> {
    // The package object's own fields, then its grants array, one grant at a time.
    const opening = JSON.stringify(packageFields);
    yield `${opening.slice(0, -1)},"grants":[\n`;
    let first = true;
    const write = (grant: Grant) => {
      const text = `${first ? '' : ',\n'}${JSON.stringify(grant)}`;
      first = false;
      return text;
    };
    yield head.map(write).join('');
    // Project by project: a page's grants are never all made before the first is written.
    for await (const page of rest) {
      for (const project of page) {
        const text = grantsOfPage([project], publisher).map(write).join('');
        if (text) yield text;
      }
    }
    yield '\n]}\n';
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** The grants of a page's published projects (never-published drafts are no open data). */
export function grantsOfPage(page: ProjectActivity[], publisher: OpenDataPublisher): Grant[] {
  return page.filter((project) => project.publishedAt !== null).flatMap((project) => grantsOf(project, publisher, publisher.iatiOrgRef));
}
