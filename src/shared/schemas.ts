import { Type, type TOptional, type TProperties, type TSchema, type TString } from '@sinclair/typebox'

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
/** A person's or an institution's name. */
export const Name = (description: string) => Text(description, 200)
/** The schema or null; the description is lifted to the union so the spec shows it. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()], { description: schema.description })

/**
 * Consent to data processing as given with a request: when, by whom (`givenBy` says who may give it) and what it covers,
 * one or more of the `scopes` (each a `scope`). Return cases and the Migration Information Centre ask for it alike.
 */
export const ConsentGiven = <Scope extends TSchema>(
  $id: string,
  { scope, scopes, givenBy, description }: { scope: Scope; scopes: readonly string[]; givenBy: string; description: string },
) =>
  Type.Object(
    {
      given_at: Timestamp('When consent to data processing was given (not in the future).'),
      given_by: Name(givenBy),
      scope: Type.Array(scope, { minItems: 1, maxItems: scopes.length, uniqueItems: true, description: 'What the consent covers.' }),
    },
    { $id, additionalProperties: false, description },
  )

/** Consent to data processing as recorded: what `ConsentGiven` took, and who recorded it. */
export const ConsentRecorded = <Scope extends TSchema>($id: string, scope: Scope) =>
  Type.Object(
    {
      given_at: Timestamp('When consent was given.'),
      given_by: Type.String({ description: 'Who gave consent.' }),
      scope: Type.Array(scope, { description: 'What the consent covers.' }),
      recorded_by: Type.String({ description: 'Token subject of who recorded the consent.' }),
    },
    { $id, additionalProperties: false, description: 'Consent to data processing as recorded.' },
  )

/** The body of an update: the fields to change, at least one, nothing else (`description` and `examples` as the spec shows them). */
export const UpdateBody = <Fields extends TProperties>($id: string, fields: Fields, options: { description: string; examples?: unknown[] }) =>
  Type.Object(fields, { $id, additionalProperties: false, minProperties: 1, ...options })

/** The statuses of a cost paid through a payment request of its own (excess baggage, insurance, accommodation, a disbursement): it follows the request. */
export const PAID_COST_STATUSES = ['requested', 'approved', 'paid', 'rejected', 'cancelled'] as const

/** The status of such a cost, whose approval commits it on `line` ("excess-baggage line"). */
export const PaidCostStatus = (line: string) =>
  StringEnum(PAID_COST_STATUSES, {
    description:
      `Follows its payment request: \`requested\` → \`approved\` (maker-checker; the cost committed on the ${line}) → \`paid\`; ` +
      '`requested` → `rejected`; `requested` | `approved` → `cancelled` (what was committed is released).',
  })

/** The actions a record's current status allows, out of `actions`. */
export const AllowedActions = <const Actions extends readonly string[]>(actions: Actions, description: string) =>
  Type.Array(StringEnum(actions, { description: 'An action.' }), { description })

/**
 * Who ended something (cancelled, rejected, withdrew it …), when and why; null until it happened.
 * `by` and `at` name the fields (`cancelled_by`, `cancelled_at`), `who` describes the first, `description` the whole.
 */
export const WhoWhenWhy = <By extends string, At extends string>(by: By, at: At, who: string, description: string) =>
  Nullable(
    Type.Object(
      { ...({ [by]: Type.String({ description: who }), [at]: Timestamp('When.') } as Record<By | At, TString>), reason: Type.String({ description: 'Why.' }) },
      { additionalProperties: false, description },
    ),
  )

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

/** A reference to `Money`, described where it is used. */
export const MoneyRef = (description: string) => Type.Ref(Money, { description })

export const PaginationQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size (1-100, default 20).' })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'Opaque cursor from the previous page\'s `next_cursor`.' })),
}

export const NextCursor = Nullable(Type.String({ description: 'Cursor of the next page, or null on the last page.' }))

/** One page of a list: references to the item schema, in the order `description` gives, and the cursor of the next page. */
export const ListPage = <Item extends TSchema>($id: string, item: Item, description: string) =>
  Type.Object({ items: Type.Array(Type.Ref(item), { description }), next_cursor: NextCursor }, { $id, additionalProperties: false })

