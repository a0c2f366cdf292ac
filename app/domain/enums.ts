/**
 * The closed vocabularies Roundtable stores, each with its type. db/schema takes its column types
 * from here (never the reverse), so rules, forms and pages share one list and need no casts.
 * The order of a list is the order forms and the API document offer it in.
 * Queue states of the jobs (e-mail, webhook delivery, idempotency) stay beside their tables.
 */

// The interface languages (users.preferred_language, invitations.language); app/utils/i18n.ts loads them.
/** The interface's languages (BCP 47), in the switcher's order: the first four, then the six of issue #25. */
export const supportedLanguages = ['en', 'es', 'fr', 'ar', 'hi', 'ur', 'sw', 'zh-Hans', 'id', 'pt-BR'] as const

// Datasets and their team
export const datasetRoles = ['owner', 'maintainer'] as const
export type DatasetRole = (typeof datasetRoles)[number]
export const teamInvitationStatuses = ['pending', 'accepted', 'revoked'] as const
export const pipelineStages = ['training', 'fine_tuning', 'evaluation', 'scoring'] as const
export type PipelineStage = (typeof pipelineStages)[number]

// Versions and their imports
// 'blocked': was approved (or released), then a blocking issue arrived; stays so until re-approved (decision 029).
export const versionStatuses = ['draft', 'in_consultation', 'approved', 'blocked', 'released', 'archived'] as const
export type VersionStatus = (typeof versionStatuses)[number]
export const generationMethods = ['paraphrase', 'templates', 'persona_simulation', 'other'] as const
export type GenerationMethod = (typeof generationMethods)[number]
export const importStatuses = ['running', 'succeeded', 'failed'] as const
export type ImportStatus = (typeof importStatuses)[number]
export const importFormats = ['jsonl', 'csv'] as const

// Rounds and who takes part
export const roundStages = ['generation', 'validation'] as const
export type RoundStage = (typeof roundStages)[number]
export const roundStatuses = ['draft', 'open', 'closed'] as const
export type RoundStatus = (typeof roundStatuses)[number]
export const selectionModes = ['all', 'random', 'stratified', 'signals', 'manual'] as const
export type SelectionMode = (typeof selectionModes)[number]
export const participantRoles = ['community', 'expert'] as const
export type ParticipantRole = (typeof participantRoles)[number]
export const invitationStatuses = ['pending', 'accepted', 'revoked'] as const

// Reviews, flags and use-case comments
export const verdicts = ['no_concerns', 'flagged', 'skipped'] as const
export const flagKinds = ['flag', 'comment'] as const
export const flagCategories = ['caricature', 'stereotype', 'misrepresentation', 'erasure', 'demeaning', 'cultural_default', 'privacy', 'other'] as const
export type FlagCategory = (typeof flagCategories)[number]
export const severities = ['minor', 'major', 'critical'] as const
export type Severity = (typeof severities)[number]
export const templateTargets = ['prompt_templates', 'persona_definitions'] as const
export type TemplateTarget = (typeof templateTargets)[number]
export const stances = ['supportive', 'concerned', 'opposed', 'question'] as const
export type Stance = (typeof stances)[number]

// Issues
export const issueKinds = ['sample', 'template', 'use_case'] as const
export type IssueKind = (typeof issueKinds)[number]
export const issueStatuses = ['open', 'acknowledged', 'resolved'] as const
export type IssueStatus = (typeof issueStatuses)[number]
// Which of these fit which kind of issue is app/domain/issue.ts's `resolutionsFor`.
export const resolutions = ['removed', 'regenerated', 'documented', 'not_an_issue', 'use_case_revised', 'use_case_narrowed'] as const
export type Resolution = (typeof resolutions)[number]
export const blockingReasons = ['critical', 'threshold', 'expert', 'opposed', 'owner'] as const
export type BlockingReason = (typeof blockingReasons)[number]
export const issueEventKinds = [
	'created',
	'feedback_changed',
	'blocking_changed',
	'acknowledged',
	'assigned',
	'marked_blocking',
	'resolved',
	'reopened',
	'responded',
	'noted',
	'carried_over',
	'needs_re_review',
] as const

// Webhooks
export const webhookEvents = ['version.status_changed', 'issue.created', 'issue.status_changed', 'round.closed'] as const
