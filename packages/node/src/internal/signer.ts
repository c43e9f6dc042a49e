/**
 * The signer: `signRequest`, the whole signature of one request (pure and synchronous), and the
 * service that signs with it, on static credentials or on a running credentials service.
 *
 * @since 0.1.0
 */
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Credentials from "../Credentials.js"
import type * as Signer from "../Signer.js"
import * as signing from "./signing.js"

// The headers signed when present (host and x-sdk-date always are), in the canonical request's
// order, so that the signed names come out already sorted.
const SIGNED_HEADERS = [
  "content-type",
  "host",
  "x-project-id",
  "x-sdk-content-sha256",
  "x-sdk-date",
  "x-security-token"
] as const
const SIGNED_HEADERS_SM3 = [
  "content-type",
  "host",
  "x-project-id",
  "x-sdk-content-sm3",
  "x-sdk-date",
  "x-security-token"
] as const

// The bytes that will be sent, or undefined for a body that cannot be read synchronously.
const bodyHash = (body: HttpBody.HttpBody, sm3: boolean): string | undefined => {
  const hash = sm3 ? signing.sm3Hex : signing.sha256Hex
  switch (body._tag) {
    case "Empty":
      return sm3 ? signing.EMPTY_BODY_SM3 : signing.EMPTY_BODY_SHA256
    case "Uint8Array":
      return hash(body.body)
    case "Raw": {
      const raw = body.body
      if (typeof raw === "string" || raw instanceof Uint8Array) return hash(raw)
      if (raw instanceof ArrayBuffer) return hash(new Uint8Array(raw))
      return undefined
    }
    case "FormData":
    case "Stream":
      return undefined
  }
}

/**
 * The headers a signature adds to a request (`x-sdk-date`, `host`, `x-project-id`,
 * `x-security-token`, `authorization`, and the payload hash header when the payload is unsigned):
 * the one signing procedure of both `signRequest` and `signWire`.
 */
const signatureHeaders = (
  request: {
    readonly method: string
    readonly host: string
    /** The path as sent (encoded). */
    readonly path: string
    /** The query parameters, not encoded. */
    readonly query: ReadonlyArray<readonly [string, string]>
    /** The request's headers, names in lower case. */
    readonly headers: Readonly<Record<string, string | undefined>>
    /** The payload's hash, or undefined when the body cannot be read synchronously. */
    readonly payloadHash: (sm3: boolean) => string | undefined
  },
  options: Signer.SignRequestOptions
): Record<string, string> => {
  const sdkDate = signing.formatSdkDate(options.now)
  const additions: Record<string, string> = { "x-sdk-date": sdkDate, "host": request.host }
  if (options.projectId !== undefined && options.projectId !== "") additions["x-project-id"] = options.projectId
  const token = options.credentials.securityToken === undefined
    ? ""
    : Redacted.value(options.credentials.securityToken)
  if (token !== "") additions["x-security-token"] = token

  const algorithm = options.algorithm ?? signing.ALGORITHM
  const sm3 = algorithm === signing.ALGORITHM_SM3
  const contentHeader = sm3 ? "x-sdk-content-sm3" : "x-sdk-content-sha256"
  let payloadHash = request.headers[contentHeader]
  if (payloadHash === undefined) {
    payloadHash = request.payloadHash(sm3)
    if (payloadHash === undefined) {
      payloadHash = signing.UNSIGNED_PAYLOAD
      additions[contentHeader] = payloadHash
    }
  }

  // Only the signed headers enter the signature: look each up where it is rather than copy every
  // header of the request into a new object.
  const headers: Record<string, string> = {}
  const signedHeaders: Array<string> = []
  for (const name of sm3 ? SIGNED_HEADERS_SM3 : SIGNED_HEADERS) {
    const value = additions[name] ?? request.headers[name]
    if (value === undefined) continue
    if (name === "content-type" && value.toLowerCase().includes("multipart/form-data")) continue
    headers[name] = value
    signedHeaders.push(name)
  }
  const canonical = signing.canonicalRequest({
    method: request.method,
    path: request.path,
    query: request.query,
    headers,
    signedHeaders,
    payloadHash
  })
  const signature = signing.hmacSignature(
    Redacted.value(options.credentials.secretAccessKey),
    signing.stringToSign(sdkDate, canonical, algorithm),
    algorithm
  )
  additions["authorization"] = signing.authorizationHeader(
    options.credentials.accessKeyId,
    signedHeaders,
    signature,
    algorithm
  )
  return additions
}

/**
 * A request as `DcsTransport` sends it, on an endpoint parsed once.
 *
 * @internal
 */
