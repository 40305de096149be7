import { ErrorCode, notFound, userError, versionConflict } from '@hub/common';
import type { OrganizationWrite } from '@hub/db';

/** Turns a versioned update's outcome into the row or the caller's error. */
export function unwrapUpdate<Row>(
  result: OrganizationWrite<Row>,
  entity: { name: string; id: string; expectedVersion: number },
): Row {
  switch (result.type) {
    case 'updated':
      return result.row;
    case 'not-found':
      throw notFound(entity.name, 'id', entity.id);
    case 'version-conflict':
      throw versionConflict(entity.name, entity.expectedVersion, result.currentVersion);
    case 'duplicate-uscc':
      throw duplicateUscc();
  }
}

export function duplicateUscc() {
  return userError(ErrorCode.AlreadyExists, 'Another organization already has this Unified Social Credit Code.', {
    field: 'input.unifiedSocialCreditCode',
  });
}
