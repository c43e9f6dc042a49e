/**
 * The live DCS client on Node: `DcsClient` over undici (keep-alive), every attempt signed with
 * AK/SK (SDK-HMAC-SHA256) afresh, a default timeout and retries.
 *
 * @example
 * ```ts
 * import { DcsClient } from "@effect-dcs/core"
 * import { NodeDcsClient } from "@effect-dcs/node"
 * import { Effect, Stream } from "effect"
 *
 * // Reads CLOUD_SDK_AK / CLOUD_SDK_SK, DCS_PROJECT_ID and DCS_ENDPOINT or DCS_REGION.
 * const program = DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "my-instance" }).pipe(
 *   Stream.runCollect,
 *   Effect.provide(NodeDcsClient.layerConfig())
 * )
 * ```
 *
 * Bringing your own `HttpClient` (fetch, a proxy, a test transport): sign it with
 * `NodeDcsClient.layerSignedHttpClient` and build core's client on it.
 *
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
import type { DcsError } from "@effect-dcs/core/DcsError"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
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
  /** The region, e.g. `cn-north-4`, when no `endpoint` is given. */
  readonly region?: string | undefined
  readonly projectId: string
  readonly credentials: Signer.Credentials
  /** The time one attempt may take; 30 seconds by default. */
  readonly timeout?: Duration.DurationInput | undefined
  /** How to retry transient faults; `DcsClient.defaultRetrySchedule` by default, `Schedule.stop` for none. */
  readonly retry?: Schedule.Schedule<unknown, DcsError> | undefined
  /** The `User-Agent` header. */
  readonly userAgent?: string | undefined
}

const secretHeaderNames = Signer.redactedHeaderNames

/**
 * Signs every request of the `HttpClient` in context with the `Signer`, on every attempt (a
 * retried request gets a new date and signature), and redacts the secret headers from spans.
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
      return client.pipe(
        HttpClient.mapRequestEffect(signer.sign),
        HttpClient.transform((response) =>
          Effect.locallyWith(
            response,
            Headers.currentRedactedNames,
            (names) =>
              names.some((name) => secretHeaderNames.includes(String(name))) ? names : [...names, ...secretHeaderNames]
          )
        )
      )
    })
  )

/**
 * The live client: undici with keep-alive, AK/SK signing, a default timeout and retries.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<DcsClient.DcsClient> =>
  DcsClient.layer({
    endpoint: options.endpoint ?? (options.region === undefined ? "" : regionEndpoint(options.region)),
    projectId: options.projectId,
    timeout: options.timeout,
    retry: options.retry,
    userAgent: options.userAgent ?? userAgent
  }).pipe(
    Layer.provide(layerSignedHttpClient),
    Layer.provide(Signer.layer({ credentials: options.credentials, projectId: options.projectId })),
    Layer.provide(NodeHttpClient.layerUndici)
  )

const firstOf = <A>(read: (name: string) => Config.Config<A>, names: readonly [string, ...Array<string>]) =>
  names.slice(1).reduce<Config.Config<A>>(
    (config, name) => Config.orElse(config, () => read(name)),
    read(names[0])
  )

const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value)
    return (url.protocol === "http:" || url.protocol === "https:") && url.username === "" && url.password === "" &&
      url.search === "" && url.hash === "" && !value.includes("?") && !value.includes("#")
  } catch {
    return false
  }
}

/**
 * The settings `layerConfig` reads, each from the first variable set:
 *
 * - AK: `CLOUD_SDK_AK`, `HUAWEICLOUD_SDK_AK`
 * - SK: `CLOUD_SDK_SK`, `HUAWEICLOUD_SDK_SK`
 * - security token (optional): `CLOUD_SDK_SECURITY_TOKEN`, `HUAWEICLOUD_SDK_SECURITY_TOKEN`
 * - project id: `DCS_PROJECT_ID`, `HUAWEICLOUD_SDK_PROJECT_ID`
 * - endpoint: `DCS_ENDPOINT` (a full URL), else `DCS_REGION`
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<{
  readonly endpoint: string
  readonly projectId: string
  readonly credentials: Signer.Credentials
}> = Config.all({
  accessKeyId: firstOf(Config.nonEmptyString, ["CLOUD_SDK_AK", "HUAWEICLOUD_SDK_AK"]),
  secretAccessKey: firstOf(
    (name) => Config.redacted(Config.nonEmptyString(name)),
    ["CLOUD_SDK_SK", "HUAWEICLOUD_SDK_SK"]
  ),
  securityToken: Config.option(
    firstOf(
      (name) => Config.redacted(Config.nonEmptyString(name)),
      ["CLOUD_SDK_SECURITY_TOKEN", "HUAWEICLOUD_SDK_SECURITY_TOKEN"]
    )
  ),
  projectId: firstOf(
    (name) =>
      Config.nonEmptyString(name).pipe(
        Config.validate({
          message: `${name} must be a project id (letters, digits, - and _)`,
          validation: (value) => /^[A-Za-z0-9_-]+$/.test(value)
        })
      ),
    ["DCS_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID"]
  ),
  endpoint: Config.nonEmptyString("DCS_ENDPOINT").pipe(
    Config.validate({
      message: "DCS_ENDPOINT must be an http(s) URL without credentials, query or fragment",
      validation: isHttpUrl
    }),
    Config.orElse(() =>
      Config.nonEmptyString("DCS_REGION").pipe(
        Config.validate({
          message: "DCS_REGION must be a region name such as cn-north-4",
          validation: (value) => /^[a-z0-9]+(-[a-z0-9]+)*$/.test(value)
        }),
        Config.map(regionEndpoint)
      )
    )
  )
}).pipe(
  Config.map(({ accessKeyId, endpoint, projectId, secretAccessKey, securityToken }) => ({
    endpoint,
    projectId,
    credentials: credentialsOf(accessKeyId, secretAccessKey, securityToken)
  }))
)

const credentialsOf = (
  accessKeyId: string,
  secretAccessKey: Redacted.Redacted<string>,
  securityToken: Option.Option<Redacted.Redacted<string>>
): Signer.Credentials =>
  Option.isSome(securityToken)
    ? { accessKeyId, secretAccessKey, securityToken: securityToken.value }
    : { accessKeyId, secretAccessKey }

/**
 * The live client configured from the environment (see `config`). A missing or malformed
 * variable fails the layer with a `ConfigError` naming it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "endpoint" | "region" | "projectId" | "credentials"> = {}
): Layer.Layer<DcsClient.DcsClient, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(config, (settings) => layer({ ...options, ...settings })))
