import { writeFile } from 'node:fs/promises'
import { generateOpenApiDocument, OPENAPI_PATH } from '../openapi.js'

const document = await generateOpenApiDocument()
await writeFile(OPENAPI_PATH, document)
console.log(`wrote ${OPENAPI_PATH}`)
