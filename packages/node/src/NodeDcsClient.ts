/**
 * The live DCS client on Node: `DcsClient` over undici (keep-alive), every attempt signed with
 * AK/SK (SDK-HMAC-SHA256) afresh, a default timeout and retries. The layer sends through a
 * `DcsTransport` of its own (`DcsClient.fromTransport`: signed and handed to undici directly), not
 * through an `HttpClient`: one asynchronous step per request.
 *
 * Bringing your own `HttpClient` (fetch, a proxy, a test transport): sign it with
 * `NodeDcsClient.layerSignedHttpClient` and build core's client on it (second example).
 *
 * @example
 * ```ts
 * import { DcsClient } from "@effect-dcs/core"
 * import { NodeDcsClient } from "@effect-dcs/node"
 * import { Effect, Stream } from "effect"
 *
 * // Credentials from the environment, the profile file or the ECS metadata service; the
 * // endpoint from DCS_ENDPOINT or DCS_REGION; the project id from DCS_PROJECT_ID, the profile,
 * // or IAM (by region).
 * const program = DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "my-instance" }).pipe(
 *   Stream.runCollect,
 *   Effect.provide(NodeDcsClient.layerConfig())
 * )
 * ```
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { DcsClient } from "@effect-dcs/core"
 * import { NodeDcsClient, Signer } from "@effect-dcs/node"
 * import { Layer, Redacted } from "effect"
 *
 * const DcsLive = DcsClient.layer({ endpoint: "https://dcs.cn-north-4.myhuaweicloud.com", projectId: "…" }).pipe(
 *   Layer.provide(NodeDcsClient.layerSignedHttpClient),
 *   Layer.provide(Signer.layer({
 *     credentials: { accessKeyId: "…", secretAccessKey: Redacted.make("…") },
 *     projectId: "…"
 *   })),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as DcsClient from "@effect-dcs/core/DcsClient"
import { type DcsError, DcsInvalidRequest } from "@effect-dcs/core/DcsError"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import * as Credentials from "./Credentials.js"
import * as redactedHeaders from "./internal/redactedHeaders.js"
import * as internalTransport from "./internal/transport.js"
import * as undiciClient from "./internal/undiciClient.js"
import { isRegionName } from "./internal/url.js"
import * as ProjectLookup from "./ProjectLookup.js"
import * as Signer from "./Signer.js"

/**
 * The `User-Agent` this library sends.
 *
 * @since 0.1.0
 * @category constants
 */
export const userAgent = `effect-dcs/0.1.0 (node ${process.version})`

/**
 * The endpoint of a region: `https://dcs.{region}.myhuaweicloud.com`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const regionEndpoint = (region: string): string => `https://dcs.${region}.myhuaweicloud.com`

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The API endpoint; takes precedence over `region`. A private endpoint or the emulator's URL. */
  readonly endpoint?: string | undefined
  /**
   * The region, e.g. `cn-north-4`: it gives the endpoint when no `endpoint` is given, and the
   * project id when none is given (see `projectId`).
   */
  readonly region?: string | undefined
  /**
   * Sent in the path and as `X-Project-Id`. When absent: the one that came with the credentials
   * (the profile's `project_id`, `HUAWEICLOUD_SDK_PROJECT_ID`), else the region's, looked up in IAM
   * once (see `ProjectLookup`); the layer fails with a `ProjectLookupError` when none is found.
   */
  readonly projectId?: string | undefined
  /**
   * Static credentials, or a provider: `Credentials.defaultChain()`, `Credentials.metadata()`,
   * `Credentials.profile()`, … (see `Credentials`).
   */
  readonly credentials: Credentials.AccessKey | Credentials.Provider
  /**
   * The IAM endpoint of the project id lookup; by default the profile's `iam_endpoint`, else
   * `HUAWEICLOUD_SDK_IAM_ENDPOINT`, else `https://iam.{region}.myhuaweicloud.com`.
   */
  readonly iamEndpoint?: string | undefined
  /** `SDK-HMAC-SHA256` by default; `SDK-HMAC-SM3` signs with SM3 (for DCS and the IAM lookup). */
  readonly signingAlgorithm?: Signer.SigningAlgorithm | undefined
  /** The time one attempt may take; 30 seconds by default. */
  readonly timeout?: Duration.DurationInput | undefined
  /** How to retry transient faults; `DcsClient.defaultRetrySchedule` by default, `Schedule.stop` for none. */
  readonly retry?: Schedule.Schedule<unknown, DcsError> | undefined
  /** The `User-Agent` header. */
  readonly userAgent?: string | undefined
}

