import { describe, expect, it } from 'vitest';
import { HttpRejection } from '@hub/server';
import { pipelineFilterOf } from './filter.ts';

const filterOf = (query: string) => pipelineFilterOf(new URLSearchParams(query));
const refusal = (query: string) => {
  try {
    filterOf(query);
  } catch (error) {
    if (error instanceof HttpRejection) return { status: error.status, code: error.code, ...error.extensions };
    throw error;
  }
  throw new Error(`${query} was accepted`);
};

describe('the pipeline filter of a download', () => {
  it('leaves synthetic demo data out unless `provenance` names it', () => {
    expect(filterOf('')).toEqual({ provenance: ['PUBLIC_RECORD', 'ENTERED'] });
    expect(filterOf('provenance=SYNTHETIC_DEMO').provenance).toEqual(['SYNTHETIC_DEMO']);
  });

  it('reads every filter of the graph’s pipeline, lists comma-separated or repeated', () => {
    expect(filterOf('stage=SIGNED,IMPLEMENTING&stage=SIGNED&county=610927&prefecture=610900&field=EDUCATION&organization=js-x&year=2018&provenance=ENTERED')).toEqual({
      stages: ['SIGNED', 'IMPLEMENTING'],
      countyCode: '610927',
      prefectureCode: '610900',
      field: 'EDUCATION',
      organizationId: 'js-x',
      year: 2018,
      provenance: ['ENTERED'],
    });
  });

  it('refuses an unknown parameter or value with a 400 naming it', () => {
    expect(refusal('page=2')).toEqual({ status: 400, code: 'UNKNOWN_PARAMETER', parameter: 'page' });
    expect(refusal('stage=signed')).toEqual({ status: 400, code: 'INVALID_PARAMETER', parameter: 'stage' });
    expect(refusal('stage=')).toEqual({ status: 400, code: 'INVALID_PARAMETER', parameter: 'stage' });
    expect(refusal('county=61092x')).toEqual({ status: 400, code: 'INVALID_PARAMETER', parameter: 'county' });
    expect(refusal('year=18')).toEqual({ status: 400, code: 'INVALID_PARAMETER', parameter: 'year' });
    expect(refusal('field=EDUCATION&field=TALENT')).toEqual({ status: 400, code: 'INVALID_PARAMETER', parameter: 'field' });
  });
});
