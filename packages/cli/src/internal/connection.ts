/**
 * Where the tool sends its requests, and with which credentials.
 *
 * The client is `NodeDcsClient.layerConfig()`'s: the same variables (`DCS_ENDPOINT` or
 * `DCS_REGION`, `DCS_PROJECT_ID`, …) and the same credentials chain (`CLOUD_SDK_AK` /
 * `CLOUD_SDK_SK` / `CLOUD_SDK_SECURITY_TOKEN` and their `HUAWEICLOUD_SDK_*` names, then the
 * profile file, then the ECS metadata service). The flags come first, through a `ConfigProvider`
 * put in front of the environment: `--endpoint` and `--region` stand for `DCS_ENDPOINT` (and
 * `DCS_REGION`), `--project-id` for `DCS_PROJECT_ID`, and the content of `--sk-file` for
 * `CLOUD_SDK_SK`. The secret key is never a flag: a flag's value is visible to every user of the
 * machine (`ps`) and stays in the shell's history.
 *
 * `--emulator` starts a `DcsEmulator` in the process instead, for the life of the command.
 *
 * @since 0.1.0
 */
import * as DcsClient from "@effect-dcs/core/DcsClient"
import type * as Credentials from "@effect-dcs/node/Credentials"
import * as DcsEmulator from "@effect-dcs/node/DcsEmulator"
import * as NodeDcsClient from "@effect-dcs/node/NodeDcsClient"
import type * as ProjectLookup from "@effect-dcs/node/ProjectLookup"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { ConfigurationError, UsageError } from "./errors.js"
import { invalidValue } from "./options.js"

/** The `User-Agent` of the tool's requests. */
export const userAgent = `dcs-key-analysis/0.1.0 ${NodeDcsClient.userAgent}`

/** The flags every command takes to choose the service. */
export interface Flags {
  readonly endpoint: Option.Option<string>
  readonly region: Option.Option<string>
  readonly projectId: Option.Option<string>
  readonly skFile: Option.Option<string>
  readonly emulator: boolean
}

/** The flags, for a command's config. */
export const options = {
  endpoint: Options.text("endpoint").pipe(
    Options.withDescription(
      "The API endpoint, a full URL (a private endpoint, an emulator). Overrides DCS_ENDPOINT and DCS_REGION."
    ),
    // The value is not echoed: a URL may carry a password.
    Options.mapEffect((value) =>
      DcsClient.isEndpointUrl(value)
        ? Effect.succeed(value)
        : invalidValue("--endpoint must be an http(s) URL without credentials, query or fragment")
    ),
    Options.optional
  ),
  region: Options.text("region").pipe(
    Options.withDescription(
      "The region, e.g. cn-north-4: the endpoint is https://dcs.<region>.myhuaweicloud.com. " +
        "Overrides DCS_ENDPOINT and DCS_REGION."
    ),
    Options.mapEffect((value) =>
      /^[a-z0-9]+(-[a-z0-9]+)*$/.test(value)
        ? Effect.succeed(value)
        : invalidValue(`--region must be a region name such as cn-north-4, got "${value}"`)
    ),
    Options.optional
  ),
  projectId: Options.text("project-id").pipe(
    Options.withDescription("The project id. Overrides DCS_PROJECT_ID and HUAWEICLOUD_SDK_PROJECT_ID."),
    Options.mapEffect((value) =>
      /^[A-Za-z0-9_-]+$/.test(value)
        ? Effect.succeed(value)
        : invalidValue(`--project-id must be a project id (letters, digits, - and _), got "${value}"`)
    ),
    Options.optional
  ),
  skFile: Options.file("sk-file", { exists: "yes" }).pipe(
    Options.withDescription(
      "A file holding the secret key, alone on one line. Overrides CLOUD_SDK_SK and HUAWEICLOUD_SDK_SK. " +
        "The secret key is never given as a flag."
    ),
    Options.optional
  ),
  emulator: Options.boolean("emulator").pipe(
    Options.withDescription(
      "Run against an emulator started in the process, seeded with generated tasks (a try-out: nothing " +
        "it holds outlives the command). Its instance and node ids are printed on stderr."
    )
  )
}

const readSecretKey = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(
      Effect.mapError((error) =>
        new ConfigurationError({ message: `configuration error: cannot read --sk-file ${path}: ${error.message}` })
      )
    )
    const key = text.trim()
    // The content is never echoed.
    if (key === "" || /\s/.test(key)) {
      return yield* new ConfigurationError({
        message: `configuration error: --sk-file ${path} must hold the secret key alone, on one line`
      })
    }
    return key
  })

/**
 * The variables the flags stand for, to put in front of the environment. `--region` gives the
 * endpoint (over a `DCS_ENDPOINT` of the environment) and the region of the project id lookup.
 */
