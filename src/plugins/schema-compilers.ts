import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>
type Compiled = ((...args: unknown[]) => unknown) & { errors?: unknown; schemaEnv?: unknown }
type Compiler = (route: { schema: unknown; httpPart?: string }) => Compiled
type CompilerFactory = (externalSchemas: unknown, options: unknown) => Compiler

/**
 * Short names for the shared-schema objects of an app, so a scope's key need not hold their JSON (tens of kilobytes).
 * Fastify clones each shared schema into every app, so equal schemas are named by their JSON, serialised once per object.
 */
const schemaNames = new WeakMap<object, string>()
const namesByJson = new Map<string, string>()
function schemaName(schema: unknown): string {
  if (schema === null || typeof schema !== 'object') return JSON.stringify(schema) ?? 'undefined'
  let name = schemaNames.get(schema)
  if (name === undefined) {
    const json = JSON.stringify(schema)
    name = namesByJson.get(json)
    if (name === undefined) {
      name = `#${namesByJson.size}`
      namesByJson.set(json, name)
    }
    schemaNames.set(schema, name)
  }
  return name
}

/** The key of a compiler scope: its shared schemas and the compiler options (a few hundred bytes of JSON). */
function scopeKey(externalSchemas: unknown, options: unknown): string {
  const schemas = externalSchemas && typeof externalSchemas === 'object' ? Object.entries(externalSchemas).map(([id, schema]) => `${id}=${schemaName(schema)}`) : []
  return `${schemas.join(',')}|${JSON.stringify(options)}`
}

/** Functions whose schema is not compiled yet; `compileEverySchema` compiles them (start-up of a production server). */
const deferred = new Set<() => unknown>()

/**
 * A function that compiles its schema on its first call and then is that compiled function. Fastify asks for every
 * route's validators and serializers (each problem response of each route among them) when the app starts, but a
 * process (a test's app, a short CLI run) calls only a few: compiling all of them was most of an app's start-up time.
 * Fastify reads `errors` after a failed validation and `schemaEnv` to tell an Ajv function, so both are forwarded.
 */
function compiledOnFirstUse(compile: () => Compiled): Compiled {
  let compiled: Compiled | undefined
  const get = (): Compiled => {
    if (compiled === undefined) {
      compiled = compile()
      deferred.delete(get)
    }
    return compiled
  }
  deferred.add(get)
  const lazy = function (this: unknown, ...args: unknown[]) {
    const target = get()
    const result = target.apply(this, args)
    lazy.errors = target.errors
    return result
  } as Compiled
  Object.defineProperty(lazy, 'schemaEnv', { get: () => get().schemaEnv })
  return lazy
}

/** How many schemas are still waiting for their first use. */
export function deferredSchemaCount(): number {
  return deferred.size
}

/** Compiles every schema not compiled yet, so that a server pays for it before it answers, not on first requests. */
export function compileEverySchema(): void {
  for (const compile of [...deferred]) compile()
}

/**
 * Wraps a compiler factory so that each distinct schema (by its JSON) is compiled once per scope (shared schemas and
 * options), however many routes and apps ask for it, and only when first used.
 */
function compileOncePerSchema(factory: CompilerFactory, cache: Map<string, Compiled>): CompilerFactory {
  const compilers = new Map<string, Compiler>()
  return (externalSchemas, options) => {
    const scope = scopeKey(externalSchemas, options)
    return (route) => {
      const key = `${scope}\0${JSON.stringify(route.schema)}`
      let compiled = cache.get(key)
      if (compiled === undefined) {
        compiled = compiledOnFirstUse(() => {
          let compiler = compilers.get(scope)
          if (compiler === undefined) {
            compiler = factory(externalSchemas, options)
            compilers.set(scope, compiler)
          }
          return compiler(route)
        })
        cache.set(key, compiled)
      }
      return compiled
    }
  }
}

const buildValidator = compileOncePerSchema(AjvCompiler() as unknown as CompilerFactory, new Map())
const buildSerializer = compileOncePerSchema(SerializerSelector() as unknown as CompilerFactory, new Map())

/**
 * Fastify's stock validator (Ajv) and serializer (fast-json-stringify) compilers, compiling each distinct schema
 * once per process and on first use.
 *
 * Every route declares the same problem responses (401, 403, 429, 500, …) and many share their request and success
 * schemas, so the stock compilers built the same functions well over a thousand times: most of start-up time and a
 * good part of idle memory. Compiled validators and serializers are pure functions of their schema, the app's shared
 * schemas and the compiler options, which together are the key.
 *
 * Bodies are validated without type coercion: JSON has types, and `{"amount_minor": "100"}` is a client error, not
 * 100. Query strings, path parameters and headers are text by nature and are coerced to the schema's types
 * (`?limit=20`).
 */
function validatorsByPart(externalSchemas: unknown, options: { customOptions?: Record<string, unknown> }): Compiler {
  const coercing = buildValidator(externalSchemas, options)
  const strict = buildValidator(externalSchemas, { ...options, customOptions: { ...options.customOptions, coerceTypes: false } })
  return (route) => (route.httpPart === 'body' ? strict(route) : coercing(route))
}

export const schemaCompilers: CompilersFactory = {
  buildValidator: validatorsByPart as unknown as ValidatorFactory,
  buildSerializer: buildSerializer as unknown as SerializerFactory,
}
