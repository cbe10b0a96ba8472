import { randomBytes } from 'node:crypto'
import { Webhook } from 'standardwebhooks'

/** A new signing secret in the Standard Webhooks format: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}

/**
 * The Standard Webhooks headers of a message, signed with the `standardwebhooks` library: one
 * `v1,<base64 HMAC-SHA256>` signature per secret, space-separated, so during a rotation's overlap
 * a receiver verifying with either the old or the new secret accepts it.
 */
export function signedHeaders(secrets: readonly string[], messageId: string, timestamp: Date, body: string): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body)).join(' '),
  }
}

/** The secrets that sign now: the current one, and the previous one until its overlap ends. */
export function signingSecrets(subscription: { secret: string; previous_secret: string | null; previous_secret_expires_at: Date | null }, now = new Date()): string[] {
  const previousValid = subscription.previous_secret !== null && subscription.previous_secret_expires_at !== null && subscription.previous_secret_expires_at > now
  return previousValid ? [subscription.secret, subscription.previous_secret as string] : [subscription.secret]
}
