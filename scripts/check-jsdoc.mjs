// Every export of a published module is documented the Effect way: a module docblock with
// `@since`, and on every exported declaration (and every export of an exported namespace) a JSDoc
// with `@since` and `@category`. The re-exports of an index (`export * as X from "./X.js"`) need
// `@since` only, as in Effect's own index files.
//
// @effect/docgen enforces `@since` and compiles the examples; it does not require `@category`,
// which is what this adds. Published modules: `src/*.ts` of every package published from `dist`.
//
// usage: node scripts/check-jsdoc.mjs [package directory…]
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const requested = process.argv.slice(2).map((dir) => path.resolve(dir))

const packages = (requested.length > 0 ? requested : fs.readdirSync(path.join(root, "packages"))
  .map((name) => path.join(root, "packages", name)))
  .filter((dir) => {
    const file = path.join(dir, "package.json")
    if (!fs.existsSync(file)) return false
    const manifest = JSON.parse(fs.readFileSync(file, "utf8"))
    return manifest.publishConfig?.directory !== undefined
  })

const semver = /^\d+\.\d+\.\d+(-[\w.]+)?$/
const problems = []
let checked = 0

// The tags of the JSDoc right before a node (`which: "first"`: of the first JSDoc before it, which
// is the module docblock when the node is the first statement).
const tagsOf = (node, which = "last") => {
  const tags = new Map()
  const docs = node.jsDoc ?? []
  for (const doc of docs.length === 0 ? [] : [which === "last" ? docs.at(-1) : docs[0]]) {
    for (const tag of doc.tags ?? []) {
      const text = typeof tag.comment === "string" ? tag.comment : ts.getTextOfJSDocComment(tag.comment) ?? ""
      tags.set(tag.tagName.text, text.trim())
    }
  }
  return tags
}

const hasExport = (node) => ts.getModifiers?.(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false

const namesOf = (node) => {
  if (ts.isVariableStatement(node)) return node.declarationList.declarations.map((d) => d.name.getText())
  if (ts.isExportDeclaration(node)) {
    if (node.exportClause && ts.isNamespaceExport(node.exportClause)) return [node.exportClause.name.text]
    if (node.exportClause && ts.isNamedExports(node.exportClause)) {
      return node.exportClause.elements.map((e) => e.name.text)
    }
    return [`* from ${node.moduleSpecifier?.getText()}`]
  }
  return [node.name?.getText() ?? "(anonymous)"]
}

const check = (file, sourceFile, node, { category, where }) => {
  const tags = tagsOf(node)
  const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile))
  const at = `${path.relative(root, file)}:${line + 1} ${where}${namesOf(node).join(", ")}`
  checked++
  const since = tags.get("since")
  if (since === undefined) problems.push(`${at}: no @since`)
  else if (!semver.test(since)) problems.push(`${at}: @since "${since}" is not a version`)
  if (category && !tags.get("category")) problems.push(`${at}: no @category`)
}

// The implementation of an overloaded function is not part of the API: its overloads are.
const isOverloadImplementation = (node, previous) =>
  ts.isFunctionDeclaration(node) && node.body !== undefined && previous !== undefined &&
  ts.isFunctionDeclaration(previous) && previous.body === undefined && previous.name?.text === node.name?.text

const walk = (file, sourceFile, statements, where) => {
  for (const [i, node] of statements.entries()) {
    if (isOverloadImplementation(node, statements[i - 1])) continue
    if (ts.isExportDeclaration(node)) {
      check(file, sourceFile, node, { category: !path.basename(file).startsWith("index."), where })
    } else if (ts.isExportAssignment(node)) {
      check(file, sourceFile, node, { category: true, where })
    } else if (hasExport(node)) {
      check(file, sourceFile, node, { category: true, where })
      if (ts.isModuleDeclaration(node) && node.body && ts.isModuleBlock(node.body)) {
        walk(file, sourceFile, node.body.statements, `${where}${node.name.getText()}.`)
      }
    }
  }
}

for (const dir of packages) {
  const src = path.join(dir, "src")
  for (const name of fs.readdirSync(src).filter((name) => name.endsWith(".ts")).sort()) {
    const file = path.join(src, name)
    const sourceFile = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true)
    // The module docblock is the JSDoc before the first statement.
    const first = sourceFile.statements[0]
    if (!first || !tagsOf(first, "first").has("since")) {
      problems.push(`${path.relative(root, file)}:1: no module docblock with @since`)
    }
    walk(file, sourceFile, sourceFile.statements, "")
  }
}

if (problems.length > 0) {
  console.error(problems.join("\n"))
  console.error(`\n${problems.length} undocumented export(s) (every export needs @since and @category)`)
  process.exit(1)
}
console.log(
  `check-jsdoc: ${checked} exports documented in ${packages.map((dir) => path.relative(root, dir)).join(", ")}`
)
