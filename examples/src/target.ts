/**
 * Where the examples run: against the real cloud when DCS_INSTANCE_ID names an instance there,
 * otherwise against a local emulator started for the life of the program.
 *
 * Cloud: DCS_INSTANCE_ID plus `NodeDcsClient.layerConfig()`'s settings (DCS_ENDPOINT or DCS_REGION,
 * DCS_PROJECT_ID, and credentials from the environment's CLOUD_SDK_AK / CLOUD_SDK_SK, the profile
 * file or the ECS metadata service).
 */
import type { DcsClient } from "@effect-dcs/core"
import { type Credentials, DcsEmulator, NodeDcsClient, type ProjectLookup } from "@effect-dcs/node"
import type { HttpServerError } from "@effect/platform"
import { Config, type ConfigError, Context, Effect, Layer, Option } from "effect"

export class Target extends Context.Tag("examples/Target")<Target, {
  readonly instanceId: string
  readonly description: string
}>() {}

const cloudInstanceId = Config.option(Config.nonEmptyString("DCS_INSTANCE_ID"))

/**
 * The client and the instance to use. Without DCS_INSTANCE_ID, an emulator is started, seeded
 * with `emulatorTasks` generated tasks (and the extra instances given).
 */
export const layer = (options: {
  readonly emulatorTasks?: number
  readonly emulator?: DcsEmulator.Options
} = {}): Layer.Layer<
  DcsClient.DcsClient | Target,
  ConfigError.ConfigError | Credentials.CredentialsError | ProjectLookup.ProjectLookupError | HttpServerError.ServeError
> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const instanceId = yield* cloudInstanceId
    if (Option.isSome(instanceId)) {
      return Layer.merge(
        NodeDcsClient.layerConfig(),
        Layer.succeed(Target, { instanceId: instanceId.value, description: "Huawei Cloud" })
      )
    }
    const emulator = yield* DcsEmulator.make({
      instances: [{
        id: DcsEmulator.defaultInstanceId,
        tasks: DcsEmulator.generateTasks(options.emulatorTasks ?? 3000)
      }],
      ...options.emulator
    })
    return Layer.merge(
      NodeDcsClient.layer({ endpoint: emulator.url, projectId: emulator.projectId, credentials: emulator.credentials }),
      Layer.succeed(Target, { instanceId: emulator.instanceId, description: `the local emulator at ${emulator.url}` })
    )
  }))
