import dns from 'node:dns'
import net from 'node:net'
import ipaddr from 'ipaddr.js'
import { invalidField } from '../../shared/problems.js'

/**
 * Where webhooks may go. A target must be a public unicast address (ipaddr.js classifies it):
 * loopback, private, link-local (the cloud metadata services live there), carrier-grade NAT,
 * unique-local, multicast and reserved ranges are refused, also behind an IPv4-mapped IPv6 address.
 * Outside production loopback is allowed, so a developer or a test can run a local receiver.
 * The check runs on every address a connection is about to use (DNS lookup hook), so a name that
 * resolves differently later (DNS rebinding) is caught too, and on literal addresses up front.
 */
export interface TargetPolicy {
  httpsOnly: boolean
  allowLoopback: boolean
}

export function targetPolicy(nodeEnv: string): TargetPolicy {
  const production = nodeEnv === 'production'
  return { httpsOnly: production, allowLoopback: !production }
}

export function isAllowedAddress(address: string, policy: TargetPolicy): boolean {
  if (!ipaddr.isValid(address)) return false
  let parsed = ipaddr.parse(address)
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address()
  const range = parsed.range()
  return range === 'unicast' || (policy.allowLoopback && range === 'loopback')
}

export class RefusedTargetError extends Error {
  readonly code = 'ERR_WEBHOOK_TARGET_REFUSED'
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, which webhooks may not reach`)
    this.name = 'RefusedTargetError'
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void

/** A `lookup` for net/tls connections that refuses addresses the policy does not allow. */
export function guardedLookup(policy: TargetPolicy) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options }, (error, address, family) => {
      if (error) return callback(error, '')
      const addresses = Array.isArray(address) ? address : [{ address, family }]
      const refused = addresses.find((entry) => !isAllowedAddress(entry.address, policy))
      if (refused) return callback(Object.assign(new RefusedTargetError(hostname, refused.address), { errno: undefined }), '')
      callback(null, address as string | dns.LookupAddress[], family)
    })
  }
}

/** The host of a URL as a bare name or address (IPv6 without brackets). */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1')
}

/**
 * Checks a subscription's URL when it is set: scheme, no credentials, and an address (literal, or
 * what the name resolves to now) the policy allows. 422 with a pointer otherwise.
 */
export async function assertAllowedTarget(value: string, policy: TargetPolicy, pointer = '/body/url'): Promise<void> {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalidField(pointer, 'must be an absolute URL')
  }
  if (policy.httpsOnly ? url.protocol !== 'https:' : !['http:', 'https:'].includes(url.protocol)) {
    throw invalidField(pointer, policy.httpsOnly ? 'must be an https URL' : 'must be an http or https URL')
  }
  if (url.username || url.password) throw invalidField(pointer, 'must not carry credentials')
  const host = hostOf(url)
  if (net.isIP(host)) {
    if (!isAllowedAddress(host, policy)) throw invalidField(pointer, `${host} is not a public address`)
    return
  }
  const addresses = await dns.promises.lookup(host, { all: true }).catch(() => [])
  const refused = addresses.find((entry) => !isAllowedAddress(entry.address, policy))
  if (refused) throw invalidField(pointer, `${host} resolves to ${refused.address}, which is not a public address`)
}

/** Whether a URL's literal host is refused (a connection to a literal address never calls lookup). */
export function refusedLiteralHost(value: string, policy: TargetPolicy): string | undefined {
  const host = hostOf(new URL(value))
  return net.isIP(host) && !isAllowedAddress(host, policy) ? host : undefined
}
