/**
 * Hardening of the sandbox child before any plugin code is loaded. Node 20's
 * permission model blocks the file system, child processes, workers and
 * native addons, but not the network; so the network entry points are
 * replaced with functions that throw, the modules are frozen, and the
 * low-level escape hatches (`process.binding`, `process.dlopen`, ...) are
 * removed. Plugin code cannot reach any of this anyway (it runs in a vm realm
 * behind a membrane): this is the layer for code that gets out of it.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

/** Entry points that open, bind or resolve anything on the network, by module. */
const NETWORK_ENTRY_POINTS: Readonly<Record<string, readonly string[]>> = {
  net: ["connect", "createConnection", "createServer"],
  tls: ["connect", "createServer", "createSecureContext"],
  dgram: ["createSocket"],
  http: ["request", "get", "createServer"],
  https: ["request", "get", "createServer"],
  http2: ["connect", "createServer", "createSecureServer"],
  dns: ["lookup", "lookupService", "resolve", "resolve4", "resolve6", "resolveAny", "reverse"],
};

/** Prototype methods that would open or bind a socket made some other way. */
const NETWORK_PROTOTYPES: readonly [string, string, readonly string[]][] = [
  ["net", "Socket", ["connect"]],
  ["net", "Server", ["listen"]],
  ["dgram", "Socket", ["bind", "connect", "send"]],
];

/** Globals with a network behind them. */
const NETWORK_GLOBALS = ["fetch", "WebSocket", "EventSource", "Request", "Response", "Headers", "FormData"];

/** Throws the error the sandbox gives for any network use. */
function denied(what: string): () => never {
  return () => {
    const e = new Error(`${what} is not allowed in the sandbox (no network)`);
    (e as Error & { code: string }).code = "ERR_ACCESS_DENIED";
    throw e;
  };
}

/** Neuters the network and the native escape hatches of this process. Idempotent. */
export function hardenProcess(): void {
  for (const [name, fns] of Object.entries(NETWORK_ENTRY_POINTS)) {
    const mod = require(name) as Record<string, unknown>;
    for (const fn of fns) replace(mod, fn, denied(`${name}.${fn}`));
    const promises = mod.promises as Record<string, unknown> | undefined;
    if (promises !== undefined && typeof promises === "object") {
      for (const key of Object.keys(promises)) if (typeof promises[key] === "function") replace(promises, key, denied(`${name}.promises.${key}`));
      Object.freeze(promises);
    }
  }
  for (const [name, cls, methods] of NETWORK_PROTOTYPES) {
    const proto = ((require(name) as Record<string, { prototype: Record<string, unknown> }>)[cls]).prototype;
    for (const m of methods) replace(proto, m, denied(`${name}.${cls}.${m}`));
  }
  for (const name of Object.keys(NETWORK_ENTRY_POINTS)) Object.freeze(require(name));
  for (const g of NETWORK_GLOBALS) delete (globalThis as Record<string, unknown>)[g];
  const proc = process as unknown as Record<string, unknown>;
  // `_kill` backs process.kill: the permission model does not stop a process from signalling the grader.
  for (const hatch of ["binding", "_linkedBinding", "dlopen", "_debugProcess", "_kill"]) {
    try {
      Object.defineProperty(proc, hatch, { value: undefined, writable: false, configurable: false });
    } catch {
      /* already locked */
    }
  }
  for (const key of Object.keys(process.env)) delete process.env[key];
}

function replace(target: Record<string, unknown>, key: string, value: unknown): void {
  if (Object.isFrozen(target)) return;
  Object.defineProperty(target, key, { value, writable: false, configurable: false, enumerable: true });
}
