/**
 * The seed-log entry each subgraph writes when it loads its part of the synthetic demo data.
 * One name for all three: the start-up check that refuses to hide demo data already loaded
 * (DEMO_DATA=false) looks for exactly this entry, so a name of its own in one subgraph would
 * silently switch that check off there.
 */
export const DEMO_SEED_NAME = 'synthetic-demo-v1';
