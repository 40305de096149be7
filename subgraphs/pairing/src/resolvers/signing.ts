import type { PairingContext } from '../loaders.ts';
import { SigningService, type SignPackageInput } from '../signing-service.ts';

export const signingMutations = {
  async signCeremonyPackage(_: unknown, { input }: { input: SignPackageInput }, context: PairingContext) {
    const signed = await SigningService.forRequest(context).sign(context.identity, input);
    context.loaders.packagesByCeremony.clear(signed.ceremonyId);
    context.loaders.signingByPackage.clear(signed.id);
    return signed;
  },
};
