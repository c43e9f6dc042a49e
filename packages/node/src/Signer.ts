/**
 * AK/SK signing (SDK-HMAC-SHA256, or SDK-HMAC-SM3) of `HttpClientRequest`s for Huawei Cloud's API
 * gateway, as a service.
 *
 * Use it with `HttpClient.mapRequestEffect(signer.sign)`: that runs again on every retry, so each
 * attempt carries a fresh `X-Sdk-Date`. The date comes from Effect's `Clock`.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpBody from "@effect/platform/HttpBody"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as CredentialsProvider from "./Credentials.js"
import * as internal from "./internal/signing.js"

/**
 * An access key pair, and the security token of temporary credentials. The secrets are
 * `Redacted`, so printing, logging or `JSON.stringify`-ing credentials shows `<redacted>`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly securityToken?: Redacted.Redacted<string> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface SignerOptions {
  readonly credentials: Credentials
  /** Sent and signed as `X-Project-Id`. */
  readonly projectId?: string | undefined
  /** `SDK-HMAC-SHA256` by default. */
  readonly algorithm?: SigningAlgorithm | undefined
}

/**
 * `SDK-HMAC-SHA256` (the default), or `SDK-HMAC-SM3`: the same steps with SM3 in place of SHA-256
 * for both hashes, HMAC-SM3 for the signature, and `X-Sdk-Content-Sm3` for the body hash header.
 *
 * @since 0.1.0
 * @category models
 */
export type SigningAlgorithm = internal.SigningAlgorithm

/**
 * @since 0.1.0
 * @category models
 */
export interface SignRequestOptions extends SignerOptions {
  /** The signing instant, epoch milliseconds. */
  readonly now: number
}

/**
 * Signs requests with SDK-HMAC-SHA256. `sign` needs an absolute URL; a relative one is a defect.
 * It fails only when a credentials provider has no usable credentials (never with static ones).
 *
 * @since 0.1.0
 * @category tags
 */
