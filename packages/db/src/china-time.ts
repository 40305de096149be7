import { sql, type SQL } from 'drizzle-orm';

/*
 * Dates as the two provinces keep them: China Standard Time, UTC+8 all year. The offset is
 * added to the UTC time rather than trusting the server's time-zone names, so PGlite and a
 * Postgres server without time-zone data agree.
 */

/** The calendar year of a timestamp in China. */
export function chinaYear(timestamp: SQL | { getSQL(): SQL }): SQL<number> {
  return sql<number>`extract(year from (${timestamp} at time zone 'UTC') + interval '8 hours')::int`;
}

/** The date in China (YYYY-MM-DD) at a moment, in milliseconds since the epoch; now by default. */
export function chinaDate(at: number = Date.now()): string {
  return new Date(at + 8 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

/** Today's date in China. */
export function chinaToday(): SQL<string> {
  return sql<string>`((now() at time zone 'UTC') + interval '8 hours')::date`;
}