/**
 * Signs every request of `client` with `signer`, on every attempt, and redacts the secret headers
 * from spans. A signer with no usable credentials sends nothing: the attempt fails with a
 * `RequestError` whose cause is the `CredentialsError`, which `DcsClient` reports as a
 * `DcsTransportError` with reason `"Credentials"` and the provider's message (never a secret).
 */
const signHttpClient = (client: HttpClient.HttpClient, signer: Signer.Signer["Type"]): HttpClient.HttpClient =>
  client.pipe(
    HttpClient.mapRequestEffect((request) =>
      Effect.mapError(
        signer.sign(request),
        (error) =>
          new HttpClientError.RequestError({ request, reason: "Transport", cause: error, description: error.message })
      )
    ),
    HttpClient.transform(redactedHeaders.locally)
  )

/**
 * Signs every request of the `HttpClient` in context with the `Signer`, on every attempt (a
 * retried request gets a new date and signature), and redacts the secret headers from spans.
 * When the signer has no usable credentials the request is not sent: it fails with a
 * `RequestError` (reason `Transport`) whose cause is the `CredentialsError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSignedHttpClient: Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient | Signer.Signer> =
  Layer.effect(
    HttpClient.HttpClient,
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const signer = yield* Signer.Signer
      return signHttpClient(client, signer)
    })
  )

const noProjectId = "give a project id (the projectId option, DCS_PROJECT_ID or HUAWEICLOUD_SDK_PROJECT_ID, or " +
  "project_id in the profile file), or a region (the region option or DCS_REGION) to look it up in IAM"

// The project id when none was given: the credentials' own, else the region's from IAM.
const findProjectId = (options: Options, credentials: Credentials.Service) =>
  Effect.gen(function*() {
    const resolved = yield* credentials.resolve
    if (resolved.projectId !== undefined) return resolved.projectId
    if (options.region === undefined) return yield* new ProjectLookup.ProjectLookupError({ reason: noProjectId })
    return yield* ProjectLookup.lookup({
      region: options.region,
      credentials: resolved,
      iamEndpoint: options.iamEndpoint ?? resolved.iamEndpoint,
      algorithm: options.signingAlgorithm,
      timeout: options.timeout,
      userAgent: options.userAgent ?? userAgent
    })
  })

const staticService = (credentials: Credentials.AccessKey): Credentials.Service => {
  const resolved: Credentials.Resolved = { ...credentials, source: "static" }
  return { provider: "static", resolve: Effect.succeed(resolved) }
}

/**
 * The live client: undici with keep-alive, AK/SK signing, a default timeout and retries.
 *
 * With a provider, credentials are resolved when the first request is signed (not before), and
 * a request for which the provider has none fails with a `DcsTransportError` (reason
 * `"Credentials"`). Without a project id, the layer resolves the credentials and looks the
 * project id up while it is built, and fails with a `CredentialsError` or `ProjectLookupError`.
 *
 * @since 0.1.0
 * @category layers
 */
export function layer(options: Options & { readonly projectId: string }): Layer.Layer<DcsClient.DcsClient>
/**
 * @since 0.1.0
 * @category layers
 */
