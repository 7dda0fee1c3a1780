/**
 * The layers under the vm realm, tested on their own: host code in a child
 * started exactly as a run's (permission model + hardening) cannot reach the
 * network, the file system, processes, workers, native addons or the grader.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildSync } from "esbuild";
import { PACKAGE_ROOT, sandboxArgs } from "../../graders/sandbox";

describe("the hardened sandbox child", () => {
  it("refuses network, files, processes, workers, addons and code from strings", () => {
    const outfile = path.join(PACKAGE_ROOT, "dist", "test", `harden-probe.${process.pid}.js`);
    fs.mkdirSync(path.dirname(outfile), { recursive: true });
    buildSync({ entryPoints: [path.join(__dirname, "harden-probe.ts")], bundle: true, platform: "node", format: "cjs", target: "node20", outfile, logLevel: "silent", banner: { js: '"use strict";' } });
    try {
      const r = spawnSync(process.execPath, sandboxArgs(outfile, 64), { env: {}, timeout: 30_000 });
      const outcome = JSON.parse(r.stdout.toString("utf8").trim().split("\n").pop()!) as Record<string, string>;
      for (const net of ["net.createServer", "net.connect", "net.Socket#connect", "dgram.createSocket", "http.request", "https.get", "tls.connect", "http2.connect", "dns.lookup"]) {
        expect([net, outcome[net]]).toEqual([net, "ERR_ACCESS_DENIED"]);
      }
      expect(outcome.fetch).toBe("TypeError"); // deleted: fetch is not a function
      expect(outcome["process.binding"]).toBe("TypeError");
      expect(outcome["process.dlopen"]).toBe("TypeError");
      expect(outcome["process.kill(parent)"]).toBe("TypeError");
      expect(outcome["fs.writeFileSync"]).toBe("ERR_ACCESS_DENIED");
      expect(outcome["fs.readFileSync"]).toBe("ERR_ACCESS_DENIED");
      expect(outcome["child_process.execSync"]).toBe("ERR_ACCESS_DENIED");
      expect(outcome["worker_threads.Worker"]).toBe("ERR_ACCESS_DENIED");
      expect(outcome["Function(string)"]).toBe("EvalError");
      expect(outcome.env).toBe("allowed");
      expect(fs.existsSync("/tmp/memarena-harden-probe.marker")).toBe(false);
    } finally {
      fs.rmSync(outfile, { force: true });
    }
  });
});
