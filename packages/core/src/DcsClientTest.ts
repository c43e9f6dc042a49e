/**
 * The in-memory `DcsClient` for unit tests: no network, no account. It validates input exactly as
 * the live client does, pages like the server, runs created analyses through `waiting`,
 * `running` and `success` (or `failed`) as the test's `Clock` advances, can be told to fail with
 * any `DcsError`, and records the calls it received.
 *
 * @example
 * ```ts
 * import { DcsClient, DcsClientTest } from "@effect-dcs/core"
 * import { Effect } from "effect"
 *
 * const program = DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "i-1" }).pipe(
 *   Effect.zipRight(DcsClientTest.TestClient),
 *   Effect.flatMap((test) => test.calls),
 *   Effect.provide(DcsClientTest.layer({ tasks: [] }))
 * )
 * ```
 *
 * @since 0.2.0
 */
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as DcsClient from "./DcsClient.js"
import type { DcsError } from "./DcsError.js"
import type { DcsInstance, DcsInstanceNode } from "./DcsInstance.js"
import * as internal from "./internal/testBackend.js"
import * as internalFleet from "./internal/testFleet.js"
import type {
  OfflineKeyAnalysisRecord,
  OfflineKeyAnalysisReport,
  OfflineKeyAnalysisStatus
} from "./OfflineKeyAnalysis.js"

/**
 * A call the test client received (after validation: a call that failed validation is not
 * recorded, as the live client would not have sent it).
 *
 * @since 0.2.0
 * @category models
 */
export type TestCall =
  | {
    readonly operation: "listOfflineKeyAnalysisTasks"
    readonly query: {
      readonly instanceId: string
      readonly offset?: number | undefined
      readonly limit?: number | undefined
      readonly status?: OfflineKeyAnalysisStatus | undefined
    }
  }
  | {
    readonly operation: "createOfflineKeyAnalysis"
    readonly instanceId: string
    readonly nodeId: string
    readonly backupId: string | undefined
  }
  | {
    readonly operation: "showOfflineKeyAnalysisTask" | "deleteOfflineKeyAnalysisTask" | "listOfflineKeyAnalysisNodes"
    readonly instanceId: string
    readonly taskId: string
  }
  | {
    readonly operation: "listInstances"
    readonly query: {
      readonly offset?: number | undefined
      readonly limit?: number | undefined
      readonly instanceId?: string | undefined
      readonly name?: string | undefined
      readonly nameEqual?: boolean | undefined
      readonly status?: string | undefined
      readonly tags?: ReadonlyArray<readonly [string, string]> | undefined
    }
  }
  | {
    readonly operation: "listInstanceNodes"
    readonly instanceId: string
  }

/**
 * What an analysis was asked for.
 *
 * @since 0.2.0
 * @category models
 */
export interface AnalysisInput {
  readonly instanceId: string
  readonly nodeId: string
  readonly backupId: string | undefined
}

/**
 * How analyses created in the test layer move: `waiting` for `waitingFor`, `running` for
 * `runningFor`, then `outcome`, on the test's `Clock` (so `TestClock.adjust` moves them).
 *
 * @since 0.2.0
 * @category models
 */
export interface TestAnalysisOptions {
  /** 2 seconds by default. */
  readonly waitingFor?: Duration.DurationInput | undefined
  /** 8 seconds by default. */
  readonly runningFor?: Duration.DurationInput | undefined
  /** `success` by default. */
  readonly outcome?: ((analysis: AnalysisInput) => "success" | "failed") | undefined
  /** The report of a successful analysis; by default one with the task's ids and times only. */
  readonly report?: ((analysis: TestAnalysis) => OfflineKeyAnalysisReport) | undefined
}

/**
 * An analysis created in the test layer.
 *
 * @since 0.2.0
 * @category models
 */
export interface TestAnalysis {
  readonly taskId: string
  readonly instanceId: string
  readonly nodeId: string
  readonly backupId: string | undefined
  readonly record: OfflineKeyAnalysisRecord
}

/**
 * An instance of the test layer's fleet, with its nodes.
 *
 * @since 0.2.0
 * @category models
 */
