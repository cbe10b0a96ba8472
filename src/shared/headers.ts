import { Type } from '@sinclair/typebox'

const idempotencyKey = Type.Optional(
  Type.String({
    minLength: 1,
    maxLength: 255,
    description: 'Makes the write safe to retry: a repeat with the same key and body replays the first response; another body with the same key is 422. Kept 24 h.',
  }),
)

export const IdempotencyKeyHeader = Type.Object({ 'idempotency-key': idempotencyKey })

export const IfMatchHeader = Type.Object({
  'idempotency-key': idempotencyKey,
  'if-match': Type.Optional(Type.String({ description: 'ETag of the version you last read; a stale one is 412, a missing one 428.' })),
})
