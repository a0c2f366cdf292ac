import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import { type HttpMethod, openApiDocument, type ResponseObject } from '#app/domain/openapi.ts'

/**
 * Checks responses against the served OpenAPI document with Ajv (JSON Schema 2020-12, the
 * dialect of OpenAPI 3.1), in strict mode so a misspelt keyword in the document fails too.
 */
const doc = openApiDocument
const BASE = 'https://roundtable.test/openapi'

const rewrite = (value: unknown): unknown => {
	if (Array.isArray(value)) return value.map(rewrite)
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', `${BASE}#/$defs/`) : rewrite(v)]))
	}
	return value
}

const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true })
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/)
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
ajv.addSchema({ $id: BASE, $defs: rewrite(doc.components.schemas) as Record<string, object> })

const compiled = new Map<object, ValidateFunction>()
function validatorFor(schema: object): ValidateFunction {
	let v = compiled.get(schema)
	if (!v) {
		v = ajv.compile(rewrite(schema) as object)
		compiled.set(schema, v)
	}
	return v
}

/** Compiles every component schema (throws on an invalid one). */
export function compileAllSchemas(): string[] {
	return Object.keys(doc.components.schemas).map((name) => {
		validatorFor({ $ref: `#/components/schemas/${name}` })
		return name
	})
}

export function documentedResponse(method: HttpMethod, path: string, status: number): ResponseObject | null {
	const operation = doc.paths[path]?.[method]
	const found = operation?.responses[String(status)]
	if (!found) return null
	if ('$ref' in found) return doc.components.responses[found.$ref.replace('#/components/responses/', '')] ?? null
	return found
}

/** Problems with a response, as text: undocumented path, method or status, or a body the schema refuses. Empty when it conforms. */
export function responseProblems(method: HttpMethod, path: string, status: number, body: unknown, headers?: Headers): string[] {
	if (!doc.paths[path]) return [`path ${path} is not in the document`]
	if (!doc.paths[path][method]) return [`${method.toUpperCase()} ${path} is not in the document`]
	const response = documentedResponse(method, path, status)
	if (!response) return [`${method.toUpperCase()} ${path} → ${status} is not documented`]
	const problems: string[] = []
	const media = response.content?.['application/json']
	if (media) {
		if (headers && !headers.get('Content-Type')?.includes('application/json')) problems.push(`Content-Type is ${headers.get('Content-Type')}`)
		const validate = validatorFor(media.schema)
		if (!validate(body)) problems.push(...(validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`))
	}
	return problems
}

/** Problems with a value against one component schema (e.g. the Error envelope of an undocumented 404/405). */
const byName = new Map<string, object>()
export function schemaProblems(name: string, value: unknown): string[] {
	if (!byName.has(name)) byName.set(name, { $ref: `#/components/schemas/${name}` })
	const validate = validatorFor(byName.get(name)!)
	return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`)
}
