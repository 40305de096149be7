import { notFound, type Identity } from '@hub/common';
import type { PairingContext } from './loaders.ts';
import type { PackageLineRow, PackageRow } from './store/package-store.ts';

/**
 * Whether `identity` may read a package: a signed one is public; one not yet signed is shown
 * to the two offices (and the hub's own services) and to members of an organization that
 * signs one of its lines, on either side.
 */
export function seesPackage(identity: Identity, pkg: Pick<PackageRow, 'status'>, lines: readonly Pick<PackageLineRow, 'jiangsuOrganizationId' | 'shaanxiSignatoryId'>[]): boolean {
  if (pkg.status === 'SIGNED') return true;
  if (identity.role === 'SHAANXI_OFFICE' || identity.role === 'JIANGSU_OFFICE' || identity.role === 'SERVICE') return true;
  const member = identity.role === 'FOUNDATION_MEMBER' ? identity.organizationId : null;
  return member !== null && lines.some((line) => line.jiangsuOrganizationId === member || line.shaanxiSignatoryId === member);
}

/** A ceremony's package versions the caller may see, oldest first. */
export async function visiblePackages(ceremonyId: string, { identity, loaders }: Pick<PairingContext, 'identity' | 'loaders'>): Promise<PackageRow[]> {
  const rows = await loaders.packagesByCeremony.load(ceremonyId);
  const lines = await loaders.linesByPackage.loadMany(rows.map((row) => row.id));
  return rows.filter((row, index) => {
    const found = lines[index];
    return Array.isArray(found) && seesPackage(identity, row, found);
  });
}

/** One version, or the latest the caller may see; NOT_FOUND when there is none it may see. */
export async function packageForCaller(
  ceremonyId: string,
  version: number | null,
  context: Pick<PairingContext, 'identity' | 'loaders'>,
): Promise<PackageRow> {
  if (!(await context.loaders.ceremony.load(ceremonyId))) throw notFound('ceremony', 'id', ceremonyId);
  const visible = await visiblePackages(ceremonyId, context);
  const found = version === null ? visible.at(-1) : visible.find((row) => row.version === version);
  if (!found) throw notFound('ceremony package', 'version', version === null ? 'latest' : String(version));
  return found;
}

/** The package that stands: the latest signed, signing or final version the caller may see. */
export async function currentPackage(ceremonyId: string, context: Pick<PairingContext, 'identity' | 'loaders'>): Promise<PackageRow | null> {
  const visible = await visiblePackages(ceremonyId, context);
  return visible.filter((row) => row.status === 'SIGNED' || row.status === 'SIGNING' || row.status === 'FINAL').at(-1) ?? null;
}

/** Where a package past DRAFT is served as a PDF. */
export function pdfPathOf(pkg: Pick<PackageRow, 'ceremonyId' | 'version' | 'status'>): string | null {
  return pkg.status === 'DRAFT' ? null : `/ceremonies/${encodeURIComponent(pkg.ceremonyId)}/packages/${pkg.version}.pdf`;
}
