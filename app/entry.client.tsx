import { RemixBrowser } from '@remix-run/react'
import i18next, { type BackendModule } from 'i18next'
import { startTransition, StrictMode } from 'react'
import { hydrateRoot } from 'react-dom/client'
import { I18nextProvider, initReactI18next } from 'react-i18next'
import { getInitialNamespaces } from 'remix-i18next/client'
import { supportedLanguages } from './domain/enums.ts'
import { defaultNamespace } from './utils/i18n.ts'

// Loads translations from the /locales resource route (the server renders them into HTML first).
const fetchBackend: BackendModule = {
	type: 'backend',
	init() {},
	read(language, namespace, callback) {
		fetch(`/locales/${language}/${namespace}`)
			.then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
			.then((data) => callback(null, data))
			.catch((error: Error) => callback(error, false))
	},
}

// Tell the server our time zone, so dates render in it (without JavaScript they show in UTC).
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone
if (timeZone && !document.cookie.includes(`tz=${encodeURIComponent(timeZone)}`)) {
	document.cookie = `tz=${encodeURIComponent(timeZone)}; path=/; max-age=31536000; samesite=lax`
}

async function hydrate() {
	await i18next
		.use(initReactI18next)
		.use(fetchBackend)
		.init({
			lng: document.documentElement.lang,
			fallbackLng: false,
			supportedLngs: [...supportedLanguages],
			ns: getInitialNamespaces(),
			defaultNS: defaultNamespace,
			interpolation: { escapeValue: false },
			// A namespace loaded after a client-side navigation (app/root.tsx loads every namespace the
			// matched routes declare) re-renders the components that translate with it.
			react: { bindI18nStore: 'added' },
		})

	startTransition(() => {
		hydrateRoot(
			document,
			<I18nextProvider i18n={i18next}>
				<StrictMode>
					<RemixBrowser />
				</StrictMode>
			</I18nextProvider>,
		)
	})
}

void hydrate()
