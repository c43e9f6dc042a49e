/**
 * Runs the DCS emulator as a standalone process until SIGINT or SIGTERM:
 *
 * ```sh
 * pnpm --filter @effect-dcs/node emulator [--port 8080] [--host 127.0.0.1] [--tasks 3000] [--seed 1]
 *   [--fleet 40] [--throttle 20] [--analysis-ms 1000]
 * ```
 *
 * `--fleet N` serves `DcsEmulator.generateFleet({ seed, size: N })` instead (list it with
 * `GET /v2/{project_id}/instances`); `--throttle R` limits requests to R per second (429
 * `APIGW.0308`); `--analysis-ms` sets how long a new analysis takes (a fifth waiting, the rest
 * running; default 10 s).
 *
 * The port also comes from `DCS_EMULATOR_PORT` (default 0: a free port). One instance is seeded
 * with realistic tasks ending now (those that succeeded have reports) and has two nodes, whose
 * ids it prints for creating analyses; a second one answers like an instance without offline key
 * analysis (`DCS.4230`). The credentials printed are the emulator's own: they open nothing else.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as DcsEmulator from "../DcsEmulator.js"

const usage = "usage: emulator [--port <port>] [--host <host>] [--tasks <count>] [--seed <seed>]" +
  " [--fleet <instances>] [--throttle <requests per second>] [--analysis-ms <ms>]"

const unsupportedInstanceId = "0e6ad7a3-30c0-4d2b-9b52-3f0a7c4e1d85"

/** `--name value` or `--name=value`; `undefined` when absent. */
const flag = (args: ReadonlyArray<string>, name: string): string | undefined => {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === `--${name}`) return args[i + 1] ?? ""
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3)
  }
  return undefined
}

const integerFlag = (args: ReadonlyArray<string>, name: string, max: number) =>
  Effect.suspend(() => {
    const raw = flag(args, name)
    if (raw === undefined) return Effect.succeed(undefined)
    const value = Number(raw)
    return /^\d+$/.test(raw) && value <= max
      ? Effect.succeed(value)
      : Effect.fail(`--${name} must be an integer from 0 to ${max}, got "${raw}"\n${usage}`)
  })

const program = Effect.gen(function*() {
  const args = process.argv.slice(2)
  if (args.includes("--help") || args.includes("-h")) return yield* Console.log(usage)
  const port = (yield* integerFlag(args, "port", 65535)) ??
    (yield* Config.integer("DCS_EMULATOR_PORT").pipe(
      Config.validate({ message: "a port from 0 to 65535 (0: a free port)", validation: (n) => n >= 0 && n <= 65535 }),
      Config.withDefault(0)
    ))
  const host = flag(args, "host") ?? "127.0.0.1"
  const count = (yield* integerFlag(args, "tasks", 1_000_000)) ?? 3000
  const seed = (yield* integerFlag(args, "seed", 2 ** 32 - 1)) ?? 1
  const fleetSize = yield* integerFlag(args, "fleet", 100_000)
  const throttle = yield* integerFlag(args, "throttle", 1_000_000)
  const analysisMillis = yield* integerFlag(args, "analysis-ms", 86_400_000)
  const now = yield* Clock.currentTimeMillis

  const fleet = fleetSize === undefined ? undefined : DcsEmulator.generateFleet({ seed, size: fleetSize, now })
  if (fleet !== undefined && fleet.length === 0) return yield* Effect.fail(`--fleet must be at least 1\n${usage}`)
  const emulator = yield* DcsEmulator.make({
    host,
    port,
    instances: fleet ?? [
      { id: DcsEmulator.defaultInstanceId, tasks: DcsEmulator.generateTasks(count, { seed, now }) },
      { id: unsupportedInstanceId, supportsKeyAnalysis: false }
    ],
    ...(throttle === undefined || throttle === 0 ? {} : { throttle: { requestsPerSecond: throttle } }),
    ...(analysisMillis === undefined ? {} : {
      analysis: {
        waitingFor: Math.round(analysisMillis / 5),
        runningFor: analysisMillis - Math.round(analysisMillis / 5)
      }
    })
  })
  const secretAccessKey = Redacted.value(emulator.credentials.secretAccessKey)
  const nodes = yield* emulator.nodes()
  const kinds = new Map<string, number>()
  for (const instance of fleet ?? []) {
    const kind = `${instance.engine} ${instance.engineVersion} ${instance.cacheMode} ${instance.status}`
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
  }
  const served = fleet === undefined
    ? [
      `  instance id   ${emulator.instanceId}  (${count} tasks)`,
      ...nodes.map((node) => `  node id       ${node.id}  (${node.name}, ${node.role})`),
      `  instance id   ${unsupportedInstanceId}  (no offline key analysis: DCS.4230)`
    ]
    : [
      `  fleet         ${fleet.length} instances (seed ${seed}): GET /v2/${emulator.projectId}/instances`,
      ...[...kinds].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => `    ${String(n).padStart(4)} × ${kind}`),
      `  instance id   ${emulator.instanceId}  (the newest)`,
      ...nodes.map((node) => `  node id       ${node.id}  (${node.name}, ${node.role})`)
    ]
  yield* Console.log(
    [
      `DCS emulator listening on ${emulator.url}`,
      "",
      `  project id    ${emulator.projectId}`,
      ...served,
      ...(throttle === undefined || throttle === 0
        ? []
        : [`  throttled     ${throttle} requests per second (429 APIGW.0308)`]),
      `  access key    ${emulator.credentials.accessKeyId}`,
      `  secret key    ${secretAccessKey}  (the emulator's own; it opens nothing else)`,
      "",
      "Export these to point a program at it:",
      "",
      `export DCS_ENDPOINT=${emulator.url}`,
      `export DCS_PROJECT_ID=${emulator.projectId}`,
      `export DCS_INSTANCE_ID=${emulator.instanceId}`,
      `export CLOUD_SDK_AK=${emulator.credentials.accessKeyId}`,
      `export CLOUD_SDK_SK=${secretAccessKey}`,
      ...(nodes[0] === undefined ? [] : [`export DCS_NODE_ID=${nodes[0].id}`]),
      "",
      analysisMillis === undefined
        ? "A new analysis waits 2 s, runs 8 s, then succeeds: create one with"
        : `A new analysis takes ${analysisMillis} ms, then succeeds: create one with`,
      `POST /v2/{project_id}/instances/{instance_id}/offline/key-analysis {"node_id": "<node id>"}`,
      "",
      "Stop it with Ctrl+C."
    ].join("\n")
  )
  return yield* Effect.never
}).pipe(Effect.scoped)

NodeRuntime.runMain(program)
