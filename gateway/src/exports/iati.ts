import { Readable } from 'node:stream';
import { FIELD_NAMES, type ProjectField } from '@hub/common';
import { XMLBuilder } from 'fast-xml-parser';
import { fenOfYuan, yuanOfFen } from './money.ts';
import type { OpenDataPublisher } from './publisher.ts';
import { PROVENANCE_NAMES, chinaDate, firstMoveTo, type OrganizationKind, type OrganizationRead, type ProjectActivity } from './records.ts';

/** IATI TransactionType of each kind of entry in the two books (DESIGN.md: money flows). */
export const TRANSACTION_TYPES = {
  RECEIPT: '1',
  COMMITMENT: '2',
  DISBURSEMENT: '3',
  EXPENDITURE: '4',
  PLEDGE: '12',
} as const;

/**
 * DAC 5-digit purpose codes (IATI SectorVocabulary 1) nearest each field of work. The field
 * itself goes beside it under the hub's own vocabulary (99), so nothing is lost to the mapping.
 */
export const DAC_SECTORS: Record<ProjectField, { code: string; name: string }> = {
  LIVELIHOOD: { code: '16010', name: 'Social protection' },
  INDUSTRY: { code: '43040', name: 'Rural development' },
  TECHNOLOGY_AND_CULTURE: { code: '16061', name: 'Culture and recreation' },
  TALENT: { code: '11330', name: 'Vocational training' },
  EDUCATION: { code: '11120', name: 'Education facilities and training' },
  MEDICAL_AID: { code: '12220', name: 'Basic health care' },
  INFRASTRUCTURE: { code: '43040', name: 'Rural development' },
  CHILD_WELFARE: { code: '16010', name: 'Social protection' },
  DISABILITY: { code: '16010', name: 'Social protection' },
  OTHER: { code: '43010', name: 'Multisector aid' },
};

/** IATI OrganisationType of each kind of organization, where one fits. */
const ORGANISATION_TYPES: Partial<Record<OrganizationKind, string>> = {
  GOVERNMENT_OFFICE: '10',
  FOUNDATION: '60',
  ASSOCIATION: '22',
  SOCIAL_SERVICE_INSTITUTION: '22',
  VOLUNTEER_GROUP: '22',
};
const LOCAL_GOVERNMENT = '11';

/** The GB/T 2260 division codes, as the Ministry of Civil Affairs publishes them. */
const DIVISION_CODES_URI = 'http://www.mca.gov.cn/article/sj/xzqh/';

export interface IatiFileOptions {
  publisher: OpenDataPublisher;
  /** When the file was made. */
  generatedAt: Date;
  /** Whether the filter lets synthetic demo projects in: the file then says so at its top. */
  includesSyntheticDemo: boolean;
}

/** An XML element as fast-xml-parser's builder takes it: `@_` attributes, `#text`, children by name. */
type XmlElement = Record<string, unknown>;

const xml = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true, commentPropName: '#comment' });
/** Where the activities go in the file's frame: no text of the file can hold it. */
const ACTIVITIES = '\u0000activities\u0000';

/**
 * An IATI 2.03 activity file, written as its pages of projects are read: one `iati-activity`
 * a published project. Never-published drafts (which the Shaanxi office reads in the
 * pipeline) are left out. Each page's activities are written and handed on at once, so the
 * file is never held whole. The standard asks for at least one activity: `head` holds the
 * published projects of the pages read before the answer began, at least one.
 */
