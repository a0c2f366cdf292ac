import { useTranslation } from 'react-i18next'

// Any URL no route claims: a real 404 status with the translated page from the root boundary.
export async function loader() {
	throw new Response('Not found', { status: 404 })
}

export default function NotFound() {
	const { t } = useTranslation()
	return <h1>{t('errorPage.notFound.title')}</h1>
}
