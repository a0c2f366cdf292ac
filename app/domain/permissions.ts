/**
 * The one permission map: what each role may do on a dataset. Pages and queries ask for a
 * capability, never for a role, so "what may a maintainer do?" is answered here alone.
 */
import { type DatasetRole } from '#app/domain/enums.ts'

export type DatasetCapability =
	| 'view'
	| 'edit'
	| 'manage_team'
	| 'manage_versions'
	| 'import'
	| 'triage'
	| 'approve'
	/** Approve despite open blocking issues, with a written justification. Owners only. */
	| 'override_gate'
	| 'view_audit'
	/** Save, replace or delete the dataset's Hugging Face Hub token (decision 048). Owners only. */
	| 'manage_hub_token'

export const datasetCapabilities: Record<DatasetRole, ReadonlySet<DatasetCapability>> = {
	owner: new Set(['view', 'edit', 'manage_team', 'manage_versions', 'import', 'triage', 'approve', 'override_gate', 'view_audit', 'manage_hub_token']),
	maintainer: new Set(['view', 'edit', 'manage_versions', 'import', 'triage', 'approve', 'view_audit']),
}

export function can(role: DatasetRole | null | undefined, capability: DatasetCapability): boolean {
	return !!role && datasetCapabilities[role].has(capability)
}
