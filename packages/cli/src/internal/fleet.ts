/**
 * The fleet commands: `instances`, `nodes <instance>` (an instance's logical nodes),
 * `analyze <instance>` without `--node` (the whole instance, shard by shard), and `fleet`.
 *
 * @since 0.2.0
 */
import * as DcsClient from "@effect-dcs/core/DcsClient"
import * as DcsInstance from "@effect-dcs/core/DcsInstance"
import * as Fleet from "@effect-dcs/core/Fleet"
import * as InstanceAnalysis from "@effect-dcs/core/InstanceAnalysis"
import * as OfflineKeyAnalysis from "@effect-dcs/core/OfflineKeyAnalysis"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Connection from "./connection.js"
import * as Format from "./format.js"
import * as CliOptions from "./options.js"
import * as Reports from "./reports.js"
import * as Table from "./table.js"
import { statusLine, stderrIsTerminal } from "./terminal.js"

/** A fleet run in which some instance failed: exit code 1, after the table. */
export class FleetFailed extends Data.TaggedError("FleetFailed")<{ readonly message: string }> {}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

const filterOptions = {
  name: Options.text("name").pipe(
    Options.withDescription("Only the instances whose name contains this (exactly this with --name-equal)."),
    Options.optional
  ),
  nameEqual: Options.boolean("name-equal").pipe(Options.withDescription("--name must match the whole name.")),
  status: Options.choice("status", DcsInstance.KnownInstanceStatus.literals).pipe(
    Options.withDescription("Only the instances with this status."),
    Options.optional
  ),
  tags: Options.keyValueMap("tag").pipe(
    Options.withDescription("Only the instances with this tag, as key=value (repeatable: every tag must match)."),
    Options.optional
  )
} as const

interface Filters {
  readonly name: Option.Option<string>
  readonly nameEqual: boolean
  readonly status: Option.Option<string>
  readonly tags: Option.Option<HashMap.HashMap<string, string>>
}

const filtersOf = (config: Filters): DcsClient.InstanceFilters => ({
  name: Option.getOrUndefined(config.name),
  nameEqual: config.nameEqual ? true : undefined,
  status: Option.getOrUndefined(config.status),
  tags: Option.getOrUndefined(Option.map(config.tags, (tags) => Object.fromEntries(HashMap.toEntries(tags))))
})

// ---------------------------------------------------------------------------------------------
// instances
// ---------------------------------------------------------------------------------------------

const encodeInstance = Schema.encodeSync(DcsInstance.DcsInstance)
const encodeNode = Schema.encodeSync(DcsInstance.DcsInstanceNode)
const encodeAnalysis = Schema.encodeSync(InstanceAnalysis.InstanceAnalysis)
const encodeOutcome = Schema.encodeSync(Fleet.FleetOutcome)

const megabytes = (mb: number): string => Format.bytes(Math.round(mb * 1024 * 1024))

const engineOf = (instance: DcsInstance.DcsInstance): string =>
  instance.engineVersion === "" ? instance.engine : `${instance.engine} ${instance.engineVersion}`

const memoryOf = (instance: DcsInstance.DcsInstance): string =>
  Option.isNone(instance.maxMemory)
    ? Format.none
    : `${Format.optional(instance.usedMemory, megabytes)} / ${megabytes(instance.maxMemory.value)}`

const address = (ip: Option.Option<string>, port: Option.Option<number>): string =>
  Option.match(ip, {
    onNone: () => Format.none,
    onSome: (ip) => Option.match(port, { onNone: () => ip, onSome: (port) => `${ip}:${port}` })
  })

/** The instances as a table. */
export const instanceTable = (instances: ReadonlyArray<DcsInstance.DcsInstance>): string =>
  Table.render(
    [
      { header: "ID" },
      { header: "NAME" },
      { header: "ENGINE" },
      { header: "STATUS" },
      { header: "CAPACITY", align: "right" },
      { header: "MEMORY (USED / MAX)", align: "right" },
      { header: "ADDRESS" }
    ],
    instances.map((instance) => [
      instance.id,
      instance.name,
      engineOf(instance),
      DcsInstance.instanceStatusToString(instance.status),
      Format.optional(instance.capacity, (gb) => `${gb} GB`),
      memoryOf(instance),
      address(instance.ip, instance.port)
    ])
  )

/**
 * `instances`: the project's instances, filtered on the service.
 */
