import {
  kindOfNewRecord,
  cleanOptionalText,
  cleanText,
  creationKey,
  ErrorCode,
  idempotencyKeyReused,
  isStorableKey,
  notFound,
  requireRole,
  userError,
  type ProvenanceKind,
} from '@hub/common';
import type { Province } from './db/schema.ts';
import type { PairingContext } from './loaders.ts';
import { isDemo, knownDivisions, organizationsOf } from './organization-lookup.ts';
import type { CeremonyStore, PairingExceptionRow } from './store/ceremony-store.ts';
import type { AgreementRow, CeremonyRow } from './store/pairing-store.ts';
import { termStart } from './targets-service.ts';

export interface ScheduleCeremonyInput {
  agreementId: string;
  titleZh: string;
  titleEn?: string | null;
  /** The Date scalar hands over a Date at UTC midnight. */
  heldOn: Date | string;
  cityCode: string;
  venue?: string | null;
  hosts: { id: string; province: Province }[];
  idempotencyKey?: string | null;
}

export interface PairingExceptionInput {
  agreementId: string;
  organizationId: string;
  countyCode?: string | null;
  prefectureCode?: string | null;
  reason: string;
}

type CeremonyContext = Pick<PairingContext, 'identity' | 'loaders' | 'peers'> & { ceremonies: CeremonyStore };

/**
 * Scheduling ceremonies and recording pairing exceptions: who may, what a valid request is,
 * and what kind of record it makes (a demo agreement's records are demo data; a real
 * agreement's never name demo organizations).
 */
export class CeremonyService {
  constructor(private readonly context: CeremonyContext) {}

  async scheduleCeremony(input: ScheduleCeremonyInput): Promise<CeremonyRow> {
    const { identity } = this.context;
    requireRole(identity, ['SHAANXI_OFFICE', 'JIANGSU_OFFICE'], 'schedule ceremonies');
    const agreement = await this.agreement(input.agreementId);
    const titleZh = cleanText(input.titleZh, { field: 'input.titleZh', max: 200 });
    const titleEn = cleanOptionalText(input.titleEn, { field: 'input.titleEn', max: 200 }) ?? null;
    const venue = cleanOptionalText(input.venue, { field: 'input.venue', max: 200 }) ?? null;
    const heldOn = dateOnly(input.heldOn);
    // The term is counted from the signing or, where the record does not give it, the first
    // ceremony: a ceremony dated before that would move the whole term (and its targets' years).
    const begins = termStart(agreement, await this.context.loaders.ceremoniesByAgreement.load(agreement.id));
    if (begins && heldOn < begins) {
      throw badInput('input.heldOn', `is ${heldOn}, before the agreement's term, which begins ${begins}`);
    }
    const cityNameZh = knownDivisions().cities.get(input.cityCode);
    if (!cityNameZh) {
      throw badInput('input.cityCode', `${JSON.stringify(input.cityCode)} is not a prefecture-level city of Shaanxi or Jiangsu`);
    }
    const hosts = await this.checkedHosts(input.hosts, agreement);
    const provenance = provenanceFollowing(agreement);
    const key = creationKey(input.idempotencyKey, {
      mutation: 'scheduleCeremony',
      agreementId: agreement.id,
      titleZh,
      titleEn,
      heldOn,
      cityCode: input.cityCode,
      venue,
      hosts: hosts.map((host) => `${host.province}:${host.organizationId}`).join(','),
    });
    const result = await this.context.ceremonies.insertCeremony(
      {
        agreementId: agreement.id,
        titleZh,
        titleEn,
        heldOn,
        cityCode: input.cityCode,
        cityNameZh,
        venue,
        // A new ceremony is held, not yet signed: nothing is declared until its package is.
        declaredProjectCount: 0,
        declaredTotalFen: 0n,
        lineByLine: 'IN_PACKAGE',
        scheduledByRole: identity.role,
        scheduledBySubject: identity.subject,
        ...provenance,
        ...key,
      },
      hosts,
    );
    if (result.type === 'key-reused') throw idempotencyKeyReused();
    this.context.loaders.ceremony.clear(result.row.id).prime(result.row.id, result.row);
    return result.row;
  }

