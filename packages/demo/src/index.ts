export { DEMO_SEED_NAME } from './seed-name.ts';
export { demoPlan, DEMO_STAGES, type DemoPlan, type DemoProject, type DemoOrganization, type DemoEvent, type DemoPackage, type DemoPackageLine, type DemoCeremony, type DemoTarget } from './plan.ts';
