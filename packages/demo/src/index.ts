export { DEMO_SEED_NAME } from './seed-name.ts';
export { demoPlan, pairingExceptionsOf, DEMO_STAGES, MAX_DEMO_SCALE, type DemoPlan, type DemoProject, type DemoOrganization, type DemoGivingProfile, type DemoEvent, type DemoPackage, type DemoPackageLine, type DemoCeremony, type DemoTarget } from './plan.ts';
