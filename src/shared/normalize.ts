/**
 * Text normalization for search and duplicate detection, done here rather than with the
 * `unaccent` extension, which not every PostgreSQL (nor the embedded one) offers.
 * Decomposes (NFD), drops the combining marks, lower-cases, folds the few Latin letters that
 * do not decompose (ł, ø, ß, ...), and turns every run of non-letters and non-digits into one
 * space: "Nino Ðorđević-Łukasz" → "nino dordevic lukasz".
 */
const FOLDED: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ħ: 'h' }

export function normalizeText(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþıħ]/g, (letter) => FOLDED[letter] ?? letter)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

/** Key of a person's names for duplicate detection: normalized given and family names. */
export function nameKey(givenName: string, familyName: string): string {
  return `${normalizeText(givenName)}|${normalizeText(familyName)}`
}

export const MAX_SEARCH_WORDS = 5

/** The words of a free-text query; each must prefix-match a term of the case. */
export function searchWords(query: string): string[] {
  return [...new Set(normalizeText(query).split(' ').filter(Boolean))].slice(0, MAX_SEARCH_WORDS)
}
