/**
 * Where the AK/SK (and the security token of temporary credentials) come from, as a service: a
 * `Provider` describes a source, `layer` builds it, and the `Credentials` service resolves
 * credentials that are valid now.
 *
 * The sources are those of the official Python and Go SDKs, and `defaultChain()` tries them in
 * their order:
 *
 * 1. `environment()`: `CLOUD_SDK_AK` / `CLOUD_SDK_SK` / `CLOUD_SDK_SECURITY_TOKEN`, each falling
 *    back to its `HUAWEICLOUD_SDK_*` name, and `HUAWEICLOUD_SDK_PROJECT_ID`.
 * 2. `profile()`: the `[basic]` section of `~/.huaweicloud/credentials` (or of
 *    `HUAWEICLOUD_SDK_CREDENTIALS_FILE`): `ak`, `sk`, `security_token`, `project_id`, `iam_endpoint`.
 * 3. `metadata()`: the temporary credentials of the ECS server's agency, from the metadata service
 *    at `http://169.254.169.254` (or `HUAWEICLOUD_SDK_METADATA_ENDPOINT`), fetched on first use and
 *    refreshed before they expire.
 *
 * Variables are read through Effect's `Config` (so `ConfigProvider.fromMap` works in tests), when
 * credentials are first needed.
 *
 * @example
 * ```ts
 * import { Credentials, NodeDcsClient } from "@effect-dcs/node"
 *
 * // On an ECS server with an agency: no keys anywhere.
 * const DcsLive = NodeDcsClient.layer({
 *   region: "cn-north-4",
 *   projectId: "…",
 *   credentials: Credentials.metadata()
 * })
 * ```
 *
 * @since 0.1.0
 */
import { CredentialsFailureTypeId } from "@effect-dcs/core/DcsError"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/credentials.js"
import * as internalCache from "./internal/credentialsCache.js"

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@effect-dcs/node/Credentials/Provider")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * An access key pair, and the security token of temporary credentials: what a request is signed
 * with. The secrets are `Redacted`, so printing, logging or `JSON.stringify`-ing credentials shows
 * `<redacted>`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AccessKey {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly securityToken?: Redacted.Redacted<string> | undefined
}

/**
 * Credentials as a provider resolved them: what to sign with, when they expire, and what came
 * with them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Resolved extends AccessKey {
  /** When temporary credentials expire, epoch milliseconds; `undefined` for permanent ones. */
  readonly expiresAt?: number | undefined
  /** A project id that came with the credentials (`project_id` of the profile, `HUAWEICLOUD_SDK_PROJECT_ID`). */
  readonly projectId?: string | undefined
  /** The profile's `iam_endpoint`, for the project id lookup. */
  readonly iamEndpoint?: string | undefined
  /** Where they came from, e.g. `environment` or `profile /home/me/.huaweicloud/credentials`. */
  readonly source: string
}

/**
 * No usable credentials. `provider` names the source (`environment`, `profile`, `ECS metadata`,
 * `chain`), `reason` what it lacked, naming variables, files, lines and URLs but never a secret.
 *
 * `kind` tells a chain what to do: `Missing` (the source has no credentials: try the next one) or
 * `Invalid` (it has some that cannot be used, such as an AK without its SK or a malformed profile
 * file: stop, rather than hide the mistake behind credentials from elsewhere).
 *
 * @since 0.1.0
 * @category errors
 */
export class CredentialsError extends Schema.TaggedError<CredentialsError>()("CredentialsError", {
  provider: Schema.String,
  kind: Schema.Literal("Missing", "Invalid"),
  reason: Schema.String
}) {
  /**
   * Marks it as core's credentials failure, so the client reports a request it stopped as a
   * `DcsTransportError` with reason `"Credentials"`.
   *
   * @since 0.2.0
   */
  readonly [CredentialsFailureTypeId]: CredentialsFailureTypeId = CredentialsFailureTypeId
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `No usable credentials from ${this.provider}: ${this.reason}`
  }
}

/**
 * The credentials service: `resolve` answers credentials that are valid now, fetching or
 * refreshing them when the source needs it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The provider's name, for messages. */
  readonly provider: string
  readonly resolve: Effect.Effect<Resolved, CredentialsError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Credentials extends Context.Tag("@effect-dcs/node/Credentials")<Credentials, Service>() {}

