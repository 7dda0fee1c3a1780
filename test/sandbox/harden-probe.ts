/**
 * Run by harden.test.ts in a sandbox child (same flags as a real run): host
 * code that reaches for the network and the escape hatches after hardening,
 * as code that got out of the vm realm would. Prints one JSON line.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { hardenProcess } from "../../graders/sandbox/harden";

hardenProcess();
const outcome: Record<string, string> = {};
function attempt(label: string, fn: () => unknown): void {
  try {
    fn();
    outcome[label] = "allowed";
  } catch (e) {
    outcome[label] = (e as { code?: string }).code ?? (e as Error).name;
  }
}
attempt("net.createServer", () => require("net").createServer().listen(0, "127.0.0.1"));
attempt("net.connect", () => require("net").connect(9, "127.0.0.1"));
attempt("net.Socket#connect", () => new (require("net").Socket)().connect(9, "127.0.0.1"));
attempt("dgram.createSocket", () => require("dgram").createSocket("udp4"));
attempt("http.request", () => require("http").request("http://127.0.0.1:9/"));
attempt("https.get", () => require("https").get("https://127.0.0.1:9/"));
attempt("tls.connect", () => require("tls").connect(9, "127.0.0.1"));
attempt("http2.connect", () => require("http2").connect("http://127.0.0.1:9"));
attempt("dns.lookup", () => require("dns").lookup("localhost", () => undefined));
attempt("fetch", () => (globalThis as unknown as { fetch: (u: string) => unknown }).fetch("http://127.0.0.1:9/"));
attempt("process.binding", () => (process as unknown as { binding: (n: string) => unknown }).binding("fs"));
attempt("process.dlopen", () => (process as unknown as { dlopen: (m: unknown, f: string) => unknown }).dlopen({}, "/x.node"));
attempt("process.kill(parent)", () => process.kill(process.ppid, 0));
attempt("fs.writeFileSync", () => require("fs").writeFileSync("/tmp/memarena-harden-probe.marker", "x"));
attempt("fs.readFileSync", () => require("fs").readFileSync("/etc/hostname"));
attempt("child_process.execSync", () => require("child_process").execSync("true"));
attempt("worker_threads.Worker", () => new (require("worker_threads").Worker)("0", { eval: true }));
attempt("Function(string)", () => Function("return 1")());
attempt("env", () => {
  if (Object.keys(process.env).length > 0) throw new Error("env leaked");
});
process.stdout.write(`${JSON.stringify(outcome)}\n`, () => process.exit(0));