export interface TestFleetInstance {
  readonly instance: DcsInstance
  /** Its nodes, as `listInstanceNodes` answers them; none by default (an instance being created). */
  readonly nodes?: ReadonlyArray<DcsInstanceNode> | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface TestOptions {
  /**
   * The instances `listInstances` lists (filtered and paged like the server) and their nodes. An
   * analysis of a Redis 3.0 or Memcached instance fails with `DcsNotSupported`, of a node that is
   * not a data node of its instance with `DcsBadRequest` (`DCS.3053`); the nodes of an instance
   * not in the fleet are a `DcsNotFound` (`DCS.3022`). Per-node reports: `analysis.report`.
   */
  readonly fleet?: ReadonlyArray<TestFleetInstance> | undefined
  /** The tasks every instance lists, in the order given (the service lists newest first). */
  readonly tasks?: ReadonlyArray<OfflineKeyAnalysisRecord> | undefined
  /** Tasks per instance; when given, an instance not named fails with `DcsNotFound`. */
  readonly instances?: Readonly<Record<string, ReadonlyArray<OfflineKeyAnalysisRecord>>> | undefined
  /**
   * Instances that do not support offline key analysis (Redis 3.0, Memcached): creating an
   * analysis there fails with `DcsNotSupported` (`DCS.4230`), as the service answers.
   */
  readonly unsupported?: ReadonlyArray<string> | undefined
  /** The most records one page returns, like a server that caps `limit`. */
  readonly maxLimit?: number | undefined
  /** Fails a call with the error returned, if any. */
  readonly failWith?: ((call: TestCall) => DcsError | undefined) | undefined
  /** How created analyses move. */
  readonly analysis?: TestAnalysisOptions | undefined
  /** Reports of the given `tasks`, by task id (show answers an empty report otherwise). */
  readonly reports?: Readonly<Record<string, OfflineKeyAnalysisReport>> | undefined
}

/**
 * The controls of the test layer: the calls made, and the data and failures served.
 *
 * @since 0.2.0
 * @category models
 */
export interface TestClient {
  /** Every call received, in order. */
  readonly calls: Effect.Effect<ReadonlyArray<TestCall>>
  /** Replaces the tasks of an instance (or of every instance when `instanceId` is omitted). */
  readonly setTasks: (tasks: ReadonlyArray<OfflineKeyAnalysisRecord>, instanceId?: string) => Effect.Effect<void>
  /** Replaces the failure function. */
  readonly setFailWith: (failWith: ((call: TestCall) => DcsError | undefined) | undefined) => Effect.Effect<void>
  /**
   * Replaces the fleet.
   *
   * @since 0.2.0
   */
  readonly setFleet: (fleet: ReadonlyArray<TestFleetInstance>) => Effect.Effect<void>
}

/**
 * The controls of the test layer, in the context it provides.
 *
 * @since 0.2.0
 * @category tags
 */
export const TestClient: Context.Tag<TestClient, TestClient> = internal.TestClient

/**
 * The in-memory client and its controls (also known as `DcsClient.layerTest`).
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: (options?: TestOptions) => Layer.Layer<DcsClient.DcsClient | TestClient> = DcsClient.layerTest

/**
 * The fields of a test instance; everything but `id` has a default (a running Redis 5.0
 * instance named after its id, created at the epoch).
 *
 * @since 0.2.0
 * @category models
 */
export interface TestInstanceFields extends Partial<ConstructorParameters<typeof DcsInstance>[0]> {
  readonly id: string
}

/**
 * A `DcsInstance` for tests, from its id and the fields that matter to the test.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeInstance: (fields: TestInstanceFields) => DcsInstance = internalFleet.makeInstance

/**
 * The nodes of a test instance: `shards` shards (1 by default) named `group-0`, `group-1`, …,
 * each with a master `{instanceId}-s{shard}-master` and `replicas` replicas (1 by default)
 * `{instanceId}-s{shard}-replica{n}`, all active; then `proxies` proxies (0 by default).
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeNodes: (
  instanceId: string,
  options?: {
    readonly shards?: number | undefined
    readonly replicas?: number | undefined
    readonly proxies?: number | undefined
  }
) => ReadonlyArray<DcsInstanceNode> = internalFleet.makeNodes
