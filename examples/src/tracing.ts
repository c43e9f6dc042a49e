/**
 * Example: trace the client with OpenTelemetry, exporting the spans to the console.
 *
 * Every call of the client is a span (`DcsClient.listOfflineKeyAnalysisTasks`, …) whose attributes
 * say which instance, offset, limit and status filter it asked for, the HTTP status and the request
 * id it got; a stream makes one such span per page. No credential appears in them. Here
 * `@effect/opentelemetry` hands them to OpenTelemetry's `ConsoleSpanExporter`: put an OTLP exporter
 * in its place to send them to a collector.
 *
 *   pnpm --filter @effect-dcs/examples tracing
 */
import { DcsClient } from "@effect-dcs/core"
import { NodeSdk } from "@effect/opentelemetry"
import { NodeRuntime } from "@effect/platform-node"
import { ConsoleSpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Console, Effect, Stream } from "effect"
import * as Target from "./target.js"

// The OpenTelemetry SDK as an Effect layer: Effect's spans become OpenTelemetry spans. The simple
// processor exports each span as soon as it ends (a batch processor suits production better).
const TracingLive = NodeSdk.layer(() => ({
  resource: { serviceName: "effect-dcs-examples" },
  spanProcessor: new SimpleSpanProcessor(new ConsoleSpanExporter())
}))

const program = Effect.gen(function*() {
  const { instanceId } = yield* Target.Target
  // Three pages of 50: three `DcsClient.listOfflineKeyAnalysisTasks` spans, children of this one.
  const count = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId, pageSize: 50 }).pipe(
    Stream.runCount
  )
  yield* Console.log(`${count} tasks streamed`)
}).pipe(Effect.withSpan("examples.tracing"))

program.pipe(
  Effect.provide(TracingLive),
  // The client is traced where it is used, in `program`. The target is built outside the tracing
  // layer so that, against the local emulator, the emulator's own server spans stay out of the
  // export, as the cloud's would.
  Effect.provide(Target.layer({ emulatorTasks: 120 })),
  NodeRuntime.runMain
)