export class Signer extends Context.Tag("@effect-dcs/node/Signer")<Signer, {
  readonly sign: (
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<HttpClientRequest.HttpClientRequest, CredentialsProvider.CredentialsError>
}>() {}

/**
 * The headers whose values must not be logged or traced: `authorization` and
 * `x-security-token`. Add them to `Headers.currentRedactedNames` ({@link layer} does).
 *
 * @since 0.1.0
 * @category constants
 */
export const redactedHeaderNames: ReadonlyArray<string> = ["authorization", "x-security-token"]

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
  const hash = sm3 ? internal.sm3Hex : internal.sha256Hex
  switch (body._tag) {
    case "Empty":
      return sm3 ? internal.EMPTY_BODY_SM3 : internal.EMPTY_BODY_SHA256
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
 * Signs a request for the instant `now`: pure and synchronous; {@link Signer} calls it with
 * `Clock.currentTimeMillis`.
 *
 * - Sets `X-Sdk-Date`, `Host` (the URL's host, with a non-default port), `X-Project-Id` when a
 *   project id is given, `X-Security-Token` when the credentials carry one, and `Authorization`.
 * - Signs `host`, `x-sdk-date`, and those of `content-type` (unless multipart: the runtime sets its
 *   boundary), `x-project-id`, `x-security-token`, `x-sdk-content-sha256` that the request carries.
 *   Other headers are sent unsigned.
 * - Sends exactly the path and query it signs: the returned request's URL is
 *   `origin + path + "?" + query`, with the query built from the pairs already in the URL followed
 *   by `urlParams` (encoded with RFC 3986, in that order), and its `urlParams` are empty. Path
 *   segments in the URL are taken as already encoded; `+` in a URL's query is a literal `+`.
 * - Hashes the exact body bytes (`Uint8Array` bodies, `Raw` strings and bytes, empty bodies). A
 *   body that cannot be read synchronously (a stream, form data, another `Raw` value) is sent with
 *   `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` and signed as such, as the official SDKs do for
 *   non-JSON bodies. A request that already sets `X-Sdk-Content-Sha256` is signed with its value.
 * - With `algorithm: "SDK-HMAC-SM3"`, SM3 replaces SHA-256 (body hash, string to sign, HMAC) and
 *   `X-Sdk-Content-Sm3` replaces `X-Sdk-Content-Sha256`.
 *
 * Throws a `TypeError` when the URL is not absolute.
 *
 * @since 0.1.0
 * @category signing
 */
export const signRequest = (
  request: HttpClientRequest.HttpClientRequest,
  options: SignRequestOptions
): HttpClientRequest.HttpClientRequest => {
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    throw new TypeError(`Signer: the request URL must be absolute, got "${request.url}"`)
  }
  const query = url.search.length > 1 ? internal.parseQueryString(url.search.slice(1)) : []
  for (const [key, value] of request.urlParams) {
    // UrlParams may hold an undefined value, which the platform skips: skip it too.
    if (value !== undefined) query.push([key, value])
  }
  let wireQuery = ""
  for (let i = 0; i < query.length; i++) {
    const [key, value] = query[i] as [string, string]
    wireQuery += (i === 0 ? "?" : "&") + internal.encodeRfc3986(key) + "=" + internal.encodeRfc3986(value)
  }
  // The pathname of a parsed URL is what goes on the wire: the URL parser has already encoded
  // what it encodes and resolved dot segments, and parsing it again changes nothing.
  const origin = url.protocol + "//" + url.host
  const path = url.pathname

  const sdkDate = internal.formatSdkDate(options.now)
  const additions: Record<string, string> = { "x-sdk-date": sdkDate, "host": url.host }
  if (options.projectId !== undefined && options.projectId !== "") additions["x-project-id"] = options.projectId
  const token = options.credentials.securityToken === undefined
    ? ""
    : Redacted.value(options.credentials.securityToken)
  if (token !== "") additions["x-security-token"] = token

  const algorithm = options.algorithm ?? internal.ALGORITHM
  const sm3 = algorithm === internal.ALGORITHM_SM3
  const contentHeader = sm3 ? "x-sdk-content-sm3" : "x-sdk-content-sha256"
  let payloadHash = request.headers[contentHeader]
  if (payloadHash === undefined) {
    payloadHash = bodyHash(request.body, sm3)
    if (payloadHash === undefined) {
      payloadHash = internal.UNSIGNED_PAYLOAD
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
  const canonical = internal.canonicalRequest({
    method: request.method,
    path,
    query,
    headers,
    signedHeaders,
    payloadHash
  })
  const signature = internal.hmacSignature(
    Redacted.value(options.credentials.secretAccessKey),
    internal.stringToSign(sdkDate, canonical, algorithm),
    algorithm
  )
  additions["authorization"] = internal.authorizationHeader(
    options.credentials.accessKeyId,
    signedHeaders,
    signature,
    algorithm
  )

  // setUrl with a URL object empties urlParams and the hash; the string URL then carries the query.
  const withoutParams = HttpClientRequest.setUrl(request, new URL(origin + path))
  const hash = Option.orElse(request.hash, () => url.hash.length > 1 ? Option.some(url.hash.slice(1)) : Option.none())
  let signed = HttpClientRequest.setUrl(withoutParams, origin + path + wireQuery)
  // One header at a time: `setHeaders` merges by spreading two objects into a new one, a slow path
  // of V8 that took longer than the rest of the signature; `setHeader` copies a handful of headers.
  for (const name in additions) signed = HttpClientRequest.setHeader(signed, name, additions[name]!)
  return Option.isSome(hash) ? HttpClientRequest.setHash(signed, hash.value) : signed
}

/**
 * Builds the service. The credentials stay in its closure: printing the service shows only
 * `{ sign: [Function] }`, and the secret key is read (`Redacted.value`) only while signing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: SignerOptions): Signer["Type"] => {
  const credentials = options.credentials
  const projectId = options.projectId
  const algorithm = options.algorithm
  return Signer.of({
    sign: (request) =>
      Effect.map(Clock.currentTimeMillis, (now) => signRequest(request, { credentials, projectId, algorithm, now }))
  })
}

const addRedactedNames = (names: ReadonlyArray<string | RegExp>): ReadonlyArray<string | RegExp> => {
  const missing = redactedHeaderNames.filter((name) => !names.includes(name))
  return missing.length === 0 ? names : [...names, ...missing]
}

/**
 * The {@link Signer} service; providing it also adds {@link redactedHeaderNames} to
 * `Headers.currentRedactedNames`, so that `authorization` and `x-security-token` print as
 * `<redacted>` in logs and spans of the effects it is provided to.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: SignerOptions): Layer.Layer<Signer> =>
  Layer.merge(
    Layer.succeed(Signer, make(options)),
    Layer.fiberRefLocallyScopedWith(Headers.currentRedactedNames, addRedactedNames)
  )

/**
 * @since 0.1.0
 * @category models
 */
export interface ProviderSignerOptions {
  /** A running credentials service (see `Credentials`), asked on every signature. */
  readonly credentials: CredentialsProvider.Service
  /** Sent and signed as `X-Project-Id`. */
  readonly projectId?: string | undefined
  /** `SDK-HMAC-SHA256` by default. */
  readonly algorithm?: SigningAlgorithm | undefined
}

/**
 * Builds the service on a credentials service: every signature asks it for credentials (which it
 * caches and refreshes), then signs with them, security token included. `sign` fails with the
 * provider's `CredentialsError` when it has none.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWithProvider = (options: ProviderSignerOptions): Signer["Type"] => {
  const resolve = options.credentials.resolve
  const projectId = options.projectId
  const algorithm = options.algorithm
  return Signer.of({
    sign: (request) =>
      Effect.flatMap(
        resolve,
        (credentials) =>
          Effect.map(Clock.currentTimeMillis, (now) => signRequest(request, { credentials, projectId, algorithm, now }))
      )
  })
}

/**
 * The {@link Signer} service on a credentials provider (e.g. `Credentials.defaultChain()`), built for
 * the life of the layer with the `HttpClient` in context (for the metadata service); like
 * {@link layer}, it adds {@link redactedHeaderNames} to `Headers.currentRedactedNames`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromProvider = (options: {
  readonly provider: CredentialsProvider.Provider
  readonly projectId?: string | undefined
  readonly algorithm?: SigningAlgorithm | undefined
}): Layer.Layer<Signer, never, HttpClient.HttpClient> =>
  Layer.merge(
    Layer.scoped(
      Signer,
      Effect.map(
        options.provider.make,
        (credentials) => makeWithProvider({ credentials, projectId: options.projectId, algorithm: options.algorithm })
      )
    ),
    Layer.fiberRefLocallyScopedWith(Headers.currentRedactedNames, addRedactedNames)
  )