export function iatiActivityFile(head: ProjectActivity[], rest: AsyncIterable<ProjectActivity[]>, options: IatiFileOptions): Readable {
  // The declaration, the note on synthetic data and the root element, built around a mark the
  // activities take the place of.
  const frame: string = xml.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    ...(options.includesSyntheticDemo
      ? {
          '#comment':
            ' 本文件含合成演示数据（SYNTHETIC_DEMO）：这些项目并非真实项目，每个活动的 tag 与 description type="4" 注明其来源。' +
            ' This file includes synthetic demo data (SYNTHETIC_DEMO): those projects are not real; each activity says what it is in its tag and in description type="4". ',
        }
      : {}),
    'iati-activities': { '@_version': '2.03', '@_generated-datetime': options.generatedAt.toISOString(), '#text': ACTIVITIES },
  });
  const [opening, closing] = frame.split(ACTIVITIES) as [string, string];
  // Activity by activity, not a page's at once: each element tree is dropped as soon as its
  // text is made, and the text as soon as the client has it, so neither lives long enough to
  // reach the collector's old generation (the builder writes a list of elements as these
  // texts one after another, so the file is the same).
  const activities = function* (projects: ProjectActivity[]): Generator<string> {
    for (const project of publishedOnly(projects)) yield xml.build({ 'iati-activity': activity(project, options.publisher) }) as string;
  };
  async function* chunks(): AsyncGenerator<string> {
    yield `${opening}\n`;
    yield* activities(head);
    for await (const projects of rest) yield* activities(projects);
    yield closing.trimStart();
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** The projects of a page that were published: never-published drafts are no open data. */
export function publishedOnly(page: ProjectActivity[]): ProjectActivity[] {
  return page.filter((project) => project.publishedAt !== null);
}

function activity(project: ProjectActivity, publisher: OpenDataPublisher): XmlElement {
  const funders = new Map<string, OrganizationRead>();
  if (project.matchedOrganization) funders.set(project.matchedOrganization.id, project.matchedOrganization);
  for (const entry of project.fundingEntries) funders.set(entry.organization.id, entry.organization);
  const dates = activityDates(project);
  const dac = DAC_SECTORS[project.field];
  return {
    '@_last-updated-datetime': lastUpdated(project),
    '@_xml:lang': 'zh',
    '@_default-currency': 'CNY',
    '@_hierarchy': '1',
    'iati-identifier': `${publisher.iatiOrgRef}-${project.id}`,
    'reporting-org': narratives({ ref: publisher.iatiOrgRef, type: '10' }, { zh: publisher.nameZh, en: publisher.nameEn }),
    title: narratives({}, { zh: project.titleZh, en: project.titleEn }),
    description: [narratives({ type: '1' }, { zh: project.description ?? project.titleZh }), narratives({ type: '4' }, provenanceText(project))],
    'participating-org': [
      ...[...funders.values()].map((funder) => participatingOrg('1', funder)),
      ...(project.raisedBy ? [participatingOrg('4', project.raisedBy)] : []),
      // The county the need was raised for answers for it.
      narratives({ role: '2', type: LOCAL_GOVERNMENT }, { zh: project.county.nameZh }),
    ],
    'activity-status': attributes({ code: String(project.iatiActivityStatus) }),
    'activity-date': dates.elements,
    'recipient-country': attributes({ code: 'CN', percentage: '100' }),
    location: location(project),
    sector: [
      narratives({ vocabulary: '1', code: dac.code, percentage: '100' }, { en: dac.name }),
      narratives({ vocabulary: '99', code: project.field, percentage: '100' }, FIELD_NAMES[project.field]),
    ],
    tag: narratives({ vocabulary: '99', code: project.provenance.kind }, PROVENANCE_NAMES[project.provenance.kind]),
    // What the county seeks, for a year from the planned start: an indicative budget.
    ...(project.amountSought
      ? {
          budget: {
            ...attributes({ type: '1', status: '1' }),
            'period-start': attributes({ 'iso-date': dates.plannedStart }),
            'period-end': attributes({ 'iso-date': oneYearOn(dates.plannedStart) }),
            value: value(project.amountSought.yuan, dates.plannedStart),
          },
        }
      : {}),
    transaction: transactions(project),
  };
}

/**
 * Planned start: the day of the ceremony the project is in the batch of or, before it is in
 * one, the day it was published, saying so. Actual start: its first signing; actual end: its
 * completion or its cancellation, saying which.
 */
function activityDates(project: ProjectActivity): { plannedStart: string; elements: XmlElement[] } {
  const plannedStart = project.ceremony?.heldOn ?? chinaDate(project.publishedAt ?? project.createdAt);
  const elements = [
    project.ceremony
      ? narratives({ type: '1', 'iso-date': plannedStart }, { zh: `签约仪式：${project.ceremony.titleZh}` })
      : narratives(
          { type: '1', 'iso-date': plannedStart },
          { zh: '尚未排入签约仪式：此为项目发布日期', en: 'Not yet in a signing ceremony: the day the project was published' },
        ),
  ];
  const signed = firstMoveTo(project.history, 'SIGNED');
  if (signed) elements.push(attributes({ type: '2', 'iso-date': chinaDate(signed.at) }));
  const completed = firstMoveTo(project.history, 'COMPLETED');
  const cancelled = firstMoveTo(project.history, 'CANCELLED');
  if (completed) elements.push(attributes({ type: '4', 'iso-date': chinaDate(completed.at) }));
  else if (cancelled) elements.push(narratives({ type: '4', 'iso-date': chinaDate(cancelled.at) }, { zh: '项目取消', en: 'Cancelled' }));
  return { plannedStart, elements };
}

function location({ county }: ProjectActivity): XmlElement {
  return {
    ...attributes({ ref: `CN-GBT2260-${county.code}` }),
    'location-reach': attributes({ code: '2' }),
    name: narratives({}, { zh: county.nameZh }),
    description: narratives({}, { zh: `陕西省${county.prefecture.nameZh}${county.nameZh}（GB/T 2260 行政区划代码 ${county.code}，见 ${DIVISION_CODES_URI}）` }),
    'location-class': attributes({ code: '1' }),
    'feature-designation': attributes({ code: 'ADM3' }),
  };
}

function transactions(project: ProjectActivity): XmlElement[] {
  const implementer = project.raisedBy ? { zh: project.raisedBy.nameZh, en: project.raisedBy.nameEn } : { zh: project.county.nameZh };
  return [
    ...project.fundingEntries.map((entry) =>
      transaction({
        ref: entry.id,
        type: TRANSACTION_TYPES[entry.kind],
        recordedAt: entry.recordedAt,
        yuan: entry.amount.yuan,
        description: entry.note,
        provider: { zh: entry.organization.nameZh, en: entry.organization.nameEn },
        receiver: implementer,
      }),
    ),
    ...project.fundsEntries.map((entry) => {
      const from = entry.fromOrganization ? { zh: entry.fromOrganization.nameZh, en: entry.fromOrganization.nameEn } : null;
      return transaction({
        ref: entry.id,
        type: TRANSACTION_TYPES[entry.kind],
        recordedAt: entry.recordedAt,
        yuan: entry.amount.yuan,
        description: [entry.purpose, entry.note].filter(Boolean).join('；') || null,
        provider: entry.kind === 'RECEIPT' ? from : implementer,
        receiver: entry.kind === 'RECEIPT' ? implementer : null,
      });
    }),
  ];
}

interface Names {
  zh?: string | null;
  en?: string | null;
}

function transaction(entry: {
  ref: string;
  type: string;
  recordedAt: string;
  yuan: string;
  description: string | null;
  provider: Names | null;
  receiver: Names | null;
}): XmlElement {
  const day = chinaDate(entry.recordedAt);
  return {
    ...attributes({ ref: entry.ref }),
    'transaction-type': attributes({ code: entry.type }),
    'transaction-date': attributes({ 'iso-date': day }),
    value: value(entry.yuan, day),
    ...(entry.description ? { description: narratives({}, { zh: entry.description }) } : {}),
    ...(entry.provider ? { 'provider-org': narratives({}, entry.provider) } : {}),
    ...(entry.receiver ? { 'receiver-org': narratives({}, entry.receiver) } : {}),
  };
}

/** An amount in yuan with two places, from the exact fen of the graph's `Money.yuan`. */
function value(yuan: string, day: string): XmlElement {
  return { ...attributes({ currency: 'CNY', 'value-date': day }), '#text': yuanOfFen(fenOfYuan(yuan)) };
}

function participatingOrg(role: string, organization: OrganizationRead): XmlElement {
  const type = ORGANISATION_TYPES[organization.kind];
  return narratives({ role, ...(type ? { type } : {}) }, { zh: organization.nameZh, en: organization.nameEn });
}

function provenanceText(project: ProjectActivity): { zh: string; en: string } {
  const name = PROVENANCE_NAMES[project.provenance.kind];
  const { source, detail } = project.provenance;
  return {
    zh: `数据来源：${name.zh}${source ? `：${source.publisher}《${source.title}》` : ''}${detail ? `（${detail}）` : ''}`,
    en: `Provenance: ${name.en}${source ? `: ${source.title}, ${source.publisher}` : ''}`,
  };
}

/** An element's attributes, as the builder takes them. */
function attributes(values: Record<string, string>): XmlElement {
  return Object.fromEntries(Object.entries(values).map(([name, text]) => [`@_${name}`, text]));
}

/** An element with its attributes and a narrative in each language given (Chinese first). */
function narratives(values: Record<string, string>, text: Names): XmlElement {
  const narrative = [
    ...(text.zh ? [{ '@_xml:lang': 'zh', '#text': text.zh }] : []),
    ...(text.en ? [{ '@_xml:lang': 'en', '#text': text.en }] : []),
  ];
  return { ...attributes(values), ...(narrative.length > 0 ? { narrative } : {}) };
}

/** The latest moment anything about the project was recorded. */
function lastUpdated(project: ProjectActivity): string {
  const moments = [
    project.createdAt,
    project.publishedAt,
    ...project.history.map((event) => event.at),
    ...project.fundingEntries.map((entry) => entry.recordedAt),
    ...project.fundsEntries.map((entry) => entry.recordedAt),
  ].filter((moment): moment is string => moment !== null);
  return new Date(Math.max(...moments.map((moment) => Date.parse(moment)))).toISOString();
}

/** The day before the same day a year later: a budget period of one year. */
function oneYearOn(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCFullYear(date.getUTCFullYear() + 1);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}
