/**
 * AK/SK signing (SDK-HMAC-SHA256, or SDK-HMAC-SM3) of `HttpClientRequest`s for Huawei Cloud's API
 * gateway, as a service.
 *
 * Use it with `HttpClient.mapRequestEffect(signer.sign)`: that runs again on every retry, so each
 * attempt carries a fresh `X-Sdk-Date`. The date comes from Effect's `Clock`.
 *
 * @example
 * ```ts
 * import { Credentials, Signer } from "@effect-dcs/node"
 * import { Redacted } from "effect"
 *
 * // Static credentials…
 * const StaticSigner = Signer.layer({
 *   credentials: { accessKeyId: "…", secretAccessKey: Redacted.make("…") },
 *   projectId: "…"
 * })
 * // …or a provider (this one needs an HttpClient, for the ECS metadata service).
 * const ChainSigner = Signer.layer({ credentials: Credentials.defaultChain(), algorithm: "SDK-HMAC-SM3" })
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Credentials from "./Credentials.js"
import * as redactedHeaders from "./internal/redactedHeaders.js"
import * as internal from "./internal/signer.js"
import type * as signing from "./internal/signing.js"

/**
 * `SDK-HMAC-SHA256` (the default), or `SDK-HMAC-SM3`: the same steps with SM3 in place of SHA-256
 * for both hashes, HMAC-SM3 for the signature, and `X-Sdk-Content-Sm3` for the body hash header.
 *
 * @since 0.1.0
 * @category models
 */
export type SigningAlgorithm = signing.SigningAlgorithm

/**
 * What a signer signs with.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignerOptions {
  /**
   * Static credentials (see `Credentials.AccessKey`), or a provider (`Credentials.defaultChain()`,
   * `Credentials.metadata()`, …), asked on every signature: it caches and refreshes them.
   */
  readonly credentials: Credentials.AccessKey | Credentials.Provider
  /** Sent and signed as `X-Project-Id`. */
  readonly projectId?: string | undefined
  /** `SDK-HMAC-SHA256` by default. */
  readonly algorithm?: SigningAlgorithm | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface SignRequestOptions {
  readonly credentials: Credentials.AccessKey
  /** Sent and signed as `X-Project-Id`. */
  readonly projectId?: string | undefined
  /** `SDK-HMAC-SHA256` by default. */
  readonly algorithm?: SigningAlgorithm | undefined
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
  ) => Effect.Effect<HttpClientRequest.HttpClientRequest, Credentials.CredentialsError>
}>() {}

/**
 * The headers whose values must not be logged or traced: `authorization` and
 * `x-security-token`. Add them to `Headers.currentRedactedNames` ({@link layer} does).
 *
 * @since 0.1.0
 * @category constants
 */
export const redactedHeaderNames: ReadonlyArray<string> = redactedHeaders.names

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
export const signRequest: (
  request: HttpClientRequest.HttpClientRequest,
  options: SignRequestOptions
) => HttpClientRequest.HttpClientRequest = internal.signRequest

/**
 * Builds the service. The credentials stay in its closure: printing the service shows only
 * `{ sign: [Function] }`, and the secret key is read (`Redacted.value`) only while signing.
 *
 * With static credentials it needs nothing. With a provider it builds the provider's service for
 * the life of the scope (with the `HttpClient` in context, for the metadata service); every
 * signature then asks it for credentials, security token included, and `sign` fails with the
 * provider's `CredentialsError` when it has none.
 *
 * @since 0.1.0
 * @category constructors
 */
export function make(
  options: SignerOptions & { readonly credentials: Credentials.AccessKey }
): Effect.Effect<Signer["Type"]>
/**
 * @since 0.1.0
 * @category constructors
 */
export function make(options: SignerOptions): Effect.Effect<Signer["Type"], never, HttpClient.HttpClient | Scope.Scope>
export function make(
  options: SignerOptions
): Effect.Effect<Signer["Type"], never, HttpClient.HttpClient | Scope.Scope> {
  const { algorithm, credentials, projectId } = options
  return Credentials.isProvider(credentials)
    ? Effect.map(credentials.make, (service) => internal.make({ credentials: service, projectId, algorithm }))
    : Effect.succeed(internal.make({ credentials, projectId, algorithm }))
}

/**
 * The {@link Signer} service (see {@link make}), built for the life of the layer; providing it
 * also adds {@link redactedHeaderNames} to `Headers.currentRedactedNames`, so that
 * `authorization` and `x-security-token` print as `<redacted>` in logs and spans of the effects it
 * is provided to.
 *
 * @since 0.1.0
 * @category layers
 */
export function layer(options: SignerOptions & { readonly credentials: Credentials.AccessKey }): Layer.Layer<Signer>
/**
 * @since 0.1.0
 * @category layers
 */
export function layer(options: SignerOptions): Layer.Layer<Signer, never, HttpClient.HttpClient>
export function layer(options: SignerOptions): Layer.Layer<Signer, never, HttpClient.HttpClient> {
  return Layer.merge(Layer.scoped(Signer, make(options)), redactedHeaders.layer)
}
