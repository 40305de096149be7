import { describe, expect, it } from 'vitest';
import { addReads, noReads, noteRowsRead, noteTableRead } from './deadline.ts';

const SCHEMAS = new Set(['jiangsu']);

describe('the tables a request read', () => {
  it('keeps the keys of a table read only by key, until it is read whole or by another column', () => {
    const reads = noReads(SCHEMAS);
    noteRowsRead(reads, 'jiangsu.funding_year_sum', 'project_id', ['p1', 'p2']);
    noteRowsRead(reads, 'jiangsu.funding_year_sum', 'project_id', ['p3']);
    expect(reads.rows.get('jiangsu.funding_year_sum')).toEqual({ column: 'project_id', keys: new Set(['p1', 'p2', 'p3']) });
    expect(reads.tables.size).toBe(0);

    noteRowsRead(reads, 'jiangsu.funding_year_sum', 'organization_id', ['o1']);
    expect(reads.rows.size).toBe(0);
    expect([...reads.tables]).toEqual(['jiangsu.funding_year_sum']);

    const whole = noReads(SCHEMAS);
    noteRowsRead(whole, 'jiangsu.funding_entry', 'project_id', ['p1']);
    noteTableRead(whole, 'jiangsu.funding_entry');
    noteRowsRead(whole, 'jiangsu.funding_entry', 'project_id', ['p2']);
    expect(whole.rows.size).toBe(0);
    expect([...whole.tables]).toEqual(['jiangsu.funding_entry']);
  });

  it('keeps no keys where they are not wanted: a table read by key counts as read whole', () => {
    const byTable = noReads(SCHEMAS, false);
    noteRowsRead(byTable, 'jiangsu.funding_year_sum', 'project_id', ['p1', 'p2']);
    expect(byTable.rows.size).toBe(0);
    expect([...byTable.tables]).toEqual(['jiangsu.funding_year_sum']);

    // What another request read, added: its keys are not kept either.
    const theirs = noReads(SCHEMAS);
    noteRowsRead(theirs, 'jiangsu.funding_entry', 'project_id', ['p3']);
    addReads(byTable, theirs);
    expect(byTable.rows.size).toBe(0);
    expect([...byTable.tables].sort()).toEqual(['jiangsu.funding_entry', 'jiangsu.funding_year_sum']);
  });
});
