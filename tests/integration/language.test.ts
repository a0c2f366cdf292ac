import { describe, expect, test } from 'vitest'
import { action as languageAction } from '#app/routes/language.tsx'
import { action as profileAction } from '#app/routes/account+/_index.tsx'
import { action as signupAction } from '#app/routes/_auth+/signup.tsx'
import { getFixedT, getI18n, getLanguage } from '#app/utils/i18n.server.ts'
import { useTestDatabase } from '#tests/db-utils.ts'
import { cookiesFrom, formRequest, getRequest, run } from '#tests/route-utils.ts'

useTestDatabase()

async function signUp(headers: Record<string, string> = {}) {
	const req = formRequest('/signup', { email: 'noor@example.org', displayName: 'Noor', password: 'long enough password' })
	for (const [k, v] of Object.entries(headers)) req.headers.set(k, v)
	const res = await run(signupAction, req)
	expect(res.status).toBe(302)
	return cookiesFrom(res.headers)
}

describe('choosing the language', () => {
	test('Accept-Language when nothing else is known, English when nothing matches', async () => {
		expect(await getLanguage(getRequest('/', { headers: { 'Accept-Language': 'fr-CA,fr;q=0.9,en;q=0.5' } }))).toBe('fr')
		expect(await getLanguage(getRequest('/', { headers: { 'Accept-Language': 'de-DE,ja' } }))).toBe('en')
	})

	test('a regional tag reaches the language it is a variety of', async () => {
		expect(await getLanguage(getRequest('/', { headers: { 'Accept-Language': 'pt-PT,pt;q=0.9' } }))).toBe('pt-BR')
		expect(await getLanguage(getRequest('/', { headers: { 'Accept-Language': 'zh-TW,zh;q=0.9,en;q=0.1' } }))).toBe('zh-Hans')
		expect(await getLanguage(getRequest('/', { headers: { 'Accept-Language': 'ur-PK' } }))).toBe('ur')
	})

	test('a tag with a script or region is a value of the switch, and its cookie is read back', async () => {
		for (const lng of ['zh-Hans', 'pt-BR'] as const) {
			const res = await run(languageAction, formRequest('/language', { lng, redirectTo: '/' }))
			expect(await getLanguage(getRequest('/', { cookie: cookiesFrom(res.headers), headers: { 'Accept-Language': 'en' } }))).toBe(lng)
		}
	})

	test('the switcher cookie beats Accept-Language', async () => {
		const res = await run(languageAction, formRequest('/language', { lng: 'ar', redirectTo: '/signin?x=1' }))
		expect(res.status).toBe(302)
		expect(res.headers.get('Location')).toBe('/signin?x=1')
		const cookie = cookiesFrom(res.headers)
		expect(await getLanguage(getRequest('/', { cookie, headers: { 'Accept-Language': 'es' } }))).toBe('ar')
	})

	test('an unknown language changes nothing', async () => {
		const res = await run(languageAction, formRequest('/language', { lng: 'xx' }))
		expect(res.status).toBe(302)
		expect(res.headers.getSetCookie()).toEqual([])
	})

	test('the profile language beats the cookie, and the switcher updates the profile of a signed-in user', async () => {
		const session = await signUp({ 'Accept-Language': 'es' })
		// A new account starts in the language it signed up in.
		expect(await getLanguage(getRequest('/', { cookie: session }))).toBe('es')
		const switched = await run(languageAction, formRequest('/language', { lng: 'ar' }, { cookie: session }))
		const lngCookie = cookiesFrom(switched.headers)
		// Even with another browser's cookie saying French, the profile says Arabic.
		expect(await getLanguage(getRequest('/', { cookie: `${session}; lng=${encodeURIComponent(btoa('"fr"'))}` }))).toBe('ar')
		expect(lngCookie).toContain('lng=')
	})

	test('clearing the profile language falls back to the browser', async () => {
		const session = await signUp()
		await run(profileAction, formRequest('/account', { displayName: 'Noor', preferredLanguage: 'fr' }, { cookie: session }))
		expect(await getLanguage(getRequest('/', { cookie: session, headers: { 'Accept-Language': 'es' } }))).toBe('fr')
		await run(profileAction, formRequest('/account', { displayName: 'Noor', preferredLanguage: '' }, { cookie: session }))
		expect(await getLanguage(getRequest('/', { cookie: session, headers: { 'Accept-Language': 'es' } }))).toBe('es')
	})

	test('server-side translations come from one cached instance per language', () => {
		expect(getFixedT('ar')('shell.signIn')).not.toBe(getFixedT('en')('shell.signIn'))
		expect(getFixedT('en')('shell.signIn')).toBe('Sign in')
		expect(getI18n('ar')).toBe(getI18n('ar'))
		expect(getI18n('ar').language).toBe('ar')
	})
})
