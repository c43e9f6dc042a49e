/**
 * Example 3: handle each failure by its tag.
 *
 * Against the emulator it shows three real failures: an instance that does not support offline
 * key analysis (400 DCS.4230), an unknown instance (404) and a wrong secret key (401 APIGW.0301).
 *
 *   pnpm --filter @effect-dcs/examples handle-errors
 */
import { DcsClient } from "@effect-dcs/core"
import { DcsEmulator, NodeDcsClient } from "@effect-dcs/node"
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Redacted } from "effect"

// What a program would do with each failure of a list call.
const describeTasks = (instanceId: string) =>
  DcsClient.listOfflineKeyAnalysisTasks({ instanceId, limit: 1 }).pipe(
    Effect.map((page) => `${instanceId}: ${page.total} tasks`),
    Effect.catchTags({
      DcsNotSupported: (error) =>
        Effect.succeed(
          `${instanceId}: this instance does not support offline key analysis (Redis 4.0+ needed); request id ${error.requestId}`
        ),
      DcsBadRequest: (error) => Effect.succeed(`${instanceId}: rejected: ${error.message}`),
      DcsNotFound: (error) =>
        Effect.succeed(`${instanceId}: no such instance (${error.errorCode}, request id ${error.requestId})`),
      DcsUnauthorized: (error) =>
        Effect.succeed(
          `${instanceId}: check CLOUD_SDK_AK / CLOUD_SDK_SK: ${error.errorCode} (request id ${error.requestId})`
        ),
      DcsForbidden: (error) => Effect.succeed(`${instanceId}: not allowed: ${error.errorMsg}`),
      DcsInvalidRequest: (error) => Effect.succeed(`${instanceId}: not sent: ${error.message}`)
    })
    // Transient failures (DcsTransportError, 5xx, 429) were already retried; anything left fails the program.
  )

const program = Effect.gen(function*() {
  const emulator = yield* DcsEmulator.make({
    instances: [
      { id: "redis-6-instance", tasks: DcsEmulator.generateTasks(12) },
      { id: "redis-3-instance", supportsKeyAnalysis: false }
    ]
  })
  const settings = { endpoint: emulator.url, projectId: emulator.projectId }
  const good = NodeDcsClient.layer({ ...settings, credentials: emulator.credentials })
  const wrongSecret = NodeDcsClient.layer({
    ...settings,
    credentials: { accessKeyId: emulator.credentials.accessKeyId, secretAccessKey: Redacted.make("not-the-secret") }
  })
  for (const instanceId of ["redis-6-instance", "redis-3-instance", "no-such-instance", " "]) {
    yield* Console.log(yield* describeTasks(instanceId).pipe(Effect.provide(good)))
  }
  yield* Console.log(yield* describeTasks("redis-6-instance").pipe(Effect.provide(wrongSecret)))
})

program.pipe(Effect.scoped, NodeRuntime.runMain)
