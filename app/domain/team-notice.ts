import { type TFunction } from 'i18next'

type Params = Record<string, string | number>

/**
 * The words of a dataset-team notice, in the bell and in the digest email alike: what the issue
 * is about (a sample by its id, the generator's templates, a use case by its title), so a notice
 * never reads as an empty quotation. `t` needs the `rounds` and `issues` namespaces.
 */
export function teamNoticeText(t: TFunction, kind: string, params: Params): string {
	const subject =
		params.issueKind === 'sample'
			? t('rounds:notifications.subject.sample', { item: params.item })
			: params.issueKind === 'template'
				? t(`issues:target.${params.item}`)
				: params.issueKind === 'use_case'
					? t('rounds:notifications.subject.use_case', { item: params.item })
					: ''
	return t(`rounds:notifications.kinds.${kind}`, { ...params, subject })
}
