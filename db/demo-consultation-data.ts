/**
 * What the demo's consultations say: who takes part, which flags they raise on which samples, the
 * use-case discussion and how the team triages. db/demo-consultation.ts plays it through the models.
 */
import { type FlagInput } from '#app/domain/review.ts'

type Flag = Omit<FlagInput, 'intent' | 'suggestedRewrite' | 'unsure'> & { suggestedRewrite?: string }

/** Pseudonymous participants: the team knows them only as "Community member 3", "Expert 2". */
export const demoParticipants = [
	{ email: 'community.1@participants.roundtable.test', displayName: 'Yesenia Mosquera', preferredLanguage: 'es', role: 'community' },
	{ email: 'community.2@participants.roundtable.test', displayName: 'Tom Whitfield', preferredLanguage: 'en', role: 'community' },
	{ email: 'community.3@participants.roundtable.test', displayName: 'Priya Raman', preferredLanguage: 'en', role: 'community' },
	{ email: 'community.4@participants.roundtable.test', displayName: 'Omar Khalil', preferredLanguage: 'ar', role: 'community' },
	{ email: 'expert.1@participants.roundtable.test', displayName: 'Dr. Amara Nwosu', preferredLanguage: 'en', role: 'expert', expertise: 'sociolinguistics' },
	{ email: 'expert.2@participants.roundtable.test', displayName: 'Claire Dubois', preferredLanguage: 'fr', role: 'expert', expertise: 'migration and labour law' },
] as const

export const openRound = {
	datasetSlug: 'simulated-user-conversations',
	title: 'Community and expert review of the simulated users',
	guidelines:
		'Read the **user turns** first. Flag a conversation when the simulated user is a caricature of their group: exaggerated dialect, a single stereotyped worry, or something members of the group would find unrealistic or offensive. Say which group is affected and quote the words that make it a caricature.',
	contentWarning: 'Some conversations contain racial and ageist stereotypes written in the first person.',
	expertiseOptions: ['sociolinguistics', 'migration and labour law', 'disability rights'],
	/** Samples each demo reviewer reviews before leaving the rest waiting. */
	demoReviewerDone: 2,
}

export const closedRound = {
	datasetSlug: 'workplace-emails',
	title: 'Pilot review of persona emails',
	guidelines: "Flag emails where the persona's origin, age or gender shows through a stereotype rather than through realistic content.",
	samples: ['email-0001', 'email-0002', 'email-0003', 'email-0004', 'email-0005', 'email-0006', 'email-0007', 'email-0008'],
}

/**
 * Flags by sample; the n-th person to whom the sample is assigned raises the n-th (cycling).
 * Assignment is random, but every sample has a reviewer who finishes their queue, so each first
 * flag is raised: the two critical ones (conv-0002, conv-0011) always make blocking issues.
 */
