import { describe, expect, it } from 'vitest';
import { ROLES } from '@hub/common';
import { STAGES } from './db/schema.ts';
import { allowedMove, iatiActivityStatus, TRANSITIONS } from './pipeline.ts';

/**
 * The moves the domain allows (DESIGN.md, README "The pipeline and the money"), written out here
 * rather than read from `TRANSITIONS`: "from to roles", S the Shaanxi office, J the Jiangsu office.
 * A PROPOSED need is the Shaanxi office's draft, so every move of it is the office's alone
 * (docs/decisions/0016-draft-needs.md). A suspended project's resumption depends on where it
 * was and is tested on its own.
 */
const DOMAIN_MOVES = `
  PROPOSED PUBLISHED S     PROPOSED SUSPENDED S       PROPOSED CANCELLED S
  PUBLISHED MATCHED SJ     PUBLISHED SUSPENDED SJ     PUBLISHED CANCELLED SJ
  MATCHED SCHEDULED SJ     MATCHED PUBLISHED SJ       MATCHED SUSPENDED SJ      MATCHED CANCELLED SJ
  SCHEDULED SIGNED SJ      SCHEDULED SUSPENDED SJ     SCHEDULED CANCELLED SJ
  SIGNED IMPLEMENTING SJ   SIGNED SUSPENDED SJ        SIGNED CANCELLED SJ
  IMPLEMENTING COMPLETED SJ  IMPLEMENTING SUSPENDED SJ  IMPLEMENTING CANCELLED SJ
  COMPLETED EVALUATED SJ
  SUSPENDED CANCELLED SJ
`;
const ROLE_LETTER: Record<string, string> = { S: 'SHAANXI_OFFICE', J: 'JIANGSU_OFFICE' };
const words = DOMAIN_MOVES.trim().split(/\s+/);
const expected = new Map<string, string[]>();
for (let i = 0; i < words.length; i += 3) {
  expected.set(`${words[i]} ${words[i + 1]}`, [...words[i + 2]!].map((letter) => ROLE_LETTER[letter]!));
}

describe('pipeline rules', () => {
  it('allows exactly the moves of the domain, each to exactly its roles', () => {
    expect(expected.size).toBe(21);
    for (const from of STAGES) {
      for (const to of STAGES) {
        const roles = expected.get(`${from} ${to}`);
        for (const role of ROLES) {
          const check = allowedMove(from, to, role, null);
          const want = !roles ? 'illegal' : roles.includes(role) ? 'allowed' : 'forbidden';
          expect(check.type, `${from} → ${to} by ${role}`).toBe(want);
        }
      }
    }
  });

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

  it('leaves a draft suspended before publication to the Shaanxi office alone: resumed or cancelled', () => {
    for (const to of ['PROPOSED', 'CANCELLED'] as const) {
      expect(allowedMove('SUSPENDED', to, 'SHAANXI_OFFICE', 'PROPOSED'), to).toEqual({ type: 'allowed' });
      expect(allowedMove('SUSPENDED', to, 'JIANGSU_OFFICE', 'PROPOSED').type, to).toBe('forbidden');
    }
    expect(allowedMove('SUSPENDED', 'CANCELLED', 'JIANGSU_OFFICE', 'PUBLISHED')).toEqual({ type: 'allowed' });
    expect(allowedMove('SUSPENDED', 'PUBLISHED', 'SHAANXI_OFFICE', 'PROPOSED')).toMatchObject({ type: 'illegal', allowed: ['CANCELLED', 'PROPOSED'] });
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
