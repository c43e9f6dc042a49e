/**
 * The project id of a region, looked up in IAM when none is given, as the official SDKs do: a
 * signed `GET {iam}/v3/projects?name={region}`. Exactly one project must answer; none or several
 * is a `ProjectLookupError` naming the region. A project is never created.
 *
 * The IAM endpoint is the one given (the `iamEndpoint` option, or the profile's `iam_endpoint`),
 * else `HUAWEICLOUD_SDK_IAM_ENDPOINT`, else `https://iam.{region}.myhuaweicloud.com`. Found ids
 * are kept for the life of the process, per IAM endpoint, access key and region.
 *
 * `NodeDcsClient.layer` calls it when it has a region and no project id.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Credentials from "./Credentials.js"
import * as internal from "./internal/projectLookup.js"
import * as Signer from "./Signer.js"

/**
 * No project id: IAM has no project of that name, or several, or could not be asked; or there
 * was no region to ask about.
 *
 * @since 0.1.0
 * @category errors
 */
export class ProjectLookupError extends Schema.TaggedError<ProjectLookupError>()("ProjectLookupError", {
  /** The region looked up; absent when there was none to look up. */
  region: Schema.optional(Schema.String),
  /** The IAM URL asked. */
  iamEndpoint: Schema.optional(Schema.String),
  reason: Schema.String,
  /** IAM's HTTP status, when it answered one that was not 2xx. */
  status: Schema.optional(Schema.Number),
  /** IAM's `X-Request-Id`. */
  requestId: Schema.optional(Schema.String)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    if (this.region === undefined) return `No project id: ${this.reason}`
    const where = this.iamEndpoint === undefined ? "" : ` at ${this.iamEndpoint}`
    const id = this.requestId === undefined ? "" : ` (request id ${this.requestId})`
    return `Could not find the project id of region "${this.region}" in IAM${where}: ${this.reason}${id}`
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LookupOptions {
  readonly region: string
  /** The credentials to sign with (their security token included). */
  readonly credentials: Credentials.AccessKey
  /** The IAM endpoint; see the module's documentation for the default. */
  readonly iamEndpoint?: string | undefined
  /** `SDK-HMAC-SHA256` by default. */
  readonly algorithm?: Signer.SigningAlgorithm | undefined
  /** The time the IAM call may take; 30 seconds by default. */
  readonly timeout?: Duration.DurationInput | undefined
  /** The `User-Agent` header. */
  readonly userAgent?: string | undefined
}

/**
 * The IAM endpoint of a region: `https://iam.{region}.myhuaweicloud.com`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const regionIamEndpoint: (region: string) => string = internal.regionIamEndpoint

/**
 * Looks the project id of a region up in IAM (or answers it from the process-wide cache), with the
 * `HttpClient` in context.
 *
 * @since 0.1.0
 * @category lookup
 */
export const lookup = (options: LookupOptions): Effect.Effect<string, ProjectLookupError, HttpClient.HttpClient> =>
  internal.lookup({
    region: options.region,
    credentials: options.credentials,
    iamEndpoint: options.iamEndpoint,
    timeout: Option.getOrElse(Duration.decodeUnknown(options.timeout), () => Duration.seconds(30)),
    userAgent: options.userAgent ?? "effect-dcs",
    sign: (request, credentials, now) => Signer.signRequest(request, { credentials, now, algorithm: options.algorithm })
  }).pipe(
    Effect.mapError((failure) =>
      new ProjectLookupError({
        region: options.region,
        iamEndpoint: failure.iamEndpoint,
        reason: failure.reason,
        status: failure.status,
        requestId: failure.requestId
      })
    )
  )
