/**
 * First-strong isolate … pop directional isolate around a value someone wrote (a title, a name,
 * a date next to a name): the plain-text counterpart of <bdi>, for emails, page titles and
 * attributes, where no element can carry the isolation. The marks are invisible.
 */
export function isolate(value: string): string {
	return `\u2068${value}\u2069`
}

/** Each text value of a translation's parameters isolated; numbers (counts, for plurals) stay as they are. */
export function isolateParams<T extends Record<string, unknown>>(params: T): T {
	return Object.fromEntries(Object.entries(params ?? {}).map(([k, v]) => [k, typeof v === 'string' ? isolate(v) : v])) as T
}