export const instances = Command.make(
  "instances",
  {
    ...filterOptions,
    json: CliOptions.json("Print NDJSON: one instance per line (camelCase fields, ISO-8601 times)."),
    connection: Connection.options
  },
  (config) =>
    Connection.provide(
      config.connection,
      Effect.gen(function*() {
        const found: Array<DcsInstance.DcsInstance> = []
        yield* DcsClient.streamInstances(filtersOf(config)).pipe(
          Stream.runForEach((instance) =>
            config.json
              ? Console.log(Format.json(encodeInstance(instance)))
              : Effect.sync(() => found.push(instance))
          )
        )
        if (config.json) return
        yield* Console.log(instanceTable(found))
        yield* Console.error(`${Format.count(found.length)} instances`)
      })
    )
).pipe(
  Command.withDescription(
    "List the DCS instances of the project (id, name, engine, status, capacity, memory, address), " +
      "to find the instance ids the other commands take."
  )
)

// ---------------------------------------------------------------------------------------------
// nodes <instance>
// ---------------------------------------------------------------------------------------------

/** An instance's logical nodes as a table. */
export const instanceNodeTable = (nodes: ReadonlyArray<DcsInstance.DcsInstanceNode>): string =>
  Table.render(
    [
      { header: "NODE ID" },
      { header: "TYPE" },
      { header: "SHARD" },
      { header: "STATUS" },
      { header: "ADDRESS" },
      { header: "AZ" }
    ],
    nodes.map((node) => [
      node.nodeId,
      DcsInstance.nodeTypeToString(node.nodeType),
      Format.optional(Option.filter(Option.orElse(node.groupName, () => node.groupId), (shard) => shard !== "")),
      Format.optional(node.status),
      address(node.ip, node.port),
      Format.optional(node.azCode)
    ])
  )

/** `nodes <instance>`: the instance's logical nodes (the ids `analyze --node` takes). */
export const printInstanceNodes = (instanceId: string, json: boolean) =>
  Effect.flatMap(DcsClient.listInstanceNodes({ instanceId }), (nodes) =>
    json
      ? nodes.length === 0 ? Effect.void : Console.log(nodes.map((node) => Format.json(encodeNode(node))).join("\n"))
      : Console.log(instanceNodeTable(nodes)))

// ---------------------------------------------------------------------------------------------
// analyze <instance>
// ---------------------------------------------------------------------------------------------

const taskLine = (task: DcsClient.AnalysisTask): string =>
  task.attached
    ? `attached to task ${task.taskId}, already running on node ${task.nodeId}`
    : `created task ${task.taskId} (node ${task.nodeId})`

/** What to say when interrupted: the tasks go on on the service, and `wait` waits for them. */
const interruptedLines = (tasks: ReadonlyArray<DcsClient.AnalysisTask>): string =>
  tasks.length === 0
    ? "interrupted: no analysis was created"
    : [
      `interrupted: the analyses go on on the service; wait for them with:`,
      ...tasks.map((task) => `  wait ${task.instanceId} ${task.taskId}`)
    ].join("\n")

/** The merged report of an instance, for people. */
export const instanceAnalysisText = (analysis: InstanceAnalysis.InstanceAnalysis, chart = false): string => {
  const details = instanceDetails(analysis)
  if (chart) return `${details}\n\n${Reports.reportCharts(mergedReport(analysis), Reports.chartStyle())}`
  return instanceAnalysisTables(analysis, details)
}

// The merged analysis in the shape of one report, for the charts (which draw a report).
const mergedReport = (analysis: InstanceAnalysis.InstanceAnalysis) =>
  new OfflineKeyAnalysis.OfflineKeyAnalysisReport({
    id: Option.none(),
    instanceId: Option.some(analysis.instanceId),
    nodeId: Option.none(),
    backupId: Option.none(),
    groupName: Option.none(),
    nodeIp: Option.none(),
    nodeIpv6: Option.none(),
    nodeType: Option.none(),
    analysisType: Option.none(),
    startedAt: Option.none(),
    finishedAt: Option.none(),
    totalBytes: Option.some(analysis.totalBytes),
    totalNum: Option.some(analysis.totalNum),
    largestKeyPrefixes: analysis.largestKeyPrefixes,
    largestKeys: analysis.largestKeys.map((key) =>
      new OfflineKeyAnalysis.BigKey({ key: key.key, type: key.type, bytes: key.bytes, numOfElem: key.numOfElem })
    ),
    typeBytes: analysis.typeBytes,
    typeNum: analysis.typeNum
  })

const instanceDetails = (analysis: InstanceAnalysis.InstanceAnalysis): string =>
  Table.fields([
    ["Instance", analysis.instanceId],
    [
      "Nodes",
      analysis.nodes.map((n) =>
        `${n.node.nodeId} (${DcsInstance.nodeTypeToString(n.node.nodeType)}, ${
          Format.optional(n.node.groupName)
        }, task ${n.task.id}${n.attached ? ", attached" : ""})`
      ).join("\n" + " ".repeat("Instance".length + 2))
    ],
    ["Keys", Format.count(analysis.totalNum)],
    ["Size", Format.bytes(analysis.totalBytes)]
  ])

