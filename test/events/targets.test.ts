import t from 'tap'
import { guardedLookup, isAllowedAddress, targetPolicy } from '../../src/modules/events/targets.js'

t.test('only public unicast addresses are webhook targets in production; loopback too elsewhere', async (t) => {
  const production = targetPolicy('production')
  const test = targetPolicy('test')
  for (const address of ['127.0.0.1', '::1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.100.100.200', 'fd00:ec2::254', 'fe80::1', '0.0.0.0', '224.0.0.1', '::ffff:192.168.0.1', '::ffff:127.0.0.1']) {
    t.notOk(isAllowedAddress(address, production), `${address} is refused in production`)
  }
  for (const address of ['8.8.8.8', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8']) t.ok(isAllowedAddress(address, production), `${address} is public`)
  t.ok(isAllowedAddress('127.0.0.1', test), 'loopback in development and test')
  t.notOk(isAllowedAddress('10.0.0.1', test), 'but no private ranges')
  t.notOk(isAllowedAddress('not-an-address', test))
})

t.test('the connection-time lookup refuses a name that resolves to a refused address', async (t) => {
  const lookup = guardedLookup(targetPolicy('production'))
  const error = await new Promise<Error | null>((resolve) => lookup('localhost', { all: true }, (failure) => resolve(failure)))
  t.match(error?.message, /may not reach/)
  const allowed = guardedLookup(targetPolicy('test'))
  const address = await new Promise<unknown>((resolve, reject) => allowed('localhost', { all: true }, (failure, found) => (failure ? reject(failure) : resolve(found))))
  t.ok(Array.isArray(address) && address.length > 0, 'a loopback name resolves outside production')
})
