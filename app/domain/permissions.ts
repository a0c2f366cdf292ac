/**
 * The one permission map: what each role may do on a dataset. Pages and queries ask for a
 * capability, never for a role, so "what may a maintainer do?" is answered here alone.
 */
export type DatasetRole = 'owner' | 'maintainer'

export type DatasetCapability =
	| 'view'
	| 'edit'
	| 'manage_team'
	| 'manage_versions'
	| 'import'
	| 'triage'
	| 'approve'

export const datasetCapabilities: Record<DatasetRole, ReadonlySet<DatasetCapability>> = {
	owner: new Set(['view', 'edit', 'manage_team', 'manage_versions', 'import', 'triage', 'approve']),
	maintainer: new Set(['view', 'edit', 'manage_versions', 'import', 'triage', 'approve']),
}

export function can(role: DatasetRole | null | undefined, capability: DatasetCapability): boolean {
	return !!role && datasetCapabilities[role].has(capability)
}
