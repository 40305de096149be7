import { describe, expect, it } from 'vitest';
import { checkStatedCriteria } from '@hub/common';
import { demoPlan, DEMO_PREFECTURE, DEMO_STAGES } from './plan.ts';

describe('the demo plan', () => {
  const plan = demoPlan();

  it('is the same every time, so each subgraph seeds its part of one story', () => {
    expect(demoPlan()).toEqual(plan);
  });

  it('has projects at every stage and money in every state, within the ledger rules', () => {
    for (const stage of DEMO_STAGES) expect(plan.projects.some((p) => p.stage === stage)).toBe(true);
    for (const project of plan.projects) {
      expect(project.disbursedFen).toBeLessThanOrEqual(project.committedFen);
      expect(project.spentFen).toBeLessThanOrEqual(project.receivedFen);
      expect(project.receivedFen).toBeGreaterThanOrEqual(0n);
      if (project.stage === 'CANCELLED') expect(project.committedFen).toBe(0n);
      expect(project.events.at(-1)?.to ?? 'PROPOSED').toBe(project.stage);
    }
    expect(plan.projects.filter((p) => p.mismatch)).toHaveLength(1);
    expect(plan.projects.some((p) => p.disbursedFen > 0n && p.disbursedFen < p.committedFen)).toBe(true);
  });

  it('has a project at every stage in 安康 (610900), the one whose books disagree among them', () => {
    const ankang = plan.projects.filter((p) => p.prefectureCode === '610900');
    expect(DEMO_PREFECTURE).toBe('610900');
    for (const stage of DEMO_STAGES) expect(ankang.some((p) => p.stage === stage), stage).toBe(true);
    expect(ankang.filter((p) => p.mismatch)).toHaveLength(1);
    expect(ankang.find((p) => p.stage === 'IMPLEMENTING')?.countyCode).toMatch(/^6109\d\d$/);
  });

  it('tells one story in time: every project scheduled before its ceremony, the signed ones signed on the first ceremony\'s day', () => {
    for (const project of plan.projects) {
      const at = (stage: string) => project.events.find((event) => event.to === stage)?.at;
      const scheduled = at('SCHEDULED');
      const signed = at('SIGNED');
      if (scheduled) expect(scheduled.getTime()).toBeLessThan(Date.parse('2019-06-18T02:00:00Z'));
      if (signed) expect(signed.toISOString()).toBe('2019-06-18T02:00:00.000Z');
      for (let i = 1; i < project.events.length; i += 1) expect(project.events[i]!.at > project.events[i - 1]!.at).toBe(true);
    }
  });

  it('gives each demo foundation one giving profile that a member could have set', () => {
    expect(plan.givingProfiles.map((p) => p.organizationId).sort()).toEqual(plan.organizations.map((o) => o.id).sort());
    const money = (fen: bigint | null) => (fen === null ? null : { fen: Number(fen), currency: 'CNY' as const });
    for (const profile of plan.givingProfiles) {
      // The checks setting a profile makes of what it states; each throws naming the profile's field.
      const field = (name: string) => `${profile.organizationId}.${name}`;
      const checked = checkStatedCriteria(
        {
          fields: profile.fields,
          prefectureCodes: profile.preferredPrefectureCodes,
          countyCodes: profile.preferredCountyCodes,
          yearlyBudget: money(profile.yearlyBudgetFen),
          smallestGrant: money(profile.smallestGrantFen),
          largestGrant: money(profile.largestGrantFen),
          reportingLanguages: profile.reportingLanguages,
        },
        {
          fields: field('fields'),
          prefectureCodes: field('preferredPrefectureCodes'),
          countyCodes: field('preferredCountyCodes'),
          yearlyBudget: field('yearlyBudget'),
          smallestGrant: field('smallestGrant'),
          largestGrant: field('largestGrant'),
          reportingLanguages: field('reportingLanguages'),
        },
      );
      // And what it keeps is what the demo states, amounts to the fen.
      expect(checked).toEqual({
        fields: profile.fields,
        prefectureCodes: profile.preferredPrefectureCodes,
        countyCodes: profile.preferredCountyCodes,
        yearlyBudgetFen: profile.yearlyBudgetFen,
        smallestGrantFen: profile.smallestGrantFen,
        largestGrantFen: profile.largestGrantFen,
        reportingLanguages: profile.reportingLanguages,
      });
    }
    // Two public, one private, so matching shows both (docs/decisions/0026-matching.md).
    expect(plan.givingProfiles.filter((p) => p.public)).toHaveLength(2);
  });

  it('says it is a demo in every name', () => {
    for (const name of [...plan.organizations.map((o) => o.nameZh), ...plan.projects.map((p) => p.titleZh), plan.ceremony.titleZh, plan.nextCeremony.titleZh, plan.agreement.titleZh, ...plan.shaanxiOrganizations.map((o) => o.nameZh)]) {
      expect(name).toMatch(/演示/);
    }
  });
});
