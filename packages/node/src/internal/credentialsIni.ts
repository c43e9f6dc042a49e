/**
 * A tiny reader for the INI files of the official SDKs' profile (`~/.huaweicloud/credentials`),
 * close to Python's `configparser`: `[section]` headers, `key = value` or `key: value` lines, `#`
 * and `;` comment lines, keys case-insensitive, duplicate sections and keys rejected.
 *
 * A rejection names the line only: a line of a credentials file may hold a secret, so its text
 * never appears in an error.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"

/**
 * Section name to (lower-case key to value).
 *
 * @since 0.1.0
 * @category models
 */
export type IniSections = ReadonlyMap<string, ReadonlyMap<string, string>>

/**
 * Why a file was rejected: its 1-based line number and a reason that quotes nothing of the line
 * but a section or key name.
 *
 * @since 0.1.0
 * @category models
 */
export interface IniError {
  readonly line: number
  readonly reason: string
}

/**
 * Parses INI text.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseIni = (text: string): Either.Either<IniSections, IniError> => {
  const sections = new Map<string, Map<string, string>>()
  let current: { readonly name: string; readonly entries: Map<string, string> } | undefined
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/)
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1
    const trimmed = (lines[i] as string).trim()
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) continue
    if (trimmed.startsWith("[")) {
      if (!trimmed.endsWith("]")) return Either.left({ line, reason: "a section header must end with \"]\"" })
      const name = trimmed.slice(1, -1).trim()
      if (name === "") return Either.left({ line, reason: "the section name is empty" })
      if (sections.has(name)) return Either.left({ line, reason: `${quoteSection(name)} appears twice` })
      current = { name, entries: new Map() }
      sections.set(name, current.entries)
      continue
    }
    const delimiter = firstDelimiter(trimmed)
    if (delimiter === -1) {
      return Either.left({ line, reason: "expected \"[section]\", \"key = value\" or a comment" })
    }
    const key = trimmed.slice(0, delimiter).trim().toLowerCase()
    if (key === "") return Either.left({ line, reason: "the key is empty" })
    if (current === undefined) return Either.left({ line, reason: "a key comes before any [section]" })
    if (current.entries.has(key)) {
      return Either.left({ line, reason: `${quoteKey(key)} appears twice in ${quoteSection(current.name)}` })
    }
    current.entries.set(key, trimmed.slice(delimiter + 1).trim())
  }
  return Either.right(sections)
}

// Only the names the SDKs define are quoted: any other text may be a secret on the wrong line.
const knownKeys: ReadonlySet<string> = new Set([
  "ak",
  "sk",
  "project_id",
  "domain_id",
  "security_token",
  "iam_endpoint",
  "idp_id",
  "id_token_file"
])
const knownSections: ReadonlySet<string> = new Set(["basic", "global"])

const quoteKey = (key: string): string => knownKeys.has(key) ? `key "${key}"` : "a key"

const quoteSection = (name: string): string => knownSections.has(name) ? `section [${name}]` : "a section"

const firstDelimiter = (line: string): number => {
  const eq = line.indexOf("=")
  const colon = line.indexOf(":")
  if (eq === -1) return colon
  if (colon === -1) return eq
  return Math.min(eq, colon)
}
