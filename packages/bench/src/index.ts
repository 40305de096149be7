export {
  benchPlan,
  benchPlanName,
  benchPlanCounts,
  BENCH_DEFAULTS,
  BENCH_BATCH_SIZE,
  type BenchPlan,
  type BenchOptions,
  type BenchProject,
  type BenchCeremony,
} from './plan.ts';
export { loadBenchPlan, type SubgraphDbs } from './load.ts';
