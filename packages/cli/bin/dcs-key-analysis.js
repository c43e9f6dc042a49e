#!/usr/bin/env node
// The published entry of dcs-key-analysis: the compiled src/bin.ts (`pnpm build` emits build/esm).
// In the workspace, without a build: `pnpm --filter @effect-dcs/cli start -- <command> …`.
import "../build/esm/bin.js"
