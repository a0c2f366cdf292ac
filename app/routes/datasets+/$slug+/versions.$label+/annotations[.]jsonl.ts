import { type LoaderFunctionArgs } from '@remix-run/node'
import { annotationsDownload } from './__annotations.server.ts'

/** Every verdict of the version's rounds as its own row (decision 033), streamed. */
export async function loader({ request, params }: LoaderFunctionArgs) {
	return annotationsDownload(request, params, 'jsonl')
}
