/**
 * A dataset's Hugging Face Hub token (decision 048): saved, replaced or deleted by an owner, kept
 * sealed (AES-256-GCM, app/utils/secrets.server.ts), opened only to send it to the Hub. Pages see
 * whether one is saved, by whom and when — never the token.
 */
import { eq } from 'drizzle-orm'
import { users } from '#db/schema/accounts.ts'
import { datasetHubTokens } from '#db/schema/datasets.ts'
import { HubImportError } from '#app/domain/hub.ts'
import { db } from '#app/utils/db.server.ts'
import { openSecret, sealSecret, SecretsKeyMissingError, SecretUnreadableError } from '#app/utils/secrets.server.ts'
import { recordAudit } from './audit.server.ts'

const context = (datasetId: string) => `dataset-hub-token:${datasetId}`

/** Whether the dataset has a saved token, and who saved it when. */
export async function getHubTokenState(datasetId: string) {
	const [row] = await db
		.select({ updatedAt: datasetHubTokens.updatedAt, updatedBy: users.displayName })
		.from(datasetHubTokens)
		.leftJoin(users, eq(users.id, datasetHubTokens.updatedBy))
		.where(eq(datasetHubTokens.datasetId, datasetId))
	return row ? { saved: true as const, updatedAt: row.updatedAt, updatedBy: row.updatedBy ?? '' } : { saved: false as const }
}

/** Saves the token, replacing any earlier one (throws SecretsKeyMissingError when secrets cannot be stored here). */
export async function saveHubToken({ datasetId, token, actorId }: { datasetId: string; token: string; actorId: string }) {
	const { sealed, keyId } = sealSecret(token, context(datasetId))
	await db.transaction(async (tx) => {
		const [before] = await tx.select({ id: datasetHubTokens.datasetId }).from(datasetHubTokens).where(eq(datasetHubTokens.datasetId, datasetId)).for('update')
		await tx
			.insert(datasetHubTokens)
			.values({ datasetId, ciphertext: sealed, keyId, updatedBy: actorId })
			.onConflictDoUpdate({ target: datasetHubTokens.datasetId, set: { ciphertext: sealed, keyId, updatedBy: actorId, updatedAt: new Date() } })
		await recordAudit({ datasetId, actorId, action: before ? 'dataset.hub_token_replaced' : 'dataset.hub_token_saved', targetType: 'dataset' }, tx)
	})
}

export async function deleteHubToken({ datasetId, actorId }: { datasetId: string; actorId: string }): Promise<boolean> {
	return db.transaction(async (tx) => {
		const deleted = await tx.delete(datasetHubTokens).where(eq(datasetHubTokens.datasetId, datasetId)).returning({ id: datasetHubTokens.datasetId })
		if (deleted.length) await recordAudit({ datasetId, actorId, action: 'dataset.hub_token_deleted', targetType: 'dataset' }, tx)
		return deleted.length > 0
	})
}

/** The saved token in plain text, for a request to the Hub only; null when none is saved. */
export async function readHubToken(datasetId: string): Promise<string | null> {
	const [row] = await db.select({ ciphertext: datasetHubTokens.ciphertext, keyId: datasetHubTokens.keyId }).from(datasetHubTokens).where(eq(datasetHubTokens.datasetId, datasetId))
	if (!row) return null
	try {
		return openSecret(row.ciphertext, context(datasetId), row.keyId)
	} catch (error) {
		// A changed key, or (PostgreSQL in production) no key any more: the owner saves the token again.
		if (error instanceof SecretUnreadableError || error instanceof SecretsKeyMissingError)
			throw new HubImportError('token_unreadable', 'The saved Hub token cannot be read (the server’s SECRETS_KEY changed or was removed since it was saved). Save the token again.')
		throw error
	}
}
