import { describe, expect, it } from 'vitest';
import { STAGES } from './db/schema.ts';
import { allowedMove, iatiActivityStatus, TRANSITIONS } from './pipeline.ts';

describe('pipeline rules', () => {
  it('lets only the Shaanxi office publish a need', () => {
    expect(allowedMove('PROPOSED', 'PUBLISHED', 'SHAANXI_OFFICE', null)).toEqual({ type: 'allowed' });
    expect(allowedMove('PROPOSED', 'PUBLISHED', 'JIANGSU_OFFICE', null).type).toBe('forbidden');
  });

  it('refuses skipping stages and leaving final stages', () => {
    expect(allowedMove('PUBLISHED', 'SIGNED', 'SHAANXI_OFFICE', null)).toMatchObject({ type: 'illegal', allowed: ['MATCHED', 'SUSPENDED', 'CANCELLED'] });
    expect(allowedMove('CANCELLED', 'PUBLISHED', 'SHAANXI_OFFICE', null).type).toBe('illegal');
    expect(allowedMove('EVALUATED', 'CANCELLED', 'SHAANXI_OFFICE', null).type).toBe('illegal');
  });

  it('resumes a suspended project only to the stage it was suspended from', () => {
    expect(allowedMove('SUSPENDED', 'IMPLEMENTING', 'JIANGSU_OFFICE', 'IMPLEMENTING')).toEqual({ type: 'allowed' });
    expect(allowedMove('SUSPENDED', 'SIGNED', 'JIANGSU_OFFICE', 'IMPLEMENTING').type).toBe('illegal');
  });

  it('never lets a foundation member or the public move a project', () => {
    for (const from of STAGES) {
      for (const to of Object.keys(TRANSITIONS[from])) {
        expect(TRANSITIONS[from][to as keyof (typeof TRANSITIONS)[typeof from]]).not.toContain('FOUNDATION_MEMBER');
        expect(TRANSITIONS[from][to as keyof (typeof TRANSITIONS)[typeof from]]).not.toContain('PUBLIC');
      }
    }
  });

  it('maps every stage to an IATI activity status', () => {
    expect(STAGES.map(iatiActivityStatus)).toEqual([1, 1, 1, 1, 2, 2, 3, 4, 6, 5]);
  });
});
