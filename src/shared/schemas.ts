import { Type, type TSchema } from '@sinclair/typebox'

/** Formats registered with the validator (see app.ts), so codes are checked against ISO lists, not just their shape. */
export const COUNTRY_FORMAT = 'iso3166-alpha2'
export const CURRENCY_FORMAT = 'iso4217'

/** A string enum rendered as `enum` in the spec (clearer in Swagger UI than a union of constants). */
export const StringEnum = <const Values extends readonly string[]>(values: Values, options: { description: string; default?: Values[number] }) =>
  Type.Unsafe<Values[number]>({ type: 'string', enum: [...values], ...options })

export const Uuid = (description: string) => Type.String({ format: 'uuid', description })
export const CountryCode = (description: string) =>
  Type.String({ format: COUNTRY_FORMAT, minLength: 2, maxLength: 2, description, examples: ['GE'] })
export const CurrencyCode = (description: string) =>
  Type.String({ format: CURRENCY_FORMAT, minLength: 3, maxLength: 3, description, examples: ['EUR'] })
export const DateOnly = (description: string) => Type.String({ format: 'date', description, examples: ['2026-12-01'] })
export const Timestamp = (description: string) => Type.String({ format: 'date-time', description })
export const Text = (description: string, maxLength = 2000) => Type.String({ minLength: 1, maxLength, description })
/** The schema or null; the description is lifted to the union so the spec shows it. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()], { description: schema.description })

export const ProblemDetails = Type.Object(
  {
    type: Type.String({ description: 'Stable URI reference naming the problem type; clients branch on this. It resolves: `GET /problems/{slug}` describes the type (HTML or JSON).', examples: ['/problems/validation-error'] }),
    title: Type.String({ description: 'Short summary of the problem type.' }),
    status: Type.Integer({ description: 'HTTP status code.' }),
    detail: Type.String({ description: 'Explanation specific to this occurrence.' }),
    instance: Type.Optional(Type.String({ description: 'The request path this problem occurred on.' })),
    request_id: Type.Optional(Type.String({ description: 'Request id, also in the logs and the X-Request-Id header.' })),
    errors: Type.Optional(
      Type.Array(
        Type.Object(
          {
            pointer: Type.String({ description: 'JSON pointer to the offending value, prefixed with where it was (/body, /query, /params, /headers).' }),
            detail: Type.String({ description: 'What is wrong with it.' }),
          },
          { additionalProperties: false },
        ),
        { description: 'For validation problems: each offending field.' },
      ),
    ),
  },
  {
    $id: 'ProblemDetails',
    additionalProperties: true,
    description: 'RFC 9457 problem details. Problem-specific members (e.g. `current_status`, `available`) may be present.',
  },
)

export const Money = Type.Object(
  {
    amount_minor: Type.Integer({ minimum: 0, maximum: 1e13, description: 'Amount in integer minor units of the currency (cents for EUR).', examples: [3803700] }),
    currency: CurrencyCode('ISO 4217 currency code.'),
  },
  { $id: 'Money', additionalProperties: false, description: 'An exact amount of money.', examples: [{ amount_minor: 3803700, currency: 'EUR' }] },
)

export const PaginationQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size (1-100, default 20).' })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'Opaque cursor from the previous page\'s `next_cursor`.' })),
}

export const NextCursor = Nullable(Type.String({ description: 'Cursor of the next page, or null on the last page.' }))

export const IdParams = Type.Object({ id: Uuid('Resource id.') })

export const sharedSchemas: TSchema[] = [ProblemDetails, Money]
