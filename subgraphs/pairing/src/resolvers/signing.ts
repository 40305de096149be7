import { DEFAULT_REQUEST_TIMEOUT_MS } from '@hub/server';
import type { PairingContext } from '../loaders.ts';
import { SigningService, type SignPackageInput } from '../signing-service.ts';

export const signingMutations = {
  async signCeremonyPackage(_: unknown, { input }: { input: SignPackageInput }, context: PairingContext) {
    const signed = await signingServiceFor(context).sign(context.identity, input);
    context.loaders.packagesByCeremony.clear(signed.ceremonyId);
    context.loaders.signingByPackage.clear(signed.id);
    return signed;
  },
};

/** The signing service of a request, with the claim length and wake-up of this process's recovery. */
function signingServiceFor({ packages, signing, peers, signingRecovery }: PairingContext): SigningService {
  return new SigningService({
    packages,
    signing,
    peers,
    // Without a recovery in this process, the claim a request takes lasts as one the default settings make.
    claimMs: signingRecovery?.claimMs ?? 2 * DEFAULT_REQUEST_TIMEOUT_MS,
    onPending: () => signingRecovery?.wake(),
  });
}
