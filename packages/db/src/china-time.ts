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

/** Today's date in China. */
export function chinaToday(): SQL<string> {
  return sql<string>`((now() at time zone 'UTC') + interval '8 hours')::date`;
}
