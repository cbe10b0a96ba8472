import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>
type Compiler = (route: { schema: unknown; httpPart?: string }) => unknown

/** Scopes (shared schemas and options, as JSON: tens of kilobytes each) by a short number used in cache keys. */
const scopes = new Map<string, number>()

/**
 * Wraps a compiler so that each distinct schema (by its JSON) is compiled once per scope,
 * however many routes and apps ask for it.
 */
function compileOncePerSchema(scope: string, compile: Compiler, cache: Map<string, unknown>): Compiler {
  let scopeId = scopes.get(scope)
  if (scopeId === undefined) {
    scopeId = scopes.size
    scopes.set(scope, scopeId)
  }
  return (route) => {
    const key = `${scopeId}:${JSON.stringify(route.schema)}`
    let compiled = cache.get(key)
    if (compiled === undefined) {
      compiled = compile(route)
      cache.set(key, compiled)
    }
    return compiled
  }
}

const validators = new Map<string, unknown>()
const serializers = new Map<string, unknown>()
const buildValidator = AjvCompiler() as unknown as (externalSchemas: unknown, options: unknown) => Compiler
const buildSerializer = SerializerSelector() as unknown as (externalSchemas: unknown, options: unknown) => Compiler

/**
 * Fastify's stock validator (Ajv) and serializer (fast-json-stringify) compilers, compiling
 * each distinct schema once per process.
 *
 * Every route declares the same problem responses (401, 403, 429, 500, …) and many share
 * their request and success schemas, so the stock compilers built the same functions well
 * over a thousand times: most of start-up time and a good part of idle memory. Compiled
 * validators and serializers are pure functions of their schema, the app's shared schemas
 * and the compiler options; the key holds the first two, and the options are the constant
 * ones `buildApp` passes, so a function is shared whenever its schema's JSON is.
 */
/**
 * Bodies are validated without type coercion: JSON has types, and `{"amount_minor": "100"}` is a
 * client error, not 100. Query strings, path parameters and headers are text by nature and are
 * coerced to the schema's types (`?limit=20`).
 */
function validatorsByPart(externalSchemas: unknown, options: { customOptions?: Record<string, unknown> }): Compiler {
  const coercing = compileOncePerSchema(JSON.stringify([externalSchemas, options.customOptions]), buildValidator(externalSchemas, options), validators)
  const strictOptions = { ...options, customOptions: { ...options.customOptions, coerceTypes: false } }
  const strict = compileOncePerSchema(JSON.stringify([externalSchemas, strictOptions.customOptions]), buildValidator(externalSchemas, strictOptions), validators)
  return (route) => (route.httpPart === 'body' ? strict(route) : coercing(route))
}

export const schemaCompilers: CompilersFactory = {
  buildValidator: validatorsByPart as unknown as ValidatorFactory,
  buildSerializer: ((externalSchemas: unknown, options: unknown) =>
    compileOncePerSchema(JSON.stringify(externalSchemas), buildSerializer(externalSchemas, options), serializers)) as unknown as SerializerFactory,
}
