export { demoPlan, DEMO_STAGES, type DemoPlan, type DemoProject, type DemoOrganization, type DemoEvent } from './plan.ts';