const instanceAnalysisTables = (analysis: InstanceAnalysis.InstanceAnalysis, details: string): string => {
  const keys = Table.render(
    [
      { header: "KEY" },
      { header: "TYPE" },
      { header: "SIZE", align: "right" },
      { header: "ELEMENTS", align: "right" },
      { header: "SHARD" },
      { header: "NODE" }
    ],
    analysis.largestKeys.map((key) => [
      key.key,
      key.type,
      Format.bytes(key.bytes),
      Format.optional(key.numOfElem, Format.count),
      key.shard === "" ? Format.none : key.shard,
      key.nodeId
    ])
  )
  const prefixes = Table.render(
    [{ header: "PREFIX" }, { header: "TYPE" }, { header: "KEYS", align: "right" }, { header: "SIZE", align: "right" }],
    analysis.largestKeyPrefixes.map((prefix) => [
      prefix.keyPrefix,
      prefix.type,
      Format.count(prefix.num),
      Format.bytes(prefix.bytes)
    ])
  )
  const types = Array.from(new Set([...analysis.typeBytes.map((t) => t.type), ...analysis.typeNum.map((t) => t.type)]))
  const byType = Table.render(
    [{ header: "TYPE" }, { header: "KEYS", align: "right" }, { header: "SIZE", align: "right" }],
    types.map((type) => [
      type,
      Format.optional(Option.fromNullable(analysis.typeNum.find((t) => t.type === type)), (t) => Format.count(t.num)),
      Format.optional(
        Option.fromNullable(analysis.typeBytes.find((t) => t.type === type)),
        (t) => Format.bytes(t.bytes)
      )
    ])
  )
  return [
    details,
    `Biggest keys, all shards (${analysis.largestKeys.length})\n${keys}`,
    `Key prefixes with the most keys (${analysis.largestKeyPrefixes.length})\n${prefixes}`,
    `By type\n${byType}`
  ].join("\n\n")
}

/** A status line with the time elapsed, redrawn every second, on a terminal only. */
const ticking = <A, E, R>(what: () => string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  if (!stderrIsTerminal()) return effect
  const line = statusLine()
  return Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const draw = Effect.flatMap(
      Clock.currentTimeMillis,
      (now) => line.show(`${what()}, ${Format.duration(now - started)}`)
    )
    yield* Effect.forkScoped(Effect.repeat(draw, Schedule.spaced("1 second")))
    return yield* effect
  }).pipe(Effect.scoped, Effect.ensuring(line.clear))
}

/** `analyze <instance>` without `--node`: every shard analysed, the reports merged. */
export const analyzeWholeInstance = (config: {
  readonly instanceId: string
  readonly timeout: Option.Option<Duration.Duration>
  readonly json: boolean
  readonly chart: boolean
}) =>
  Effect.gen(function*() {
    const tasks: Array<DcsClient.AnalysisTask> = []
    const started = yield* Clock.currentTimeMillis
    const analysis = yield* ticking(
      () => `analysing ${config.instanceId}: ${tasks.length} shard(s)`,
      DcsClient.analyzeInstance({
        instanceId: config.instanceId,
        timeout: Option.getOrUndefined(config.timeout),
        onTask: (task) => Effect.zipRight(Effect.sync(() => tasks.push(task)), Console.error(taskLine(task)))
      })
    ).pipe(Effect.onInterrupt(() => Console.error(interruptedLines(tasks))))
    const now = yield* Clock.currentTimeMillis
    yield* Console.error(`analysed ${analysis.nodes.length} shard(s) in ${Format.duration(now - started)}`)
    yield* Console.log(
      config.json ? Format.json(encodeAnalysis(analysis)) : instanceAnalysisText(analysis, config.chart)
    )
  })

// ---------------------------------------------------------------------------------------------
// fleet
// ---------------------------------------------------------------------------------------------

const outcomeCell = (summary: Fleet.FleetInstanceSummary): string =>
  summary.outcome === "Analyzed"
    ? "analysed"
    : `${summary.outcome.toLowerCase()}: ${Option.getOrElse(summary.reason, () => "")}`