  async recordPairingException(input: PairingExceptionInput): Promise<PairingExceptionRow> {
    const { identity } = this.context;
    requireRole(identity, ['SHAANXI_OFFICE', 'JIANGSU_OFFICE'], 'record pairing exceptions');
    const agreement = await this.agreement(input.agreementId);
    const countyCode = input.countyCode ?? null;
    const prefectureCode = input.prefectureCode ?? null;
    if ((countyCode === null) === (prefectureCode === null)) {
      throw userError(ErrorCode.BadUserInput, 'Give exactly one of input.countyCode and input.prefectureCode.', {
        field: countyCode === null ? 'input.countyCode' : 'input.prefectureCode',
      });
    }
    const divisions = knownDivisions();
    if (countyCode !== null && !divisions.shaanxiCounties.has(countyCode)) {
      throw badInput('input.countyCode', `${JSON.stringify(countyCode)} is not a Shaanxi county-level division`);
    }
    if (prefectureCode !== null && !divisions.shaanxiPrefectures.has(prefectureCode)) {
      throw badInput('input.prefectureCode', `${JSON.stringify(prefectureCode)} is not a Shaanxi prefecture-level city`);
    }
    const reason = cleanText(input.reason, { field: 'input.reason', max: 1000, multiline: true });
    const organization = isStorableKey(input.organizationId)
      ? (await organizationsOf(this.context.peers, 'JIANGSU', [input.organizationId])).get(input.organizationId)
      : undefined;
    if (!organization) {
      throw userError(ErrorCode.NotFound, `input.organizationId: no Jiangsu organization has id ${JSON.stringify(input.organizationId)}.`, {
        field: 'input.organizationId',
      });
    }
    if (!isDemo(agreement.provenanceKind) && isDemo(organization.provenance.kind)) {
      throw provenanceMismatch('input.organizationId', 'The organization is synthetic demo data and the agreement is a real record');
    }
    return this.context.ceremonies.insertPairingException({
      agreementId: agreement.id,
      organizationId: organization.id,
      countyCode,
      prefectureCode,
      reason,
      recordedByRole: identity.role,
      recordedBySubject: identity.subject,
      ...provenanceFollowing(agreement),
    });
  }

  private async agreement(id: string): Promise<AgreementRow> {
    const agreement = await this.context.loaders.agreement.load(id);
    if (!agreement) throw notFound('agreement', 'id', id);
    return agreement;
  }

  /**
   * At least one host, none named twice, each known to its province's subgraph (one query per
   * province), and none of them demo data at a real agreement's ceremony.
   */
  private async checkedHosts(hosts: ScheduleCeremonyInput['hosts'], agreement: AgreementRow) {
    if (hosts.length === 0) throw badInput('input.hosts', 'must name at least one organization');
    const seen = new Set<string>();
    hosts.forEach((host, index) => {
      const key = `${host.province}:${host.id}`;
      if (seen.has(key)) throw badInput(`input.hosts[${index}]`, `names ${host.id} a second time`);
      seen.add(key);
    });
    const idsOf = (province: Province) => hosts.filter((host) => host.province === province && isStorableKey(host.id)).map((host) => host.id);
    const [shaanxi, jiangsu] = await Promise.all([
      organizationsOf(this.context.peers, 'SHAANXI', idsOf('SHAANXI')),
      organizationsOf(this.context.peers, 'JIANGSU', idsOf('JIANGSU')),
    ]);
    return hosts.map((host, index) => {
      const found = (host.province === 'SHAANXI' ? shaanxi : jiangsu).get(host.id);
      const field = `input.hosts[${index}]`;
      if (!found) {
        throw userError(ErrorCode.NotFound, `${field}: no ${host.province === 'SHAANXI' ? 'Shaanxi' : 'Jiangsu'} organization has id ${JSON.stringify(host.id)}.`, {
          field,
        });
      }
      if (!isDemo(agreement.provenanceKind) && isDemo(found.provenance.kind)) {
        throw provenanceMismatch(field, 'The host is synthetic demo data and the agreement is a real record');
      }
      return { organizationId: found.id, province: host.province };
    });
  }
}

/** A record made under an agreement is of its kind: demo under the demo agreement, entered otherwise. */
function provenanceFollowing(agreement: AgreementRow): { provenanceKind: ProvenanceKind; sourceId: null; sourceDetail: string | null } {
  const provenanceKind = kindOfNewRecord(agreement.provenanceKind);
  return { provenanceKind, sourceId: null, sourceDetail: isDemo(provenanceKind) ? `under the demo agreement ${agreement.id}` : null };
}

/** The day as `YYYY-MM-DD`: the Date scalar has already refused anything that is not a real date. */
function dateOnly(value: Date | string): string {
  const day = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  const year = Number(day.slice(0, 4));
  if (year < 1990 || year > 2100) throw badInput('input.heldOn', `is in ${year}; a ceremony is held between 1990 and 2100`);
  return day;
}

function badInput(field: string, problem: string) {
  return userError(ErrorCode.BadUserInput, `${field} ${problem}.`, { field });
}

function provenanceMismatch(field: string, what: string) {
  return userError(ErrorCode.ProvenanceMismatch, `${field}: ${what}; demo and real records are not mixed.`, { field });
}