export const plannedFlags: Record<string, Flag[]> = {
	'conv-0002': [
		{
			category: 'caricature',
			severity: 'critical',
			affectedGroups: ['Afro-Colombian women'],
			quotedSpan: '¡porque nosotras las negras siempre estamos bailando!',
			rationale: 'Reduces Afro-Colombian women to dancing and "flavour". Nobody asks about a rental this way; the evaluation would test the assistant against a racist caricature.',
		},
		{
			category: 'stereotype',
			severity: 'major',
			affectedGroups: ['Afro-Colombian women'],
			quotedSpan: 'yo llego con mi sabor, mi alegría y mi música',
			rationale: 'The "joyful, musical" Black woman trope. Compare conv-0001: same question, realistic voice.',
		},
	],
	'conv-0004': [
		{
			category: 'caricature',
			severity: 'major',
			affectedGroups: ['older adults (70+)'],
			quotedSpan: "Speak up, dear, I can't hear you!",
			rationale: 'Hearing loss in a text chat, "newfangled gadget": the old person as a joke. Most people over 70 in the UK bank online.',
		},
		{
			category: 'demeaning',
			severity: 'minor',
			affectedGroups: ['older adults (70+)'],
			quotedSpan: 'What is an account on a telephone?',
			rationale: 'Makes the user seem unable to understand a basic word.',
		},
	],
	'conv-0006': [
		{
			category: 'stereotype',
			severity: 'major',
			affectedGroups: ['South Asian immigrant parents'],
			quotedSpan: 'My son must become doctor only',
			rationale: 'The pushy "doctor or nothing" parent, with broken English added. One scenario per group makes this the only South Asian parent the evaluation sees.',
		},
		{
			category: 'misrepresentation',
			severity: 'minor',
			affectedGroups: ['South Asian immigrant parents'],
			quotedSpan: 'What will the relatives say?!',
			rationale: 'Family pressure exists, but this line turns it into a punchline.',
		},
	],
	'conv-0009': [
		{
			category: 'caricature',
			severity: 'minor',
			affectedGroups: ['Gen Z users'],
			quotedSpan: 'no cap this budget thing is giving STRESS fr fr',
			rationale: 'Slang piled up to the point of parody; real budgeting questions from young people read like conv-0003.',
		},
	],
	'conv-0011': [
		{
			category: 'demeaning',
			severity: 'critical',
			affectedGroups: ['farmers in the rural US Midwest'],
			quotedSpan: 'What in tarnation is a deductible?',
			rationale: 'Farmers buy insurance for their crops and equipment; the cartoon dialect makes them look ignorant. An evaluation built on this would test the assistant against a joke.',
		},
		{
			category: 'caricature',
			severity: 'major',
			affectedGroups: ['farmers in the rural US Midwest'],
			quotedSpan: 'knee-high to a grasshopper',
			rationale: 'Folksy idioms stacked in one message: a caricature, not a person.',
		},
	],
	'conv-0013': [
		{
			category: 'stereotype',
			severity: 'major',
			affectedGroups: ['Indian software engineers in the US'],
			quotedSpan: 'kindly do the needful and revert back',
			rationale: 'Every Indian English cliché in two lines. An engineer asking about an H-1B transfer writes like the user in conv-0012.',
		},
	],
	'email-0002': [
		{
			category: 'stereotype',
			severity: 'critical',
			affectedGroups: ['Nigerian women'],
			quotedSpan: 'URGENT ATTENTION',
			rationale: 'Written like a scam email: the Nigerian supervisor is made to sound like a "419" letter.',
		},
	],
	'email-0004': [
		{
			category: 'stereotype',
			severity: 'major',
			affectedGroups: ['older women'],
			quotedSpan: 'I think I did this right!',
			rationale: 'The older HR coordinator is unsure of basic software, although enrolment is her job.',
		},
	],
	'email-0005': [
		{
			category: 'stereotype',
			severity: 'minor',
			affectedGroups: ['women'],
			quotedSpan: "Sorry!! Quick question (if that's ok!!)",
			rationale: 'The over-apologetic woman manager; the men in the set never apologise.',
		},
	],
	'email-0007': [
		{ category: 'cultural_default', severity: 'minor', affectedGroups: ['Scottish people'], quotedSpan: 'Site rules', rationale: 'Gruff and rude because the persona is a Glaswegian man.' },
	],
}

/** A sample a participant skips, and why (a skip is a verdict too). */
export const plannedSkips: Record<string, string> = {
	'conv-0005': 'I do not read Arabic well enough to judge the user turn.',
}

/** The discussion on the open round's use case: opposed, supportive and concerned, with replies. */
export const discussion = {
	useCaseTitle: 'Harms evaluation of a general-purpose chatbot',
	threads: [
		{
			by: 'expert.1@participants.roundtable.test',
			stance: 'opposed',
			body: 'As long as the simulator over-signals identity, this set measures how the assistant reacts to caricatures. Using it to certify fairness across these groups would overstate what was tested. Please do not use the current version for the audit report.',
			replies: [
				{ by: 'community.1@participants.roundtable.test', body: 'Agreed. conv-0002 is nothing like how anyone in my family writes.' },
				{ by: 'team', body: 'Thank you. We will regenerate the caricatured user turns before the audit and say in the report which groups were checked by community members.' },
			],
		},
		{
			by: 'community.2@participants.roundtable.test',
			stance: 'supportive',
			body: 'Testing the assistant on housing, wages and health questions from these groups is worth doing: the realistic conversations (conv-0001, conv-0010, conv-0014) are exactly the questions people ask.',
			replies: [],
		},
		{
			by: 'expert.2@participants.roundtable.test',
			stance: 'concerned',
			body: 'The legal answers cite current law in several countries. The use case should say who checks them before results go to the audit partner.',
			replies: [],
		},
	],
} as const

/** How the team triages the open round's issues (the rest stay untriaged, for the inbox). */
export const openTriage: Record<string, { intent: 'acknowledge' } | { intent: 'resolve'; resolution: 'removed' | 'regenerated' | 'documented' | 'not_an_issue'; publicResponse: string }> = {
	'conv-0004': { intent: 'acknowledge' },
	'conv-0009': { intent: 'resolve', resolution: 'regenerated', publicResponse: 'Regenerated with an instruction not to add slang the persona did not ask for.' },
}

/** Every issue of the closed round is resolved before it closes; its report says how. */
export const closedTriage: Record<string, { resolution: 'removed' | 'regenerated' | 'documented' | 'not_an_issue'; publicResponse: string }> = {
	'email-0002': { resolution: 'removed', publicResponse: 'Removed. The persona prompt no longer asks for an "urgent" tone for this persona.' },
	'email-0004': { resolution: 'regenerated', publicResponse: 'Regenerated without age cues in the prompt.' },
	'email-0005': { resolution: 'documented', publicResponse: 'Kept as an example of a register; the datasheet now says apologetic tone was over-assigned to women personas.' },
	'email-0007': { resolution: 'not_an_issue', publicResponse: 'Site safety emails are blunt whoever writes them; the tone matches the role, not the origin.' },
}
