/**
 * Our client as users build it: `NodeDcsClient.layer` (undici keep-alive, signing on every
 * attempt, default timeout and retries), with full validation and decoding into records.
 */
import * as DcsClient from "@effect-dcs/core/DcsClient"
import * as NodeDcsClient from "@effect-dcs/node/NodeDcsClient"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { accessKeyId, pageSize, projectId, secretAccessKey } from "./fixtures.js"

export const makeOurClient = (endpoint: string) => {
  const runtime = ManagedRuntime.make(NodeDcsClient.layer({
    endpoint,
    projectId,
    credentials: { accessKeyId, secretAccessKey: Redacted.make(secretAccessKey) }
  }))
  return {
    /** Streams every task of the instance; returns how many records it emitted. */
    streamAll: (instanceId: string, concurrency = 1): Promise<number> =>
      runtime.runPromise(
        DcsClient.streamOfflineKeyAnalysisTasks({ instanceId, pageSize, concurrency }).pipe(Stream.runCount)
      ),
    close: () => runtime.dispose()
  }
}
