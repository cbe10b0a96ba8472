import { generateKeyPairSync } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSigner } from 'fast-jwt'
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

t.test('production mode verifies RS256 and ES256 tokens against a JWKS with issuer and audience checks', async (t) => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const keys = [
    { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ]
  const server = createServer((request, response) => {
    if (request.url === '/keys/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ keys }))
    } else {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.address() as AddressInfo
  const issuer = 'https://login.example.org/'
  const { app } = await buildTestApp(t, { AUTH_MODE: 'jwks', JWKS_URL: `http://127.0.0.1:${port}/keys/jwks.json`, JWT_ISSUER: issuer, JWT_AUDIENCE: 'avrr-api' })

  const sign = (key: string, algorithm: 'RS256' | 'ES256', kid: string, claims: Record<string, unknown>) =>
    createSigner({ key, algorithm, kid, iss: claims.iss as string ?? issuer, aud: claims.aud as string ?? 'avrr-api', expiresIn: 60_000 })({ sub: 'ada', roles: ['admin'], ...claims })
  const rsaKey = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  const ecKey = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  const call = (token: string) => app.inject({ method: 'GET', url: '/v1/offices', headers: { authorization: `Bearer ${token}` } })

  t.equal((await call(sign(rsaKey, 'RS256', 'rsa-1', {}))).statusCode, 200, 'RS256 token from the JWKS is accepted')
  t.equal((await call(sign(ecKey, 'ES256', 'ec-1', {}))).statusCode, 200, 'ES256 token from the JWKS is accepted')
  t.equal((await call(sign(rsaKey, 'RS256', 'rsa-1', { iss: 'https://evil.example/' }))).statusCode, 401, 'another issuer is refused')
  t.equal((await call(sign(rsaKey, 'RS256', 'rsa-1', { aud: 'another-api' }))).statusCode, 401, 'another audience is refused')
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  t.equal((await call(sign(otherKey, 'RS256', 'rsa-1', {}))).statusCode, 401, 'a token signed by a key not in the JWKS is refused')
  const hs = createSigner({ key: 'development-only-secret-change-me-0123456789', algorithm: 'HS256', iss: issuer, aud: 'avrr-api' })({ sub: 'ada', roles: ['admin'] })
  t.equal((await call(hs)).statusCode, 401, 'the local HS256 secret is not accepted in JWKS mode')
})
