import type { JiangsuContext } from '../loaders.ts';
import { recordPackageCommitments, type PackageCommitmentsInput } from '../package-commitments.ts';

/** The pairing subgraph's service-only mutation for signing a package (docs/decisions/0023). */
export const packageCommitmentMutations = {
  recordPackageCommitments: (_: unknown, { input }: { input: PackageCommitmentsInput }, context: JiangsuContext) =>
    recordPackageCommitments(context, input),
};