/**
 * A source of credentials, not yet running: `make` builds its service (with its cache, and for
 * `metadata()` its background refresh, which live as long as the scope). Give it to
 * `NodeDcsClient.layer({ credentials })`, `Signer.layer({ credentials })` or {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Provider {
  readonly [TypeId]: TypeId
  readonly name: string
  readonly make: Effect.Effect<Service, never, HttpClient.HttpClient | Scope.Scope>
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isProvider = (u: unknown): u is Provider => Predicate.hasProperty(u, TypeId)

/**
 * A provider from its name and how to build it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeProvider = (
  name: string,
  make: Effect.Effect<Service, never, HttpClient.HttpClient | Scope.Scope>
): Provider => ({ [TypeId]: TypeId, name, make })

const failWith = (provider: string) => (failure: internal.Failure) =>
  new CredentialsError({ provider, kind: failure.kind, reason: failure.reason })

/**
 * Credentials known in advance, with the project id and IAM endpoint that go with them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStatic = (
  credentials: AccessKey,
  extra: { readonly projectId?: string | undefined; readonly iamEndpoint?: string | undefined } = {}
): Provider => {
  const resolved: Resolved = {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    securityToken: credentials.securityToken,
    projectId: extra.projectId,
    iamEndpoint: extra.iamEndpoint,
    source: "static"
  }
  return makeProvider("static", Effect.succeed({ provider: "static", resolve: Effect.succeed(resolved) }))
}

const readOnce = (name: string, read: Effect.Effect<Resolved, internal.Failure>): Provider =>
  makeProvider(
    name,
    Effect.map(internalCache.cachedOnSuccess(Effect.mapError(read, failWith(name))), (resolve) => ({
      provider: name,
      resolve
    }))
  )

/**
 * The environment's credentials, each from the first variable set (the names
 * `NodeDcsClient.layerConfig()` has always read):
 *
 * - access key: `CLOUD_SDK_AK`, `HUAWEICLOUD_SDK_AK`
 * - secret key: `CLOUD_SDK_SK`, `HUAWEICLOUD_SDK_SK`
 * - security token (optional): `CLOUD_SDK_SECURITY_TOKEN`, `HUAWEICLOUD_SDK_SECURITY_TOKEN`
 * - project id (optional): `HUAWEICLOUD_SDK_PROJECT_ID`
 *
 * Read on first use, then kept. No key at all is `Missing`; an access key without a secret key
 * (or the reverse) is `Invalid`.
 *
 * @since 0.1.0
 * @category providers
 */
export const environment = (): Provider => readOnce("environment", internal.readEnvironment)

/**
 * @since 0.1.0
 * @category models
 */
export interface ProfileOptions {
  /**
   * The file; by default `HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `.huaweicloud/credentials` in
   * the home directory (`HOME`, else `USERPROFILE`, else the operating system's).
   */
  readonly path?: string | undefined
}

/**
 * The `[basic]` section of the official SDKs' profile file (INI), with the keys `ak`, `sk`,
 * `security_token`, `project_id` and `iam_endpoint`:
 *
 * ```ini
 * [basic]
 * ak = …
 * sk = …
 * project_id = …
 * ```
 *
 * Read on first use, then kept. A missing default file, a file without `[basic]` or without keys
 * is `Missing`; a file that was named but does not exist, that cannot be read, or that is not
 * valid INI is `Invalid`, with the file and line (never the line's text).
 *
 * @since 0.1.0
 * @category providers
 */
export const profile = (options: ProfileOptions = {}): Provider =>
  readOnce("profile", internal.readProfile(options.path))

/**
 * @since 0.1.0
 * @category models
 */
export interface MetadataOptions {
  /**
   * The metadata service; by default `HUAWEICLOUD_SDK_METADATA_ENDPOINT`, else
   * `http://169.254.169.254`.
   */
  readonly endpoint?: string | undefined
  /** The time each metadata call may take; 3 seconds by default. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * When less than this lifetime remains, the credentials are refreshed in the background (the
   * current ones are still used meanwhile); 40 minutes by default, as the official SDKs do.
   */
  readonly refreshBefore?: Duration.DurationInput | undefined
}

