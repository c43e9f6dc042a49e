/**
 * One self-contained HTML page per view: inline CSS, no script that runs, no request, the data
 * embedded as JSON.
 *
 * @since 0.1.0
 */
import { DcsInstance, instanceStatusToString, nodeTypeToString } from "@effect-dcs/core/DcsInstance"
import type * as Fleet from "@effect-dcs/core/Fleet"
import { InstanceAnalysis, InstanceBigKey } from "@effect-dcs/core/InstanceAnalysis"
import { KeyPrefix, OfflineKeyAnalysisReport } from "@effect-dcs/core/OfflineKeyAnalysis"
import * as DateTime from "effect/DateTime"
import type * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as HtmlReport from "../HtmlReport.js"
import type * as ReportComparison from "../ReportComparison.js"
import * as Comparison from "./comparison.js"
import * as Humanize from "./humanize.js"

type Report = OfflineKeyAnalysis
type OfflineKeyAnalysis = OfflineKeyAnalysisReport

// ---------------------------------------------------------------------------------------------
// Escaping
// ---------------------------------------------------------------------------------------------

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }

/** Text and attribute values: keys are untrusted input. @internal */
export const escape = (text: string): string => text.replace(/[&<>"']/g, (char) => entities[char]!)

// Control characters would be invisible or break the layout: show them as \xNN.
const visible = (text: string): string =>
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`)

const t = (text: string): string => escape(visible(text))

// ---------------------------------------------------------------------------------------------
// The embedded data
// ---------------------------------------------------------------------------------------------

/** @internal */
export const dataElementId = "effect-dcs-data"

/** @internal */
export const FleetSummary = Schema.Struct({
  instances: Schema.Array(Schema.Struct({
    instance: DcsInstance,
    outcome: Schema.Literal("Analyzed", "Unsupported", "Skipped", "Failed"),
    reason: Schema.OptionFromNullOr(Schema.String),
    totalBytes: Schema.OptionFromNullOr(Schema.NonNegativeInt),
    totalNum: Schema.OptionFromNullOr(Schema.NonNegativeInt),
    biggestKey: Schema.OptionFromNullOr(InstanceBigKey)
  })),
  largestKeys: Schema.Array(Schema.Struct({ instance: DcsInstance, key: InstanceBigKey })),
  largestKeyPrefixes: Schema.Array(Schema.Struct({ instance: DcsInstance, prefix: KeyPrefix })),
  counts: Schema.Struct({
    Analyzed: Schema.NonNegativeInt,
    Unsupported: Schema.NonNegativeInt,
    Skipped: Schema.NonNegativeInt,
    Failed: Schema.NonNegativeInt
  }),
  totalBytes: Schema.NonNegativeInt,
  totalNum: Schema.NonNegativeInt
}).annotations({ identifier: "FleetSummary" })

/** @internal */
export const EmbeddedData = Schema.Union(
  Schema.TaggedStruct("Report", { report: OfflineKeyAnalysisReport }),
  Schema.TaggedStruct("Comparison", { before: OfflineKeyAnalysisReport, after: OfflineKeyAnalysisReport }),
  Schema.TaggedStruct("Instance", {
    analysis: InstanceAnalysis,
    instance: Schema.optionalWith(DcsInstance, { exact: true })
  }),
  // The summary, not the outcomes: the page is drawn from it and a reader gets back what was drawn.
  Schema.TaggedStruct("Fleet", { summary: FleetSummary })
).annotations({ identifier: "EmbeddedData" })

const EmbeddedJson = Schema.parseJson(EmbeddedData)

// `<` as \u003c: the JSON can hold no `</script>` (nor `<!--`) that would end the element early.
const embed = (data: typeof EmbeddedData.Type): string =>
  `<script type="application/json" id="${dataElementId}">${
    Schema.encodeSync(EmbeddedJson)(data).replace(/</g, "\\u003c")
  }</script>`

const dataPattern = new RegExp(`<script type="application/json" id="${dataElementId}">([^<]*)</script>`)

/** The JSON text a page embeds, if it has any. @internal */
export const embeddedJson = (html: string): string | undefined => dataPattern.exec(html)?.[1]

/** @internal */
export const decodeEmbedded: (
  json: string
) => Either.Either<typeof EmbeddedData.Type, ParseResult.ParseError> = Schema.decodeEither(EmbeddedJson)

// ---------------------------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------------------------

/** @internal */
export const contentSecurityPolicy =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; base-uri 'none'; form-action 'none'"

const css = `
:root{color-scheme:light dark;--bg:#f7f7f5;--card:#fff;--ink:#1d1f23;--muted:#5f6673;--line:#e3e4e8;--track:#eef0f3;
--up:#d9480f;--down:#1971c2;--string:#4263eb;--list:#ae3ec9;--set:#e8a200;--zset:#0ca678;--hash:#e64980;--other:#868e96;
--warn-bg:#fff4e6;--warn-ink:#8a3c00}
@media (prefers-color-scheme:dark){:root{--bg:#15171b;--card:#1d2026;--ink:#e8eaee;--muted:#9aa1ad;--line:#2d313a;
--track:#272b33;--up:#ff8a4c;--down:#5fa8ff;--string:#748ffc;--list:#da77f2;--set:#ffd43b;--zset:#38d9a9;--hash:#f783ac;
--warn-bg:#3b2a17;--warn-ink:#ffc078}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1080px;margin:0 auto;padding:28px 28px 40px}
header{margin-bottom:18px}
.eyebrow{margin:0;color:var(--muted);font-size:12px;letter-spacing:.08em;text-transform:uppercase;font-weight:600}
h1{margin:4px 0 4px;font-size:24px;font-weight:650;overflow-wrap:anywhere}
h1 .mono{font-size:19px;font-weight:600}
h2{margin:0 0 4px;font-size:16px;font-weight:650}
.sub{margin:0;color:var(--muted);overflow-wrap:anywhere}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:0 0 14px;padding:0}
.figure{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;margin:0}
.figure dt{color:var(--muted);font-size:12px}
.figure dd{margin:2px 0 0;font-size:18px;font-weight:650;overflow-wrap:anywhere}
.figure dd small{display:block;font-size:12px;font-weight:500;color:var(--muted);overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.note{color:var(--muted);font-size:12.5px;margin:0 0 18px}
.warn{background:var(--warn-bg);color:var(--warn-ink);border-radius:8px;padding:10px 12px;margin:0 0 14px;font-weight:550}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:16px 18px;margin:0 0 14px;
break-inside:avoid}
section>p.hint{margin:0 0 12px;color:var(--muted);font-size:12.5px}
.rows{display:grid;gap:5px}
.row{display:grid;grid-template-columns:minmax(120px,2.1fr) 58px minmax(100px,3fr) 178px;align-items:center;gap:10px}
.name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.name>.mono,.where{display:block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.where{color:var(--muted);font-size:11.5px;font-weight:400}
.fleet td{vertical-align:top}.fleet .clip{max-width:230px;overflow:hidden;text-overflow:ellipsis}
.fleet .wrap{white-space:normal;max-width:260px;text-align:left}.fleet th.left{text-align:left}.fleet .wrap .where{white-space:normal}
.sizecell{display:grid;grid-template-columns:110px auto;gap:8px;align-items:center}
.outcome{font-weight:600}.o-Analyzed{color:var(--zset)}.o-Failed{color:var(--up)}.o-Unsupported,.o-Skipped{color:var(--muted)}
.type{font-size:11px;font-weight:600;text-align:center;border-radius:999px;padding:1px 0;color:#fff;background:var(--other)}
.track{height:14px;background:var(--track);border-radius:4px;overflow:hidden}
.fill{display:block;height:100%;border-radius:4px;min-width:2px;background:var(--other)}
.value{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.value small{color:var(--muted)}
.t-string{background:var(--string)}.t-list{background:var(--list)}.t-set{background:var(--set)}
.t-zset{background:var(--zset)}.t-hash{background:var(--hash)}
.stack{display:flex;height:22px;border-radius:6px;overflow:hidden;margin:4px 0 12px;background:var(--track)}
.stack span{display:block;height:100%}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{color:var(--muted);font-weight:600;font-size:12px}
th:first-child,td:first-child{text-align:left}
.swatch{display:inline-block;width:10px;height:10px;border-radius:3px;margin-right:6px;vertical-align:-1px}
.empty{color:var(--muted);font-style:italic;margin:6px 0}
.diff{display:grid;grid-template-columns:18px minmax(120px,1.7fr) 1.1fr 1.1fr minmax(250px,1.9fr);align-items:center;gap:0 10px}
.diff+.diff{margin-top:5px}
.mark{font-weight:700;text-align:center}.mark.up{color:var(--up)}.mark.down{color:var(--down)}.mark.flat{color:var(--muted)}
.half{height:14px;display:flex;background:var(--track)}
.half.left{justify-content:flex-end;border-right:2px solid var(--muted);border-radius:4px 0 0 4px}
.half.right{border-radius:0 4px 4px 0}
.sure.up{background:var(--up)}.sure.down{background:var(--down)}
.maybe{background:repeating-linear-gradient(135deg,var(--track) 0 3px,var(--muted) 3px 5px);opacity:.55}
.delta{font-variant-numeric:tabular-nums;line-height:1.25}.delta .amount{white-space:nowrap}
.badge{display:inline-block;font-size:11px;font-weight:600;color:var(--muted);border:1px solid var(--line);
border-radius:999px;padding:0 7px;margin-left:6px}
footer{color:var(--muted);font-size:12px;margin-top:18px;overflow-wrap:anywhere}
@media print{:root{--bg:#fff;--card:#fff;--ink:#000;--muted:#444;--line:#ccc;--track:#eee}
body{font-size:11px}main{max-width:none;padding:0}section,.figure{border-color:#bbb}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}.row{grid-template-columns:2fr 52px 3fr 150px}}
@media (max-width:640px){.row{grid-template-columns:1fr 50px 90px}.row .track{display:none}
.diff{grid-template-columns:18px 1fr 1fr}.diff .half{display:none}}
`

const page = (title: string, body: string, data: typeof EmbeddedData.Type): string =>
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<meta name="generator" content="@effect-dcs/report">
<title>${t(title)}</title>
<style>${css}</style>
</head>
<body>
<main>
${body}
<footer>Made by <span class="mono">@effect-dcs/report</span>. The page is self-contained: it loads nothing and runs no
script. Its data (the service's own JSON) is embedded in <span class="mono">#${dataElementId}</span>, so that a saved
page can be read back and compared later.</footer>
</main>
${embed(data)}
</body>
</html>
`

// ---------------------------------------------------------------------------------------------
// Pieces
// ---------------------------------------------------------------------------------------------

const knownTypes = new Set(["string", "list", "set", "zset", "hash"])
const typeClass = (type: string): string => (knownTypes.has(type) ? `t-${type}` : "")

const exactBytes = (bytes: number): string => `${Humanize.integer(bytes)} bytes`

const sizeHtml = (bytes: number): string => `<span title="${exactBytes(bytes)}">${Humanize.bytes(bytes)}</span>`

const countHtml = (num: number, unit = ""): string =>
  `<span title="${Humanize.integer(num)}${unit}">${Humanize.count(num)}</span>`

const percentOf = (value: number, max: number): string => (max > 0 ? Math.max(0, (value / max) * 100) : 0).toFixed(2)

const figure = (term: string, value: string, detail?: string): string =>
  `<div class="figure"><dt>${t(term)}</dt><dd>${value}${
    detail === undefined ? "" : `<small>${detail}</small>`
  }</dd></div>`

const option = <A>(value: Option.Option<A>, f: (a: A) => string, none = "—"): string =>
  Option.match(value, { onNone: () => none, onSome: f })

const when = (time: DateTime.Utc): string => DateTime.formatIso(time).replace("T", " ").replace(/\.\d+Z$/, " UTC")

const tookOf = (report: Report): Option.Option<number> =>
  Option.zipWith(report.startedAt, report.finishedAt, (start, end) => DateTime.distance(start, end))

const analysisLabel = (type: string): string =>
  type === "new_backup" ? "new backup" : type === "old_backup" ? "existing backup" : type

const nodeLine = (report: Report): string =>
  [
    option(report.nodeType, t, ""),
    option(report.groupName, t, ""),
    option(report.nodeIp, t, ""),
    option(report.instanceId, (id) => `instance <span class="mono">${t(id)}</span>`, "")
  ].filter((part) => part !== "").join(" · ")

const readingNote = `Sizes are estimated from the node's backup file (RDB), not Redis's <code>used_memory</code>: they
leave out memory overhead and fragmentation. The service lists only the biggest keys and the prefixes with the most keys;
nested prefixes overlap, so prefix sizes do not add up to the total.`

const reportHeader = (report: Report, title: string): string =>
  `<header><p class="eyebrow">${t(title)}</p>
<h1>Node <span class="mono">${option(report.nodeId, t, "unknown")}</span></h1>
<p class="sub">${nodeLine(report)}</p></header>`

const headline = (report: Report): string => {
  const biggest = [...report.largestKeys].sort((a, b) => b.bytes - a.bytes)[0]
  return `<dl class="figures">
${figure("Total size", option(report.totalBytes, sizeHtml))}
${figure("Keys", option(report.totalNum, (num) => countHtml(num, " keys")))}
${
    figure(
      "Biggest key",
      biggest === undefined ? "—" : sizeHtml(biggest.bytes),
      biggest === undefined ? undefined : `<span title="${t(biggest.key)}">${t(biggest.key)}</span>`
    )
  }
${
    figure(
      "Analysis",
      option(report.analysisType, (type) => t(analysisLabel(type))),
      option(report.backupId, (id) => `backup ${t(id)}`, "")
    )
  }
${
    figure(
      "Finished",
      option(report.finishedAt, (time) => when(time).slice(0, 10)),
      option(report.finishedAt, (time) => when(time).slice(11), "")
    )
  }
${figure("Took", option(tookOf(report), Humanize.duration))}
</dl>`
}

// One horizontal bar: a name (and, below it, where it lives), its type, the bar, the value.
interface Bar {
  readonly name: string
  readonly suffix?: string | undefined
  readonly where?: string | undefined
  readonly type: string
  readonly bytes: number
  readonly value: string
  readonly valueTitle: string
}

const barRows = (bars: ReadonlyArray<Bar>, testId: string): string => {
  const max = Math.max(0, ...bars.map((bar) => bar.bytes))
  return `<div class="rows">${
    bars.map((bar) =>
      `<div class="row" data-testid="${testId}"><span class="name"><span class="mono" title="${t(bar.name)}">${
        t(bar.name)
      }${bar.suffix === undefined ? "" : `<span style="opacity:.5">${t(bar.suffix)}</span>`}</span>${
        bar.where === undefined ? "" : `<small class="where" title="${t(bar.where)}">${t(bar.where)}</small>`
      }</span>
<span class="type ${typeClass(bar.type)}" title="type ${t(bar.type)}">${t(bar.type)}</span>
<span class="track"><span class="fill ${typeClass(bar.type)}" style="width:${percentOf(bar.bytes, max)}%"></span></span>
<span class="value" title="${t(bar.valueTitle)}">${bar.value}</span></div>`
    ).join("\n")
  }</div>`
}

interface KeyLike {
  readonly key: string
  readonly type: string
  readonly bytes: number
  readonly numOfElem: Option.Option<number>
}

const keyBar = (key: KeyLike, where?: string): Bar => ({
  name: key.key,
  where,
  type: key.type,
  bytes: key.bytes,
  valueTitle: `${exactBytes(key.bytes)}${option(key.numOfElem, (n) => `, ${Humanize.integer(n)} elements`, "")}`,
  value: `${Humanize.bytes(key.bytes)}${
    option(key.numOfElem, (n) => ` <small>${n === 1 ? "1 element" : `${Humanize.count(n)} el.`}</small>`, "")
  }`
})

interface PrefixLike {
  readonly keyPrefix: string
  readonly type: string
  readonly bytes: number
  readonly num: number
}

const prefixBar = (prefix: PrefixLike, where?: string): Bar => ({
  name: prefix.keyPrefix,
  suffix: "*",
  where,
  type: prefix.type,
  bytes: prefix.bytes,
  valueTitle: `${exactBytes(prefix.bytes)} in ${Humanize.integer(prefix.num)} keys`,
  value: `${Humanize.bytes(prefix.bytes)} <small>${Humanize.count(prefix.num)} keys</small>`
})

const keyRows = (report: Report): string => {
  const keys = [...report.largestKeys].sort((a, b) => b.bytes - a.bytes)
  if (keys.length === 0) {
    return `<p class="empty">No keys listed: ${
      Option.getOrElse(report.totalNum, () => -1) === 0 ? "the node holds no keys." : "the report lists no big keys."
    }</p>`
  }
  return barRows(keys.map((key) => keyBar(key)), "key-bar")
}

const prefixRows = (prefixes: ReadonlyArray<PrefixLike>): string => {
  if (prefixes.length === 0) return `<p class="empty">No key prefixes listed.</p>`
  return barRows([...prefixes].sort((a, b) => b.bytes - a.bytes).map((prefix) => prefixBar(prefix)), "prefix-bar")
}

const typeSection = (report: Pick<Report, "typeBytes" | "typeNum">): string => {
  const types = [...new Set([...report.typeBytes, ...report.typeNum].map((entry) => entry.type))]
  const rows = types.map((type) => ({
    type,
    bytes: report.typeBytes.find((entry) => entry.type === type)?.bytes ?? 0,
    keys: report.typeNum.find((entry) => entry.type === type)?.num ?? 0
  })).sort((a, b) => b.bytes - a.bytes)
  const total = rows.reduce((sum, row) => sum + row.bytes, 0)
  if (rows.length === 0) return `<p class="empty">No sizes by type.</p>`
  return `<div class="stack" role="img" aria-label="memory by type">${
    rows.filter((row) => row.bytes > 0).map((row) =>
      `<span class="${typeClass(row.type)}" style="width:${percentOf(row.bytes, total)}%" title="${t(row.type)}: ${
        Humanize.bytes(row.bytes)
      }"></span>`
    ).join("")
  }</div>
<table><thead><tr><th>Type</th><th>Size</th><th>Share</th><th>Keys</th><th>Size per key</th></tr></thead><tbody>
${
    rows.map((row) =>
      `<tr><td><span class="swatch ${typeClass(row.type)}"></span>${t(row.type)}</td><td>${
        sizeHtml(row.bytes)
      }</td><td>${total > 0 ? `${((row.bytes / total) * 100).toFixed(1)}%` : "—"}</td><td>${
        countHtml(row.keys)
      }</td><td>${row.keys > 0 ? sizeHtml(row.bytes / row.keys) : "—"}</td></tr>`
    ).join("\n")
  }
</tbody></table>`
}

/** A skew above this is flagged as uneven. @internal */
export const skewThreshold = 1.5

/** The largest shard over the mean (1 when there are no bytes at all). @internal */
export const skewOf = (bytes: ReadonlyArray<number>): number => {
  if (bytes.length === 0) return 1
  const mean = bytes.reduce((sum, b) => sum + b, 0) / bytes.length
  return mean > 0 ? Math.max(...bytes) / mean : 1
}

const shardSection = (
  shards: ReadonlyArray<HtmlReport.ShardSummary & { readonly where?: string | undefined }>
): string => {
  if (shards.length === 0) return ""
  const max = Math.max(...shards.map((shard) => shard.bytes))
  const skew = skewOf(shards.map((shard) => shard.bytes))
  const uneven = skew > skewThreshold
  return `<section><h2>Shards</h2><p class="hint" data-testid="skew">Skew ${
    skew.toFixed(2)
  }× (the largest shard over the mean): 1.00× is perfectly even${
    uneven
      ? `.</p><p class="warn" data-testid="skew-warning">⚠ Uneven: the largest shard holds ${
        skew.toFixed(2)
      }× the mean, above ${skewThreshold.toFixed(1)}×. Look for big keys or hot prefixes in it.`
      : `, within ${skewThreshold.toFixed(1)}×.`
  }</p><div class="rows">${
    shards.map((shard) =>
      `<div class="row" data-testid="shard-bar"><span class="name"><span class="mono" title="${t(shard.name)}">${
        t(shard.name)
      }</span>${
        shard.where === undefined ? "" : `<small class="where" title="${t(shard.where)}">${t(shard.where)}</small>`
      }</span>
<span></span><span class="track"><span class="fill" style="width:${percentOf(shard.bytes, max)}%"></span></span>
<span class="value">${sizeHtml(shard.bytes)}${
        option(shard.keys, (keys) => ` <small>${countHtml(keys, " keys")} keys</small>`, "")
      }</span></div>`
    ).join("\n")
  }</div></section>`
}

// ---------------------------------------------------------------------------------------------
// A report
// ---------------------------------------------------------------------------------------------

const reportBody = (view: HtmlReport.ReportView): string => {
  const { report } = view
  return `${reportHeader(report, view.title ?? "Redis offline key analysis")}
${headline(report)}
<p class="note">${readingNote}</p>
<section><h2>Biggest keys</h2><p class="hint">The ${report.largestKeys.length} biggest keys by size, coloured by type.</p>
${keyRows(report)}</section>
<section><h2>Key prefixes</h2><p class="hint">Prefixes with the most keys, by size. Nested prefixes overlap.</p>
${prefixRows(report.largestKeyPrefixes)}</section>
<section><h2>Memory by type</h2>${typeSection(report)}</section>
${shardSection(view.shards ?? [])}`
}

// ---------------------------------------------------------------------------------------------
// A comparison
// ---------------------------------------------------------------------------------------------

const sides = (delta: ReportComparison.Amount): { sure: number; possible: number } => {
  const sure = Comparison.sureValue(delta)
  if (delta._tag === "Exact") return { sure, possible: sure }
  if (sure === 0) {
    return { sure, possible: 0 }
  }
  return { sure, possible: Option.getOrElse(sure > 0 ? delta.atMost : delta.atLeast, () => sure) }
}

interface DiffRow {
  readonly label: string
  readonly type: string
  readonly delta: ReportComparison.Amount
  readonly badge: string
  readonly detail: string
}

const diffRows = (rows: ReadonlyArray<DiffRow>, testId: string, format: (value: number) => string): string => {
  if (rows.length === 0) return `<p class="empty">Nothing changed.</p>`
  const scale = Math.max(1, ...rows.flatMap((row) => Object.values(sides(row.delta)).map(Math.abs)))
  const width = (value: number) => `${percentOf(Math.abs(value), scale)}%`
  return rows.map((row) => {
    const { possible, sure } = sides(row.delta)
    const direction = sure > 0 ? "up" : sure < 0 ? "down" : "flat"
    const mark = sure > 0 ? "▲" : sure < 0 ? "▼" : "•"
    const bars = (side: "up" | "down") =>
      direction !== side
        ? ""
        : side === "up"
        ? `<span class="sure up" style="width:${width(sure)}"></span><span class="maybe" style="width:${
          width(Math.abs(possible) - Math.abs(sure))
        }"></span>`
        : `<span class="maybe" style="width:${
          width(Math.abs(possible) - Math.abs(sure))
        }"></span><span class="sure down" style="width:${width(sure)}"></span>`
    return `<div class="diff" data-testid="${testId}"><span class="mark ${direction}">${mark}</span>
<span class="name mono" title="${t(row.label)} (${t(row.type)})">${t(row.label)}</span>
<span class="half left">${bars("down")}</span><span class="half right">${bars("up")}</span>
<span class="delta" title="${t(row.detail)}"><span class="amount">${
      t(Comparison.deltaLabel(row.delta, format))
    }</span>${row.badge === "" ? "" : `<span class="badge">${t(row.badge)}</span>`}</span></div>`
  }).join("\n")
}

const mostChanged = <A extends { readonly bytes: ReportComparison.AmountChange; readonly kind: string }>(
  changes: ReadonlyArray<A>,
  limit: number
): ReadonlyArray<A> =>
  changes
    .filter((change) => change.kind !== "unchanged")
    .map((change) => ({ change, size: Math.max(...Object.values(sides(change.bytes.delta)).map(Math.abs)) }))
    .sort((a, b) => b.size - a.size)
    .slice(0, limit)
    .map(({ change }) => change)
    .sort((a, b) => Comparison.sureValue(b.bytes.delta) - Comparison.sureValue(a.bytes.delta))

const badgeOf = (change: Parameters<typeof Comparison.changeLabel>[0]): string =>
  change.kind === "new" || change.kind === "gone" ? Comparison.changeLabel(change) : ""

const detailOf = (change: { readonly bytes: ReportComparison.AmountChange }): string =>
  `before: ${Comparison.amountLabel(change.bytes.before, exactBytes)}; after: ${
    Comparison.amountLabel(change.bytes.after, exactBytes)
  }`

const changeFigure = (
  term: string,
  change: Option.Option<ReportComparison.NumberChange>,
  format: (n: number) => string
) =>
  figure(
    term,
    option(change, (c) => `<span title="${Humanize.integer(c.after)}">${format(c.after)}</span>`),
    option(change, (c) =>
      `${c.delta > 0 ? "▲" : c.delta < 0 ? "▼" : "•"} ${Humanize.signed(format)(c.delta)}${
        option(c.relative, (r) =>
          ` (${Humanize.percent(r)})`, "")
      } from ${format(c.before)}`, "")
  )

const comparisonBody = (view: HtmlReport.ComparisonView): string => {
  const comparison = view.comparison
  const { after, before } = comparison
  const warnings: Array<string> = []
  const id = (value: Option.Option<string>) => option(value, (v) => `<span class="mono">${t(v)}</span>`, "unknown")
  if (Option.getOrElse(comparison.sameInstance, () => true) === false) {
    warnings.push(`Different instances: ${id(before.instanceId)} and ${id(after.instanceId)}. These are not changes.`)
  } else if (Option.getOrElse(comparison.sameNode, () => true) === false) {
    warnings.push(`Different nodes: ${id(before.nodeId)} and ${id(after.nodeId)}. These are not changes of one node.`)
  }
  if (comparison.order === "reversed") warnings.push("The “before” report finished after the “after” one.")
  const period = Option.zipWith(before.finishedAt, after.finishedAt, (a, b) => DateTime.distance(a, b))
  const perKey = comparison.totals.bytesPerKey
  const limit = view.limit ?? 15
  return `<header><p class="eyebrow">${t(view.title ?? "Redis offline key analysis: comparison")}</p>
<h1>Node <span class="mono">${option(after.nodeId, t, "unknown")}</span></h1>
<p class="sub">${option(before.finishedAt, when, "?")} → ${option(after.finishedAt, when, "?")}${
    option(period, (ms) => ` (${Humanize.duration(Math.abs(ms))} apart)`, "")
  } · ${nodeLine(after)}</p></header>
${warnings.map((warning) => `<p class="warn">⚠ ${warning}</p>`).join("\n")}
<dl class="figures">
${changeFigure("Total size", comparison.totals.bytes, Humanize.bytes)}
${changeFigure("Keys", comparison.totals.keys, Humanize.count)}
${
    figure(
      "Size per key",
      option(perKey.after, sizeHtml),
      option(perKey.before, (b) => `from ${Humanize.bytes(b)}`, "")
    )
  }
${figure("New in the lists", String(comparison.keys.filter((change) => change.kind === "new").length), "keys")}
</dl>
<p class="note">${readingNote} A key missing from one report's top list is below that list's cut-off there, not absent:
its change is shown as a bound (“at least”), the part only the bound allows hatched. ▲ grew, ▼ shrank, • unknown direction.</p>
<section><h2>Keys that changed most</h2><p class="hint">By bytes, growth to the right, shrinkage to the left.</p>
${
    diffRows(
      mostChanged(comparison.keys, limit).map((change) => ({
        label: change.key,
        type: change.type,
        delta: change.bytes.delta,
        badge: badgeOf(change),
        detail: detailOf(change)
      })),
      "key-diff",
      Humanize.bytes
    )
  }</section>
<section><h2>Prefixes that changed most</h2><p class="hint">By bytes; the key counts and size per key are in the hover text.</p>
${
    diffRows(
      mostChanged(comparison.prefixes, limit).map((change) => ({
        label: `${change.keyPrefix}*`,
        type: change.type,
        delta: change.bytes.delta,
        badge: badgeOf(change),
        detail: `${detailOf(change)}; keys ${
          Comparison.deltaLabel(change.keys.delta, Humanize.integer)
        }; size per key ${option(change.bytesPerKey.before, Humanize.bytes, "?")} → ${
          option(change.bytesPerKey.after, Humanize.bytes, "?")
        }`
      })),
      "prefix-diff",
      Humanize.bytes
    )
  }</section>
<section><h2>By type</h2><p class="hint">Exact: the service counts every type. More keys at the same size per key
suggests a key leak; a larger size per key suggests values that bloat.</p>
<table><thead><tr><th>Type</th><th>Size</th><th>Change</th><th>Keys</th><th>Change</th><th>Size per key</th>
<th>From more keys</th><th>From bigger keys</th></tr></thead><tbody>
${
    comparison.types.map((change) => {
      const mark = (n: number) => (n > 0 ? "▲ " : n < 0 ? "▼ " : "")
      return `<tr><td><span class="swatch ${typeClass(change.type)}"></span>${t(change.type)}</td><td>${
        sizeHtml(change.bytes.after)
      }</td><td title="${exactBytes(change.bytes.delta)}">${mark(change.bytes.delta)}${
        Humanize.signed(Humanize.bytes)(change.bytes.delta)
      }</td><td>${countHtml(change.keys.after)}</td><td title="${Humanize.integer(change.keys.delta)}">${
        mark(change.keys.delta)
      }${Humanize.signed(Humanize.count)(change.keys.delta)}</td><td>${
        option(change.bytesPerKey.before, Humanize.bytes)
      } → ${option(change.bytesPerKey.after, Humanize.bytes)}</td><td>${
        Humanize.signed(Humanize.bytes)(change.growth.fromKeyCount)
      }</td><td>${Humanize.signed(Humanize.bytes)(change.growth.fromKeySize)}</td></tr>`
    }).join("\n")
  }
</tbody></table></section>`
}

// ---------------------------------------------------------------------------------------------
// An instance, shard by shard
// ---------------------------------------------------------------------------------------------

const shardLabel = (shard: string): string => (shard === "" ? "?" : shard)

/** One line per analysed node (one per shard): its report's totals. @internal */
export const shardsOf = (
  analysis: InstanceAnalysis
): ReadonlyArray<HtmlReport.ShardSummary & { readonly where: string }> =>
  analysis.nodes.map(({ node, report }) => ({
    name: Option.getOrElse(Option.orElse(node.groupName, () => node.groupId), () => node.nodeId),
    bytes: Option.getOrElse(report.totalBytes, () => 0),
    keys: report.totalNum,
    where: `${node.nodeType === "slave" ? "replica" : nodeTypeToString(node.nodeType)} ${node.nodeId}`
  }))

const extreme =
  (pick: (a: DateTime.Utc, b: DateTime.Utc) => DateTime.Utc) =>
  (times: ReadonlyArray<DateTime.Utc>): Option.Option<DateTime.Utc> =>
    times.length === 0 ? Option.none() : Option.some(times.reduce(pick))
const earliest = extreme((a, b) => (DateTime.lessThan(b, a) ? b : a))
const latest = extreme((a, b) => (DateTime.lessThan(a, b) ? b : a))

const instanceBody = (view: HtmlReport.InstanceView): string => {
  const { analysis, instance } = view
  const reports = analysis.nodes.map((node) => node.report)
  const started = earliest(reports.flatMap((report) => Option.toArray(report.startedAt)))
  const finished = latest(reports.flatMap((report) => Option.toArray(report.finishedAt)))
  const took = Option.zipWith(started, finished, (start, end) => DateTime.distance(start, end))
  const shards = shardsOf(analysis)
  const skew = skewOf(shards.map((shard) => shard.bytes))
  const biggest = analysis.largestKeys[0]
  const sub = [
    instance === undefined ? "" : `instance <span class="mono">${t(instance.id)}</span>`,
    instance === undefined ? "" : t(`${instance.engine} ${instance.engineVersion}`),
    instance === undefined ? "" : t(instanceStatusToString(instance.status)),
    `${analysis.nodes.length} ${analysis.nodes.length === 1 ? "shard" : "shards"} analysed, one node each`
  ].filter((part) => part !== "").join(" · ")
  return `<header><p class="eyebrow">${t(view.title ?? "Redis offline key analysis: instance")}</p>
<h1>Instance <span class="mono">${t(instance?.name ?? analysis.instanceId)}</span></h1>
<p class="sub">${sub}</p></header>
<dl class="figures">
${figure("Total size", sizeHtml(analysis.totalBytes), "all shards")}
${figure("Keys", countHtml(analysis.totalNum, " keys"))}
${
    figure(
      "Shards",
      String(analysis.nodes.length),
      `skew ${skew.toFixed(2)}×${skew > skewThreshold ? " ⚠" : ""}`
    )
  }
${
    figure(
      "Biggest key",
      biggest === undefined ? "—" : sizeHtml(biggest.bytes),
      biggest === undefined
        ? undefined
        : `<span title="${t(biggest.key)} (shard ${t(shardLabel(biggest.shard))})">${t(biggest.key)}</span>`
    )
  }
${
    figure(
      "Finished",
      option(finished, (time) => when(time).slice(0, 10)),
      option(finished, (time) => when(time).slice(11), "")
    )
  }
${figure("Took", option(took, Humanize.duration), "all shards")}
</dl>
<p class="note">${readingNote} Each shard's report lists only its own biggest keys and prefixes; the lists here merge
them (prefixes summed across shards), so past the shortest shard's list they may miss some of the instance's top.</p>
<section><h2>Biggest keys</h2><p class="hint">The ${analysis.largestKeys.length} biggest keys of all shards by size,
coloured by type, each with its shard and the node analysed.</p>
${
    analysis.largestKeys.length === 0
      ? `<p class="empty">No keys listed: ${
        analysis.totalNum === 0 ? "the instance holds no keys." : "the reports list no big keys."
      }</p>`
      : barRows(
        analysis.largestKeys.map((key) => keyBar(key, `shard ${shardLabel(key.shard)} · node ${key.nodeId}`)),
        "key-bar"
      )
  }</section>
${shardSection(shards)}
<section><h2>Key prefixes</h2><p class="hint">Prefixes with the most keys, by size, summed across shards. Nested
prefixes overlap.</p>
${prefixRows(analysis.largestKeyPrefixes)}</section>
<section><h2>Memory by type</h2>${typeSection(analysis)}</section>`
}

// ---------------------------------------------------------------------------------------------
// A fleet
// ---------------------------------------------------------------------------------------------

const outcomeLabels: Record<Fleet.FleetOutcome["_tag"], string> = {
  Analyzed: "✓ Analysed",
  Unsupported: "– Unsupported",
  Skipped: "‖ Skipped",
  Failed: "✗ Failed"
}

const instanceRows = (summary: Fleet.FleetSummary): string => {
  if (summary.instances.length === 0) return `<p class="empty">The fleet has no instance.</p>`
  const max = Math.max(0, ...summary.instances.map((line) => Option.getOrElse(line.totalBytes, () => 0)))
  return `<table class="fleet"><thead><tr><th>Instance</th><th>Version</th><th class="left">Outcome</th><th>Size</th><th>Keys</th>
<th>Biggest key</th></tr></thead><tbody>
${
    summary.instances.map((line) => {
      const { instance } = line
      return `<tr data-testid="instance-row" data-outcome="${line.outcome}"><td class="clip"><span title="${
        t(instance.name)
      }">${t(instance.name)}</span><small class="where mono" title="${t(instance.id)}">${t(instance.id)}</small></td>
<td>${t(instance.engine)} ${t(instance.engineVersion)}</td>
<td class="wrap"><span class="outcome o-${line.outcome}">${outcomeLabels[line.outcome]}</span>${
        option(line.reason, (reason) => `<small class="where">${t(reason)}</small>`, "")
      }</td>
<td>${
        option(line.totalBytes, (bytes) =>
          `<span class="sizecell"><span class="track"><span class="fill" style="width:${
            percentOf(bytes, max)
          }%"></span></span>${sizeHtml(bytes)}</span>`)
      }</td>
<td>${option(line.totalNum, (num) => countHtml(num, " keys"))}</td>
<td class="clip">${
        option(line.biggestKey, (key) =>
          `<span class="mono" title="${t(key.key)} (shard ${t(shardLabel(key.shard))})">${t(key.key)}</span>
<small class="where">${sizeHtml(key.bytes)} · ${t(key.type)} · shard ${t(shardLabel(key.shard))}</small>`)
      }</td></tr>`
    }).join("\n")
  }
</tbody></table>`
}

const fleetBody = (view: HtmlReport.FleetView): string => {
  const { summary } = view
  const { counts } = summary
  const total = counts.Analyzed + counts.Unsupported + counts.Skipped + counts.Failed
  return `<header><p class="eyebrow">${t(view.title ?? "Redis offline key analysis: fleet")}</p>
<h1>A fleet of ${total} ${total === 1 ? "instance" : "instances"}</h1>
<p class="sub">${counts.Analyzed} analysed · ${counts.Unsupported} unsupported · ${counts.Skipped} skipped · ${counts.Failed} failed</p>
</header>
<dl class="figures">
${figure("Analysed", String(counts.Analyzed), `of ${total}`)}
${figure("Unsupported", String(counts.Unsupported), "cannot be analysed")}
${figure("Skipped", String(counts.Skipped), "not running")}
${figure("Failed", String(counts.Failed), counts.Failed > 0 ? "reasons below" : "")}
${figure("Total size", sizeHtml(summary.totalBytes), "analysed instances")}
${figure("Keys", countHtml(summary.totalNum, " keys"))}
</dl>
<p class="note">${readingNote} An instance's figures are the sums of its shards.</p>
<section><h2>Instances</h2><p class="hint">The analysed instances biggest first, then the others with why they were
not analysed.</p>
${instanceRows(summary)}</section>
<section><h2>Biggest keys of the fleet</h2><p class="hint">The ${summary.largestKeys.length} biggest keys of all
instances, each with its instance and shard.</p>
${
    summary.largestKeys.length === 0
      ? `<p class="empty">No keys listed${counts.Analyzed === 0 ? ": no instance was analysed" : ""}.</p>`
      : barRows(
        summary.largestKeys.map(({ instance, key }) =>
          keyBar(key, `${instance.name} · shard ${shardLabel(key.shard)} · node ${key.nodeId}`)
        ),
        "key-bar"
      )
  }</section>
<section><h2>Biggest key prefixes</h2><p class="hint">Per instance: the same prefix in two instances is two things
and is not summed.</p>
${
    summary.largestKeyPrefixes.length === 0
      ? `<p class="empty">No key prefixes listed.</p>`
      : barRows(
        summary.largestKeyPrefixes.map(({ instance, prefix }) => prefixBar(prefix, instance.name)),
        "prefix-bar"
      )
  }</section>`
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

const titleOf = (view: HtmlReport.View): string => {
  switch (view._tag) {
    case "Report":
      return `Key analysis of ${option(view.report.nodeId, (id) => id, "a node")}`
    case "Comparison":
      return `Key analysis comparison of ${option(view.comparison.after.nodeId, (id) => id, "a node")}`
    case "Instance":
      return `Key analysis of instance ${view.instance?.name ?? view.analysis.instanceId}`
    case "Fleet":
      return `Key analysis of a fleet of ${view.summary.instances.length} instances`
  }
}

/** @internal */
export const render = (view: HtmlReport.View): string => {
  switch (view._tag) {
    case "Report":
      return page(view.title ?? titleOf(view), reportBody(view), { _tag: "Report", report: view.report })
    case "Comparison":
      return page(view.title ?? titleOf(view), comparisonBody(view), {
        _tag: "Comparison",
        before: view.comparison.before,
        after: view.comparison.after
      })
    case "Instance":
      return page(
        view.title ?? titleOf(view),
        instanceBody(view),
        view.instance === undefined
          ? { _tag: "Instance", analysis: view.analysis }
          : { _tag: "Instance", analysis: view.analysis, instance: view.instance }
      )
    case "Fleet":
      return page(view.title ?? titleOf(view), fleetBody(view), { _tag: "Fleet", summary: view.summary })
  }
}