/** The query string of a list: the page (`limit`, `cursor`) and the list's own filters, the page first unless `page: 'last'`. */
export const ListQuery = <Filters extends TProperties>(filters: Filters, { page = 'first' }: { page?: 'first' | 'last' } = {}) =>
  Type.Object(page === 'first' ? { ...PaginationQuery, ...filters } : { ...filters, ...PaginationQuery }, { additionalProperties: false })

/** Filters of a list by a range of days, both included: "Only {what} on or after / on or before this date." */
export const DateRangeFilter = <From extends string, To extends string>(from: From, to: To, what: string) =>
  ({
    [from]: Type.Optional(DateOnly(`Only ${what} on or after this date.`)),
    [to]: Type.Optional(DateOnly(`Only ${what} on or before this date.`)),
  }) as Record<From | To, TOptional<TString>>

/** Filters of a list by a range of time, the end excluded: "Only {what} at or after / before this time." */
export const TimeRangeFilter = <From extends string, To extends string>(from: From, to: To, what: string) =>
  ({
    [from]: Type.Optional(Timestamp(`Only ${what} at or after this time.`)),
    [to]: Type.Optional(Timestamp(`Only ${what} before this time.`)),
  }) as Record<From | To, TOptional<TString>>

/** The query string of a list without filters. */
export const PageQuery = ListQuery({})

export const ETAG_VERSION = 'Version, also sent as the ETag.'
export const IF_MATCH_VERSION = 'Version, also sent as the ETag; send it back in If-Match to update.'

/**
 * What closes a stored, versioned record: its version (the ETag) and when it was created and last changed.
 * `created` says what creating it is ("When it was requested.").
 */
export const RecordStamps = (created: string, { updated = 'When it last changed.', version = ETAG_VERSION }: { updated?: string; version?: string } = {}) => ({
  version: Type.Integer({ description: version }),
  created_at: Timestamp(created),
  updated_at: Timestamp(updated),
})

/** An id in a path checked by its shape only (hex digits and dashes), as the monitoring and reintegration paths take it. */
export const LooseUuid = (description: string) => Type.String({ pattern: '^[0-9a-f-]{36}$', description })

type IdSchema = (description: string) => TString

/** Path parameter `{id}` of a resource, e.g. `ParentParams('Project id.')`. */
export const ParentParams = (parent: string, id: IdSchema = Uuid) => Type.Object({ id: id(parent) })

/** Path parameters `{id}` of a parent and `{key}` of one of its records, e.g. `ChildParams('Project id.', 'line_id', 'Budget line id.')`. */
export const ChildParams = <Key extends string>(parent: string, key: Key, child: string, id: IdSchema = Uuid) =>
  Type.Object({ id: id(parent), ...({ [key]: id(child) } as Record<Key, TString>) })

/** Path parameter `{id}` of a resource of its own (an office, a supplier, a subscription …). */
export const IdParams = ParentParams('Resource id.')

/** Path parameters of a return case, and of one of its records (`CaseRecordParams('visa_id', 'Transit visa id.')`). */
export const CaseParams = ParentParams('Return case id.')
export const CaseRecordParams = <Key extends string>(key: Key, record: string) => ChildParams('Return case id.', key, record)

/** Path parameter `{version}` of a versioned configuration (a scoring configuration, an instrument). */
export const VersionParams = Type.Object({ version: Type.String({ maxLength: 64, description: 'Version name.' }) })

/** The name of a new version of a configuration: lower case, digits, `.`, `_`, `-`. */
export const VersionName = (description: string, example: string) => Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,63}$', description, examples: [example] })

/** Who added a version of a configuration, and when (versions never change afterwards). */
export const VersionAdded = {
  created_by: Type.String({ description: 'Who added the version.' }),
  created_at: Timestamp('When it was added.'),
}

/** Every version of a configuration, oldest `valid_from` first (they are few: not paged). */
export const VersionList = <Item extends TSchema>($id: string, item: Item) =>
  Type.Object({ items: Type.Array(Type.Ref(item), { description: 'Versions, oldest `valid_from` first.' }) }, { $id, additionalProperties: false })

export const sharedSchemas: TSchema[] = [ProblemDetails, Money]
