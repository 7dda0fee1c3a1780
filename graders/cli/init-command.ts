/** `memarena init`: scaffold a student's plugin project. */
import * as fs from "node:fs";
import * as path from "node:path";
import { ErrorCode, MemarenaError } from "../../core/errors";
import type { PluginKind } from "../../core/sdk/types";
import { PACKAGE_ROOT } from "../builtins";
import { EXIT } from "./output";

/** Flags of `memarena init`. */
export interface InitFlags {
  kind: PluginKind;
  memarena?: string;
}

/** The starter challenges (by topic) each kind is graded on by `npm run grade`. */
const STARTER: Readonly<Record<PluginKind, string>> = {
  allocator: "heap",
  sanitizer: "sanitizers",
  placement: "contiguous",
  "frame-allocator": "frames",
};

function template(name: string): string {
  for (const dir of [path.join(__dirname, "templates"), path.join(PACKAGE_ROOT, "graders", "cli", "templates")]) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return fs.readFileSync(file, "utf8");
  }
  throw new MemarenaError(ErrorCode.INTERNAL, `template ${name} is missing from this installation`);
}

/** Scaffolds the project; refuses to overwrite a non-empty folder. */
export function initCommand(dir: string, flags: InitFlags): number {
  const target = path.resolve(dir);
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) {
    throw new MemarenaError(ErrorCode.USAGE, `init: ${dir} exists and is not empty; choose a new folder`);
  }
  const kind = flags.kind;
  const name = path.basename(target).replace(/[^a-z0-9-]/gi, "-").toLowerCase() || "my-plugin";
  const src = kind === "frame-allocator" ? "frame-allocator" : kind;
  const dep = flags.memarena ?? `file:${PACKAGE_ROOT}`;
  const files: Record<string, string> = {
    "package.json": `${JSON.stringify(
      {
        name,
        version: "0.1.0",
        private: true,
        scripts: { test: "jest", grade: `memarena grade src/${src}.ts -c ${STARTER[kind]}`, "grade:all": `memarena grade src/${src}.ts` },
        devDependencies: { memarena: dep, jest: "30.5.2", "ts-jest": "29.4.15", typescript: "~6.0.3", "@types/jest": "30.0.0" },
      },
      null,
      2,
    )}\n`,
    "tsconfig.json": `${JSON.stringify({ compilerOptions: { target: "ES2022", module: "node16", moduleResolution: "node16", strict: true, esModuleInterop: true, skipLibCheck: true, isolatedModules: true, types: ["jest"] }, include: ["src", "test"] }, null, 2)}\n`,
    "jest.config.js": `module.exports = {\n  testEnvironment: "node",\n  transform: { "^.+\\\\.ts$": ["ts-jest", { isolatedModules: true }] },\n};\n`,
    ".gitignore": "node_modules/\n.memarena/\n",
    [`src/${src}.ts`]: template(`${src}.ts.txt`).replace(/__NAME__/g, name),
    "README.md": readme(name, kind, src),
  };
  if (kind === "allocator") files["test/allocator.test.ts"] = template("allocator.test.ts.txt");
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(target, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  process.stdout.write(`Created ${kind} project in ${dir}\n\n  cd ${dir}\n  npm install\n  npm test          # your own tests${kind === "allocator" ? " (AllocatorTester)" : ""}\n  npm run grade     # the starter challenges, graded\n`);
  return EXIT.ok;
}

function readme(name: string, kind: PluginKind, src: string): string {
  return `# ${name}

A memarena ${kind} plugin.

\`\`\`sh
npm install       # once
npm test          # your own tests${kind === "allocator" ? " (memarena/testing's AllocatorTester runs every grader check)" : ""}
npm run grade     # grade src/${src}.ts on the starter challenges (npm run grade:all for the whole pack)
\`\`\`

Edit \`src/${src}.ts\`. A verdict names the op that broke a rule, the check
(alignment, overlap, payloadIntegrity, ...), the blocks involved and what was
expected; \`npx memarena run <challenge> --plugin src/${src}.ts --events out.jsonl\`
writes one line per op to step through, and \`--watch\` runs it again on every
save. \`console.log\` in your plugin is shown by \`run\` and under failures.
${kind === "allocator" ? "\nRule: keep all allocator state in simulated memory (heap.load*/store*) or in\nheap.registers — the grader re-creates your allocator in the middle of a run.\n" : ""}`;
}
