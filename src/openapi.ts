import path from 'node:path'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { openEmbedded } from './db/database.js'

/** npm scripts run from the project root. */
export const OPENAPI_PATH = path.resolve('openapi/openapi.json')

/** The spec as the running app generates it (no database work is needed to describe the API). */
export async function generateOpenApiDocument(): Promise<string> {
  const database = await openEmbedded()
  try {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' })
    const app = await buildApp({ config, db: database.db, databaseKind: database.kind })
    const document = `${JSON.stringify(app.swagger(), null, 2)}\n`
    await app.close()
    return document
  } finally {
    await database.close()
  }
}