export const overrides = (flags: Flags, secretKey: Option.Option<string>): ReadonlyMap<string, string> => {
  const map = new Map<string, string>()
  if (Option.isSome(flags.region)) map.set("DCS_REGION", flags.region.value)
  const endpoint = Option.orElse(flags.endpoint, () => Option.map(flags.region, NodeDcsClient.regionEndpoint))
  if (Option.isSome(endpoint)) map.set("DCS_ENDPOINT", endpoint.value)
  if (Option.isSome(flags.projectId)) map.set("DCS_PROJECT_ID", flags.projectId.value)
  if (Option.isSome(secretKey)) map.set("CLOUD_SDK_SK", secretKey.value)
  return map
}

/**
 * The `ConfigProvider` of a command: the flags first, then the one in force (the environment,
 * unless a test says otherwise).
 */
export const configProvider = (flags: Flags) =>
  Effect.gen(function*() {
    const secretKey = yield* Option.match(flags.skFile, {
      onNone: () => Effect.succeed(Option.none<string>()),
      onSome: (path) => Effect.map(readSecretKey(path), Option.some)
    })
    const fromFlags = ConfigProvider.fromMap(new Map(overrides(flags, secretKey)))
    return yield* Effect.configProviderWith((current) =>
      Effect.succeed(ConfigProvider.orElse(fromFlags, () => current))
    )
  })

const connectionFlags = (flags: Flags): ReadonlyArray<string> => [
  ...(Option.isSome(flags.endpoint) ? ["--endpoint"] : []),
  ...(Option.isSome(flags.region) ? ["--region"] : []),
  ...(Option.isSome(flags.projectId) ? ["--project-id"] : []),
  ...(Option.isSome(flags.skFile) ? ["--sk-file"] : [])
]

/** The emulator's instance without offline key analysis (a Redis 3.0 instance, say). */
export const unsupportedInstanceId = "0e6ad7a3-30c0-4d2b-9b52-3f0a7c4e1d85"

/** How many tasks the emulator's instance is seeded with. */
export const emulatorTaskCount = 250

/** The emulator's generated fleet (for `instances`, `fleet`, `analyze <instance>`): one of each kind. */
export const emulatorFleet = DcsEmulator.generateFleet({ seed: 1, size: 12 })

const emulatorClient = Layer.unwrapScoped(Effect.gen(function*() {
  const now = yield* Clock.currentTimeMillis
  const emulator = yield* DcsEmulator.make({
    instances: [
      { id: DcsEmulator.defaultInstanceId, tasks: DcsEmulator.generateTasks(emulatorTaskCount, { now }) },
      { id: unsupportedInstanceId, supportsKeyAnalysis: false },
      ...emulatorFleet
    ],
    // Seconds rather than the service's minutes, so that a try-out of `analyze` is quick.
    analysis: { waitingFor: "1 second", runningFor: "3 seconds" }
  }).pipe(
    Effect.mapError((error) => new ConfigurationError({ message: `cannot start the emulator: ${error.message}` }))
  )
  const nodes = yield* emulator.nodes()
  yield* Console.error(
    [
      `emulator: a DCS emulator at ${emulator.url}, for this command only (the seeded tasks are the same every run)`,
      `  instance ${emulator.instanceId}  ${emulatorTaskCount} tasks; an analysis takes about 4s`,
      ...nodes.map((node) => `    node   ${node.id}  ${node.name} (${node.role})`),
      `  instance ${unsupportedInstanceId}  no offline key analysis (DCS.4230)`,
      `  and a fleet of ${emulatorFleet.length} generated instances of every kind: \`instances\` lists them`
    ].join("\n")
  )
  return NodeDcsClient.layer({
    endpoint: emulator.url,
    projectId: emulator.projectId,
    credentials: emulator.credentials,
    userAgent
  })
}))

/**
 * Runs a command's effect with the client the flags choose: the emulator's, or
 * `NodeDcsClient.layerConfig()` under the flags' `ConfigProvider`. The provider stays in force
 * for the whole command, because credentials are read when the first request is signed.
 */
export const provide = <A, E, R>(
  flags: Flags,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  | E
  | ConfigError.ConfigError
  | Credentials.CredentialsError
  | ProjectLookup.ProjectLookupError
  | UsageError
  | ConfigurationError,
  Exclude<R, DcsClient.DcsClient> | FileSystem.FileSystem
> => {
  if (flags.emulator) {
    const conflicting = connectionFlags(flags)
    return conflicting.length === 0
      ? Effect.provide(effect, emulatorClient)
      : new UsageError({ message: `--emulator cannot be combined with ${conflicting.join(", ")}` })
  }
  return Effect.flatMap(
    configProvider(flags),
    (provider) => Effect.withConfigProvider(Effect.provide(effect, NodeDcsClient.layerConfig({ userAgent })), provider)
  )
}