/**
 * The metadata endpoint of ECS.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMetadataEndpoint: string = internal.defaultMetadataEndpoint

// Credentials with less than this left are never used: a request may take a while to arrive.
const MINIMUM_LIFETIME = Duration.minutes(1)
// How long a failed (or useless) background refresh waits before the next one.
const BACKGROUND_RETRY = Duration.minutes(1)

/**
 * The temporary credentials (AK, SK and security token) of the ECS server's agency, from the
 * metadata service: a session token (`PUT /meta-data/latest/api/token`), then
 * `GET /openstack/latest/securitykey`.
 *
 * - Fetched on first use, not before, and kept until they near their `expires_at`.
 * - When less than `refreshBefore` (40 minutes) remains, the next request starts a refresh in the
 *   background and is signed with the current credentials; a request that finds them expired (or
 *   within a minute of it) waits for the refresh. Never more than one refresh at a time: a burst
 *   of requests during a refresh shares it.
 * - Each metadata call times out after 3 seconds. Time is Effect's `Clock`.
 *
 * An unreachable service or a non-2xx answer is `Missing`; an answer that is not the documented
 * JSON is `Invalid`.
 *
 * @since 0.1.0
 * @category providers
 */
export const metadata = (options: MetadataOptions = {}): Provider => {
  const name = "ECS metadata"
  const timeout = Duration.decode(options.timeout ?? internal.defaultMetadataTimeout)
  const refreshBefore = Duration.decode(options.refreshBefore ?? Duration.minutes(40))
  return makeProvider(
    name,
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const resolve = yield* internalCache.makeRefreshing(
        Effect.mapError(
          internal.fetchMetadata({ client, endpoint: options.endpoint, timeout, minimumLifetime: MINIMUM_LIFETIME }),
          failWith(name)
        ),
        {
          refreshBeforeMillis: Duration.toMillis(refreshBefore),
          minimumLifetimeMillis: Duration.toMillis(MINIMUM_LIFETIME),
          backgroundRetryMillis: Duration.toMillis(BACKGROUND_RETRY)
        }
      )
      return { provider: name, resolve }
    })
  )
}

/**
 * Tries the providers in order and keeps the first that has credentials: later requests go to
 * it alone (and it refreshes its own). A provider that is `Missing` credentials passes to the
 * next; one whose credentials are `Invalid` stops the chain with its error. When every provider
 * is missing credentials, the error lists what each one lacked. Nothing is kept after a failure:
 * the next request walks the chain again.
 *
 * @since 0.1.0
 * @category providers
 */
export const chain = (first: Provider, ...rest: ReadonlyArray<Provider>): Provider => {
  const providers = [first, ...rest]
  const name = `chain (${providers.map((provider) => provider.name).join(", ")})`
  return makeProvider(
    name,
    Effect.gen(function*() {
      const services = yield* Effect.forEach(providers, (provider) => provider.make)
      const walk = Effect.gen(function*() {
        const lacks: Array<string> = []
        for (const service of services) {
          const attempt = yield* Effect.either(service.resolve)
          if (attempt._tag === "Right") return service
          if (attempt.left.kind === "Invalid") return yield* Effect.fail(attempt.left)
          lacks.push(`${attempt.left.provider}: ${attempt.left.reason}`)
        }
        return yield* Effect.fail(
          new CredentialsError({ provider: name, kind: "Missing", reason: `none has any. ${lacks.join("; ")}` })
        )
      })
      const chosen = yield* internalCache.cachedOnSuccess(walk)
      return { provider: name, resolve: Effect.flatMap(chosen, (service) => service.resolve) }
    })
  )
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DefaultChainOptions {
  readonly profile?: ProfileOptions | undefined
  readonly metadata?: MetadataOptions | undefined
}

/**
 * {@link environment}, then {@link profile}, then {@link metadata}: the order of the official SDKs.
 *
 * @since 0.1.0
 * @category providers
 */
export const defaultChain = (options: DefaultChainOptions = {}): Provider =>
  chain(environment(), profile(options.profile), metadata(options.metadata))

/**
 * The {@link Credentials} service of a provider, built for the life of the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (provider: Provider): Layer.Layer<Credentials, never, HttpClient.HttpClient> =>
  Layer.scoped(Credentials, provider.make)

/**
 * Resolves credentials with the service in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const resolve: Effect.Effect<Resolved, CredentialsError, Credentials> = Effect.flatMap(
  Credentials,
  (service) => service.resolve
)