/** The fleet table and the fleet-wide biggest keys. */
export const fleetText = (summary: Fleet.FleetSummary): string => {
  const instancesTable = Table.render(
    [
      { header: "INSTANCE" },
      { header: "VERSION" },
      { header: "SIZE", align: "right" },
      { header: "BIGGEST KEY" },
      { header: "KEY SIZE", align: "right" },
      { header: "OUTCOME" }
    ],
    summary.instances.map((line) => [
      line.instance.name,
      engineOf(line.instance),
      Format.optional(line.totalBytes, Format.bytes),
      Format.optional(line.biggestKey, (key) => key.key),
      Format.optional(line.biggestKey, (key) => Format.bytes(key.bytes)),
      outcomeCell(line)
    ])
  )
  const keys = Table.render(
    [
      { header: "INSTANCE" },
      { header: "KEY" },
      { header: "TYPE" },
      { header: "SIZE", align: "right" },
      { header: "SHARD" }
    ],
    summary.largestKeys.map(({ instance, key }) => [
      instance.name,
      key.key,
      key.type,
      Format.bytes(key.bytes),
      key.shard === "" ? Format.none : key.shard
    ])
  )
  return [
    instancesTable,
    `Biggest keys of the fleet (${summary.largestKeys.length})\n${keys}`
  ].join("\n\n")
}

const countsLine = (counts: Fleet.FleetSummary["counts"]): string => {
  const total = counts.Analyzed + counts.Unsupported + counts.Skipped + counts.Failed
  return `${total} instances: ${counts.Analyzed} analysed, ${counts.Unsupported} unsupported, ` +
    `${counts.Skipped} skipped, ${counts.Failed} failed`
}

/**
 * `fleet`: every instance matching the filters analysed, `--concurrency` at once.
 */
export const fleet = Command.make(
  "fleet",
  {
    ...filterOptions,
    concurrency: CliOptions.integerAtLeast("concurrency", 1, "How many instances are analysed at once (default 4).")
      .pipe(Options.optional),
    top: CliOptions.integerAtLeast("top", 1, "How many of the fleet's biggest keys to show (default 10).").pipe(
      Options.withDefault(10)
    ),
    timeout: CliOptions.timeout,
    json: CliOptions.json(
      "Print NDJSON: one outcome per instance and line as it finishes, {_tag: Analyzed|Unsupported|Skipped|Failed, " +
        "instance, analysis|reason|error}."
    ),
    connection: Connection.options
  },
  (config) =>
    Connection.provide(
      config.connection,
      Effect.gen(function*() {
        const terminal = stderrIsTerminal()
        const line = statusLine()
        const tasks: Array<DcsClient.AnalysisTask> = []
        const outcomes: Array<Fleet.FleetOutcome> = []
        let total = 0
        const progress = () => `${outcomes.length} / ${total} instances done`
        yield* DcsClient.analyzeFleet({
          ...filtersOf(config),
          concurrency: Option.getOrUndefined(config.concurrency),
          timeout: Option.getOrUndefined(config.timeout),
          onInstances: (found) =>
            Effect.zipRight(
              Effect.sync(() => (total = found.length)),
              terminal ? line.show(progress()) : Console.error(`analysing ${found.length} instances`)
            ),
          onTask: (task) => Effect.sync(() => tasks.push(task))
        }).pipe(
          Stream.runForEach((outcome) =>
            Effect.gen(function*() {
              outcomes.push(outcome)
              if (config.json) {
                yield* line.clear
                yield* Console.log(Format.json(encodeOutcome(outcome)))
              }
              yield* terminal
                ? line.show(progress())
                : Console.error(`${outcomes.length} / ${total} ${outcome.instance.name}: ${outcome._tag}`)
            })
          ),
          Effect.ensuring(line.clear),
          Effect.onInterrupt(() => {
            const finished = new Set(outcomes.map((outcome) => outcome.instance.id))
            return Console.error(interruptedLines(tasks.filter((task) => !finished.has(task.instanceId))))
          })
        )
        const summary = Fleet.summarizeFleet(outcomes, { top: config.top })
        if (!config.json) yield* Console.log(fleetText(summary))
        yield* Console.error(countsLine(summary.counts))
        if (summary.counts.Failed > 0) {
          const failed = summary.instances.filter((line) => line.outcome === "Failed")
          return yield* new FleetFailed({
            message: [
              `${failed.length} instance(s) failed:`,
              ...failed.map((line) =>
                `  ${line.instance.name} (${line.instance.id}): ${Option.getOrElse(line.reason, () => "")}`
              )
            ].join("\n")
          })
        }
      })
    )
).pipe(
  Command.withDescription(
    "Analyse every instance matching the filters, several at once, shard by shard: a table of the instances " +
      "(version, outcome, size, biggest key) and the fleet's biggest keys. Exit code 1 when an instance failed."
  )
)

/** The instance-id argument of `nodes` and the optional task id that keeps its former meaning. */
export const optionalTaskId = Args.text({ name: "task-id" }).pipe(
  Args.withDescription("With a task id: the nodes that task analysed. Without: the instance's nodes."),
  Args.optional
)
