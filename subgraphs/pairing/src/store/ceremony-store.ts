import { asc, inArray, sql } from 'drizzle-orm';
import { isStorableKey } from '@hub/common';
import { createOnce, queryRows, uniqueViolation, type CreateOnce, type Db, type KeyedValues } from '@hub/db';
import { ceremonies, ceremonyOrganizations, pairingExceptions, type Province } from '../db/schema.ts';
import type { CeremonyRow } from './pairing-store.ts';

export type PairingExceptionRow = typeof pairingExceptions.$inferSelect;
export type NewPairingException = Omit<typeof pairingExceptions.$inferInsert, 'id' | 'recordedAt'>;

/** A ceremony to schedule: everything but its id, which the store numbers. */
export type NewCeremony = Omit<typeof ceremonies.$inferInsert, 'id'> & KeyedValues;

const CEREMONY_PRIMARY_KEY = 'ceremony_pkey';
/** Two offices scheduling on one day in one city at one moment: each try numbers after the one that won. */
const NUMBERING_TRIES = 5;

/** All SQL of scheduling ceremonies and recording pairing exceptions. */
export class CeremonyStore {
  constructor(private readonly db: Db) {}

  /**
   * Inserts a ceremony with its hosts, in one transaction, as `<heldOn>-<cityCode>-<n>` (n
   * from 1 for each day and city). With an idempotency key it is made once (createOnce): a
   * retry gets the first ceremony back and adds no hosts.
   */
  async insertCeremony(
    values: NewCeremony,
    hosts: readonly { organizationId: string; province: Province }[],
  ): Promise<CreateOnce<CeremonyRow>> {
    const prefix = `${values.heldOn}-${values.cityCode}`;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.db.transaction(async (tx) => {
          const [last] = await queryRows<{ n: number | null }>(
            tx as unknown as Db,
            sql`select max(substring(id from '-([0-9]+)$')::int) as n from ${ceremonies} where id like ${`${prefix}-%`}`,
          );
          const id = `${prefix}-${Number(last?.n ?? 0) + 1}`;
          const created = await createOnce<CeremonyRow>(tx as unknown as Db, ceremonies, { ...values, id });
          if (created.type === 'created' && !created.replayed) {
            await tx.insert(ceremonyOrganizations).values(hosts.map((host) => ({ ceremonyId: id, ...host, role: 'HOST' as const })));
          }
          return created;
        });
      } catch (error) {
        if (uniqueViolation(error) !== CEREMONY_PRIMARY_KEY || attempt >= NUMBERING_TRIES) throw error;
      }
    }
  }

  async insertPairingException(values: NewPairingException): Promise<PairingExceptionRow> {
    const [row] = await this.db.insert(pairingExceptions).values(values).returning();
    return row!;
  }

  /** The exceptions recorded under each agreement, oldest first. */
  pairingExceptionsOfAgreements(agreementIds: readonly string[]): Promise<PairingExceptionRow[]> {
    const keys = agreementIds.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(pairingExceptions)
      .where(inArray(pairingExceptions.agreementId, keys))
      .orderBy(asc(pairingExceptions.recordedAt), asc(pairingExceptions.id));
  }
}
