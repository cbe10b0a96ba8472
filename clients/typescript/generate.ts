import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'

const here = path.dirname(fileURLToPath(import.meta.url))
export const SPEC_PATH = path.resolve(here, '../../openapi/openapi.json')
export const SCHEMA_PATH = path.join(here, 'src/schema.ts')

/** The client's types (paths, operations, components) generated from the committed spec by openapi-typescript. */
export async function generateSchema(): Promise<string> {
  const spec = JSON.parse(await readFile(SPEC_PATH, 'utf8')) as Parameters<typeof openapiTS>[0]
  const ast = await openapiTS(spec, { alphabetize: true })
  return `// Generated from openapi/openapi.json by openapi-typescript (npm run openapi). Do not edit.\n\n${astToString(ast)}`
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeFile(SCHEMA_PATH, await generateSchema())
  console.log(`wrote ${SCHEMA_PATH}`)
}
