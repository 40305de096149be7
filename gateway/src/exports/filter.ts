import { PROJECT_FIELDS, PROJECT_STAGES, type ProjectField, type ProjectStage, type ProvenanceKind } from '@hub/common';
import { HttpRejection } from '@hub/server';

/** The graph's `PipelineFilter`, as an export asks for it. */
export interface PipelineFilterInput {
  stages?: ProjectStage[];
  countyCode?: string;
  prefectureCode?: string;
  field?: ProjectField;
  organizationId?: string;
  year?: number;
  provenance: ProvenanceKind[];
}

const PROVENANCE_KINDS: readonly ProvenanceKind[] = ['PUBLIC_RECORD', 'ENTERED', 'SYNTHETIC_DEMO'];
/** Real records only, unless the caller asks for the synthetic demo data by name. */
export const REAL_RECORDS: readonly ProvenanceKind[] = ['PUBLIC_RECORD', 'ENTERED'];

/** A query parameter an export does not know. */
export const UNKNOWN_PARAMETER = 'UNKNOWN_PARAMETER';
/** A query parameter with a value it cannot take. */
export const INVALID_PARAMETER = 'INVALID_PARAMETER';

/** The query parameters of the pipeline's exports, each as the graph's filter names it. */
export const PIPELINE_PARAMETERS = ['stage', 'county', 'prefecture', 'field', 'organization', 'year', 'provenance'] as const;

/**
 * Reads the pipeline filter from a download's query string: `stage`, `provenance` (each a
 * comma-separated list, or repeated), `county`, `prefecture` (GB/T 2260 codes), `field`,
 * `organization`, `year`. Leaving out `provenance` leaves out synthetic demo data. Anything
 * else, or a value the graph's filter cannot take, is a 400 naming the parameter.
 */
export function pipelineFilterOf(search: URLSearchParams, allowed: readonly string[] = PIPELINE_PARAMETERS): PipelineFilterInput {
  refuseUnknown(search, allowed);
  const filter: PipelineFilterInput = { provenance: [...REAL_RECORDS] };
  const stages = listOf(search, 'stage');
  if (stages) filter.stages = stages.map((stage) => oneOf('stage', stage, PROJECT_STAGES));
  const provenance = listOf(search, 'provenance');
  if (provenance) filter.provenance = provenance.map((kind) => oneOf('provenance', kind, PROVENANCE_KINDS));
  const county = single(search, 'county');
  if (county !== null) filter.countyCode = divisionCode('county', county);
  const prefecture = single(search, 'prefecture');
  if (prefecture !== null) filter.prefectureCode = divisionCode('prefecture', prefecture);
  const field = single(search, 'field');
  if (field !== null) filter.field = oneOf('field', field, PROJECT_FIELDS);
  const organization = single(search, 'organization');
  if (organization !== null) {
    if (organization.length === 0 || organization.length > 100) throw invalid('organization', 'is an organization id of 1 to 100 characters');
    filter.organizationId = organization;
  }
  const year = single(search, 'year');
  if (year !== null) {
    if (!/^\d{4}$/.test(year)) throw invalid('year', 'is a year of four digits, e.g. 2018');
    filter.year = Number(year);
  }
  return filter;
}

export function refuseUnknown(search: URLSearchParams, allowed: readonly string[]): void {
  for (const name of new Set(search.keys())) {
    if (!allowed.includes(name)) {
      throw new HttpRejection(
        400,
        UNKNOWN_PARAMETER,
        allowed.length === 0
          ? `This download takes no query parameter; "${name}" was given.`
          : `This download takes no parameter "${name}"; it takes ${allowed.map((known) => `"${known}"`).join(', ')}.`,
        {},
        { parameter: name },
      );
    }
  }
}

export function invalid(parameter: string, what: string): HttpRejection {
  return new HttpRejection(400, INVALID_PARAMETER, `The parameter "${parameter}" ${what}.`, {}, { parameter });
}

function listOf(search: URLSearchParams, name: string): string[] | null {
  const given = search.getAll(name);
  if (given.length === 0) return null;
  const values = given.flatMap((value) => value.split(',')).map((value) => value.trim());
  if (values.some((value) => value === '')) throw invalid(name, 'is a comma-separated list with no empty item');
  return [...new Set(values)];
}

function single(search: URLSearchParams, name: string): string | null {
  const given = search.getAll(name);
  if (given.length > 1) throw invalid(name, 'is given once');
  return given[0] ?? null;
}

function oneOf<T extends string>(parameter: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw invalid(parameter, `takes ${allowed.join(', ')}; got "${value.slice(0, 40)}"`);
}

function divisionCode(parameter: string, value: string): string {
  if (!/^\d{6}$/.test(value)) throw invalid(parameter, `is a six-digit GB/T 2260 division code, e.g. 610927; got "${value.slice(0, 40)}"`);
  return value;
}
