/**
 * Where the examples run: against the real cloud when its variables are set, otherwise against
 * a local emulator started for the life of the program.
 *
 * Cloud: `NodeDcsClient.layerConfig()`'s variables (CLOUD_SDK_AK, CLOUD_SDK_SK, DCS_PROJECT_ID,
 * DCS_ENDPOINT or DCS_REGION) plus DCS_INSTANCE_ID.
 */
import type { DcsClient } from "@effect-dcs/core"
import { DcsEmulator, NodeDcsClient } from "@effect-dcs/node"
import type { HttpServerError } from "@effect/platform"
import { Config, type ConfigError, Context, Effect, Layer, Option } from "effect"

export class Target extends Context.Tag("examples/Target")<Target, {
  readonly instanceId: string
  readonly description: string
}>() {}

const cloudInstanceId = Config.option(Config.nonEmptyString("DCS_INSTANCE_ID"))
const cloudAk = Config.option(
  Config.nonEmptyString("CLOUD_SDK_AK").pipe(Config.orElse(() => Config.nonEmptyString("HUAWEICLOUD_SDK_AK")))
)

/**
 * The client and the instance to use. With no cloud settings, an emulator is started, seeded
 * with `emulatorTasks` generated tasks (and the extra instances given).
 */
export const layer = (options: {
  readonly emulatorTasks?: number
  readonly emulator?: DcsEmulator.Options
} = {}): Layer.Layer<DcsClient.DcsClient | Target, ConfigError.ConfigError | HttpServerError.ServeError> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const instanceId = yield* cloudInstanceId
    const ak = yield* cloudAk
    if (Option.isSome(instanceId) && Option.isSome(ak)) {
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
