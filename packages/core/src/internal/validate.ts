import * as Either from "effect/Either"
import { DcsInvalidRequest } from "../DcsError.js"
import type { OfflineKeyAnalysisStatus } from "../OfflineKeyAnalysis.js"
import { encodePathSegment } from "./url.js"

// The API's integers are 32-bit.
const MAX_INT = 2_147_483_647
const MAX_ID_LENGTH = 256
const statuses: ReadonlySet<unknown> = new Set(["waiting", "running", "success", "failed"])

const invalid = (field: string, reason: string) => Either.left(new DcsInvalidRequest({ field, reason }))

const describe = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value)
  return typeof value
}

/** @internal */
export const integer = (
  field: string,
  value: unknown,
  minimum: number,
  maximum: number = MAX_INT
): Either.Either<number, DcsInvalidRequest> =>
  typeof value === "number" && Number.isInteger(value) && value >= minimum && value <= maximum
    ? Either.right(value)
    : invalid(field, `must be an integer from ${minimum} to ${maximum}, got ${describe(value)}`)

/** @internal */
export const optionalInteger = (
  field: string,
  value: unknown,
  minimum: number,
  maximum: number = MAX_INT
): Either.Either<number | undefined, DcsInvalidRequest> =>
  value === undefined ? Either.right(undefined) : integer(field, value, minimum, maximum)

/**
 * An identifier that becomes one path segment: non-blank, no control characters, not `.` or
 * `..` (which a URL parser would resolve even when encoded), and bounded. It is returned encoded.
 *
 * @internal
 */
export const pathSegment = (field: string, value: unknown): Either.Either<string, DcsInvalidRequest> => {
  if (typeof value !== "string") return invalid(field, `must be a string, got ${describe(value)}`)
  if (value.trim() === "") return invalid(field, "must not be empty or blank")
  // An id never has surrounding whitespace: one that does was pasted with it, and the server would
  // answer a confusing 404 for an id that looks right.
  if (value.trim() !== value) return invalid(field, `must not start or end with whitespace, got ${describe(value)}`)
  if (value.length > MAX_ID_LENGTH) return invalid(field, `must be at most ${MAX_ID_LENGTH} characters`)
  if (value === "." || value === "..") return invalid(field, `must not be ${JSON.stringify(value)}`)

  if (/[\u0000-\u001f\u007f]/.test(value)) return invalid(field, "must not contain control characters")
  try {
    return Either.right(encodePathSegment(value))
  } catch {
    // encodeURIComponent throws on a lone surrogate
    return invalid(field, "must be well-formed Unicode")
  }
}

/** @internal */
export const optionalStatus = (
  value: unknown
): Either.Either<OfflineKeyAnalysisStatus | undefined, DcsInvalidRequest> =>
  value === undefined || statuses.has(value)
    ? Either.right(value as OfflineKeyAnalysisStatus | undefined)
    : invalid("status", `must be one of waiting, running, success, failed, got ${describe(value)}`)

/**
 * An endpoint: an absolute http(s) URL with no credentials, query or fragment; a path prefix is
 * kept (a proxy may serve the API below one). Returned without a trailing slash.
 *
 * @internal
 */
export const endpoint = (value: unknown): Either.Either<string, DcsInvalidRequest> => {
  if (typeof value !== "string" || value.trim() === "") return invalid("endpoint", "must be an http(s) URL")
  let url: URL
  try {
    url = new URL(value)
  } catch {
    // The value is not echoed: an unparsable URL may still hold credentials.
    return invalid("endpoint", "must be an absolute http(s) URL")
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return invalid("endpoint", `must use http or https, got ${url.protocol}`)
  }
  // An empty user info (`http://:@host`) parses to no user and no password, but was written.
  if (url.username !== "" || url.password !== "" || authorityOf(value).includes("@")) {
    return invalid("endpoint", "must not carry credentials")
  }
  if (url.search !== "" || value.includes("?")) return invalid("endpoint", "must not carry a query")
  if (url.hash !== "" || value.includes("#")) return invalid("endpoint", "must not carry a fragment")
  return Either.right(url.origin + url.pathname.replace(/\/+$/, ""))
}

// The authority as written: after the scheme's `//`, up to the path, query or fragment (a
// backslash ends it too in an http(s) URL).
const authorityOf = (value: string): string => {
  const start = value.indexOf("//")
  return start === -1 ? "" : value.slice(start + 2).split(/[/?#\\]/, 1)[0] ?? ""
}

/**
 * An identifier sent in a JSON body: non-blank, no control characters, bounded.
 *
 * @internal
 */
export const identifier = (field: string, value: unknown): Either.Either<string, DcsInvalidRequest> => {
  if (typeof value !== "string") return invalid(field, `must be a string, got ${describe(value)}`)
  if (value.trim() === "") return invalid(field, "must not be empty or blank")
  if (value.trim() !== value) return invalid(field, `must not start or end with whitespace, got ${describe(value)}`)
  if (value.length > MAX_ID_LENGTH) return invalid(field, `must be at most ${MAX_ID_LENGTH} characters`)

  if (/[\u0000-\u001f\u007f]/.test(value)) return invalid(field, "must not contain control characters")
  return Either.right(value)
}