export function layer(
  options: Options
): Layer.Layer<DcsClient.DcsClient, Credentials.CredentialsError | ProjectLookup.ProjectLookupError>
export function layer(
  options: Options
): Layer.Layer<DcsClient.DcsClient, Credentials.CredentialsError | ProjectLookup.ProjectLookupError> {
  // The region becomes part of host names (DCS and IAM): a value that is not a region name is
  // rejected as core rejects other invalid options, by every call, before anything is sent.
  if (options.region !== undefined && !isRegionName(options.region)) {
    const reason = `must be a region name such as cn-north-4, got ${JSON.stringify(options.region.slice(0, 64))}`
    return Layer.succeed(DcsClient.DcsClient, DcsClient.failing(new DcsInvalidRequest({ field: "region", reason })))
  }
  const client = Layer.unwrapScoped(Effect.gen(function*() {
    const given = options.credentials
    const credentials = Credentials.isProvider(given) ? yield* given.make : staticService(given)
    const projectId = options.projectId ?? (yield* findProjectId(options, credentials))
    const transport = internalTransport.make({
      dispatcher: yield* NodeHttpClient.Dispatcher,
      credentials: Credentials.isProvider(given) ? credentials : given,
      projectId,
      algorithm: options.signingAlgorithm
    })
    return Layer.succeed(
      DcsClient.DcsClient,
      DcsClient.fromTransport({
        endpoint: options.endpoint ?? (options.region === undefined ? "" : regionEndpoint(options.region)),
        projectId,
        timeout: options.timeout,
        retry: options.retry,
        userAgent: options.userAgent ?? userAgent
      }, transport)
    )
  }))
  return Layer.merge(client, redactedHeaders.layer).pipe(Layer.provide(undiciClient.layer))
}

const firstOf = <A>(read: (name: string) => Config.Config<A>, names: readonly [string, ...Array<string>]) =>
  names.slice(1).reduce<Config.Config<A>>(
    (config, name) => Config.orElse(config, () => read(name)),
    read(names[0])
  )

const regionConfig = Config.nonEmptyString("DCS_REGION").pipe(
  Config.validate({
    message: "DCS_REGION must be a region name such as cn-north-4",
    validation: isRegionName
  })
)

/**
 * The settings `layerConfig` reads, each from the first variable set:
 *
 * - endpoint: `DCS_ENDPOINT` (a full URL), else `DCS_REGION` (`https://dcs.{region}.myhuaweicloud.com`)
 * - region (optional; for the endpoint and the project id lookup): `DCS_REGION`
 * - project id (optional): `DCS_PROJECT_ID`, `HUAWEICLOUD_SDK_PROJECT_ID`
 *
 * Credentials are not read here: `layerConfig` resolves them with `Credentials.defaultChain()`
 * (the environment's `CLOUD_SDK_AK` / `CLOUD_SDK_SK`, …, then the profile file, then the ECS
 * metadata service).
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<{
  readonly endpoint: string
  readonly region: string | undefined
  readonly projectId: string | undefined
}> = Config.all({
  projectId: Config.option(firstOf(
    (name) =>
      Config.nonEmptyString(name).pipe(
        Config.validate({
          message: `${name} must be a project id (letters, digits, - and _)`,
          validation: (value) => /^[A-Za-z0-9_-]+$/.test(value)
        })
      ),
    ["DCS_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID"]
  )),
  region: Config.option(regionConfig),
  endpoint: Config.nonEmptyString("DCS_ENDPOINT").pipe(
    Config.validate({
      message: "DCS_ENDPOINT must be an http(s) URL without credentials, query or fragment",
      validation: DcsClient.isEndpointUrl
    }),
    Config.orElse(() => Config.map(regionConfig, regionEndpoint))
  )
}).pipe(
  Config.map(({ endpoint, projectId, region }) => ({
    endpoint,
    region: Option.getOrUndefined(region),
    projectId: Option.getOrUndefined(projectId)
  }))
)

/**
 * @since 0.1.0
 * @category models
 */
export interface ConfigOptions extends Omit<Options, "endpoint" | "region" | "projectId" | "credentials"> {
  /** The credentials; `Credentials.defaultChain()` by default. */
  readonly credentials?: Credentials.AccessKey | Credentials.Provider | undefined
}

/**
 * The live client configured from the environment (see `config`), with the credentials of
 * `Credentials.defaultChain()`. A missing or malformed variable fails the layer with a
 * `ConfigError` naming it; with no project id, the layer looks it up (see `layer`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: ConfigOptions = {}
): Layer.Layer<
  DcsClient.DcsClient,
  ConfigError.ConfigError | Credentials.CredentialsError | ProjectLookup.ProjectLookupError
> =>
  Layer.unwrapEffect(
    Effect.map(config, (settings) =>
      layer({ ...options, ...settings, credentials: options.credentials ?? Credentials.defaultChain() }))
  )
