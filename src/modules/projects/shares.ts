export const FULL_SHARE_BP = 10000

/**
 * Splits an amount of minor units by shares in basis points with the largest-remainder
 * method: each part is first rounded down, then the units left over go one by one to the
 * parts with the largest fractional remainders (ties to the earlier share). The parts are
 * whole minor units and always sum exactly to `amountMinor`. BigInt keeps the products exact
 * beyond 2^53.
 */
export function splitByShares(amountMinor: number, sharesBp: readonly number[]): number[] {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) throw new RangeError(`amount must be a non-negative safe integer, not ${amountMinor}`)
  const totalBp = sharesBp.reduce((sum, share) => sum + share, 0)
  if (totalBp !== FULL_SHARE_BP || sharesBp.some((share) => !Number.isInteger(share) || share < 0)) {
    throw new RangeError(`shares must be non-negative whole basis points summing to ${FULL_SHARE_BP}, not ${sharesBp.join(', ')}`)
  }
  const amount = BigInt(amountMinor)
  const parts = sharesBp.map((share, index) => {
    const product = amount * BigInt(share)
    return { index, floor: product / BigInt(FULL_SHARE_BP), remainder: product % BigInt(FULL_SHARE_BP) }
  })
  let leftover = amount - parts.reduce((sum, part) => sum + part.floor, 0n)
  const byRemainder = [...parts].sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1))
  for (const part of byRemainder) {
    if (leftover === 0n) break
    part.floor += 1n
    leftover -= 1n
  }
  return parts.map((part) => Number(part.floor))
}
