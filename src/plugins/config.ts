import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Kysely } from 'kysely'
import type { Config } from '../config.js'
import type { DatabaseKind } from '../db/database.js'
import type { DB } from '../db/schema.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    db: Kysely<DB>
    databaseKind: DatabaseKind
  }
}

/** Makes the parsed configuration and the database available to every plugin and module. */
async function configPlugin(app: FastifyInstance, options: { config: Config; db: Kysely<DB>; databaseKind: DatabaseKind }): Promise<void> {
  app.decorate('config', options.config)
  app.decorate('db', options.db)
  app.decorate('databaseKind', options.databaseKind)
}

export default fp(configPlugin, { name: 'config' })