export interface WireRequest {
  readonly method: string
  /** `host[:port]`, as the endpoint's URL has it. */
  readonly host: string
  /** The path as sent: the endpoint's path prefix, then the request's (encoded) path. */
  readonly path: string
  /** The query parameters, not encoded. */
  readonly query: ReadonlyArray<readonly [string, string]>
  /** The headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  /** The body's text (UTF-8 on the wire), or undefined for none. */
  readonly body: string | undefined
}

/**
 * Signs a request given by its parts, for the instant `now`: the request's headers with the
 * signature's added, to send as they are. The same signature as `signRequest` gives the same
 * request as an `HttpClientRequest`.
 *
 * @internal
 */
export const signWire = (request: WireRequest, options: Signer.SignRequestOptions): Record<string, string> => {
  const additions = signatureHeaders({
    method: request.method,
    host: request.host,
    path: request.path,
    query: request.query,
    headers: request.headers,
    payloadHash: (sm3) =>
      request.body === undefined
        ? (sm3 ? signing.EMPTY_BODY_SM3 : signing.EMPTY_BODY_SHA256)
        : (sm3 ? signing.sm3Hex : signing.sha256Hex)(request.body)
  }, options)
  // Two loops rather than spreading two objects into one, a slow path of V8.
  const headers: Record<string, string> = {}
  for (const name in request.headers) headers[name] = request.headers[name]!
  for (const name in additions) headers[name] = additions[name]!
  return headers
}

/**
 * The query as sent and signed: `?` then each parameter encoded (RFC 3986), in order; "" for none.
 *
 * @internal
 */
export const wireQuery = (query: ReadonlyArray<readonly [string, string]>): string => {
  let wire = ""
  for (let i = 0; i < query.length; i++) {
    const [key, value] = query[i]!
    wire += (i === 0 ? "?" : "&") + signing.encodeRfc3986(key) + "=" + signing.encodeRfc3986(value)
  }
  return wire
}

/**
 * Signs a request for the instant `now` (see `Signer.signRequest`).
 *
 * @since 0.1.0
 * @category signing
 */
export const signRequest = (
  request: HttpClientRequest.HttpClientRequest,
  options: Signer.SignRequestOptions
): HttpClientRequest.HttpClientRequest => {
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    throw new TypeError(`Signer: the request URL must be absolute, got "${request.url}"`)
  }
  const query = url.search.length > 1 ? signing.parseQueryString(url.search.slice(1)) : []
  for (const [key, value] of request.urlParams) {
    // UrlParams may hold an undefined value, which the platform skips: skip it too.
    if (value !== undefined) query.push([key, value])
  }
  // The pathname of a parsed URL is what goes on the wire: the URL parser has already encoded
  // what it encodes and resolved dot segments, and parsing it again changes nothing.
  const origin = url.protocol + "//" + url.host
  const path = url.pathname

  const additions = signatureHeaders({
    method: request.method,
    host: url.host,
    path,
    query,
    headers: request.headers,
    payloadHash: (sm3) => bodyHash(request.body, sm3)
  }, options)

  // setUrl with a URL object empties urlParams and the hash; the string URL then carries the query.
  const withoutParams = HttpClientRequest.setUrl(request, new URL(origin + path))
  const hash = Option.orElse(request.hash, () => url.hash.length > 1 ? Option.some(url.hash.slice(1)) : Option.none())
  let signed = HttpClientRequest.setUrl(withoutParams, origin + path + wireQuery(query))
  // One header at a time: `setHeaders` merges by spreading two objects into a new one, a slow path
  // of V8 that took longer than the rest of the signature; `setHeader` copies a handful of headers.
  for (const name in additions) signed = HttpClientRequest.setHeader(signed, name, additions[name]!)
  return Option.isSome(hash) ? HttpClientRequest.setHash(signed, hash.value) : signed
}

/**
 * The signing service on static credentials, or on a running credentials service (asked for
 * credentials on every signature, so that it can refresh them). The credentials stay in the
 * closure: printing the service shows only `{ sign: [Function] }`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly credentials: Credentials.AccessKey | Credentials.Service
  readonly projectId?: string | undefined
  readonly algorithm?: signing.SigningAlgorithm | undefined
}): Signer.Signer["Type"] => {
  const source = options.credentials
  const projectId = options.projectId
  const algorithm = options.algorithm
  if ("resolve" in source) {
    const resolve = source.resolve
    return {
      sign: (request) =>
        Effect.flatMap(
          resolve,
          (credentials) =>
            Effect.map(
              Clock.currentTimeMillis,
              (now) => signRequest(request, { credentials, projectId, algorithm, now })
            )
        )
    }
  }
  const credentials = source
  return {
    sign: (request) =>
      Effect.map(Clock.currentTimeMillis, (now) => signRequest(request, { credentials, projectId, algorithm, now }))
  }
}
