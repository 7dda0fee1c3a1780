/**
 * The plugin realm: a `vm` context holding only JavaScript's own built-ins,
 * and a membrane between it and the grader.
 *
 * No host object is ever handed to plugin code: a host object's
 * `constructor.constructor` is the host `Function`, i.e. `process`, i.e. an
 * escape. So every value crossing into the realm is converted:
 * primitives pass; functions become realm functions that call the host
 * through a closure the plugin cannot reach; objects become frozen realm
 * objects whose methods and (live) properties go through the same bridge;
 * arrays and typed arrays are copied (typed arrays are kept in sync around
 * every plugin call, which is what `heap.registers` needs); host errors are
 * re-thrown as realm errors. Values coming out (the plugin, its instances,
 * its reports) become host views whose methods call into the realm under
 * the guard, so every throw is attributed to `plugin.hook`.
 *
 * A machine fault raised by a host function the plugin called (a page fault
 * in `heap.load8`, say) is thrown into the plugin as a realm error and also
 * kept aside: when the plugin call returns, the host fault is re-thrown even
 * if the plugin caught its copy — a fault ends the run.
 *
 * This is one layer: the child process also runs under Node's permission
 * model with the network modules neutered (see harden.ts).
 */
import vm from "node:vm";
import { types } from "node:util";
import { isStackOverflow, PluginFault, toPluginFault } from "./guard";

/** Marks a failed bridge call; the realm side then throws `takeError()`. */
const FAIL_SOURCE = "Symbol('memarena.fail')";

/** Caps on what a plugin's console output keeps: lines, characters in all, characters per line. */
export const MAX_OUTPUT_LINES = 200;
const MAX_OUTPUT_CHARS = 32_000;
const MAX_OUTPUT_LINE = 500;

/** Realm-side half of the bridge: built once per realm, before any plugin code runs. */
const BRIDGE_SOURCE = `(function (FAIL, call, getProp, takeError, emitLine) {
  "use strict";
  const defineProperty = Object.defineProperty, freeze = Object.freeze, apply = Reflect.apply, slice = Array.prototype.slice;
  const join = Array.prototype.join, strSlice = String.prototype.slice, stringify = JSON.stringify, toStr = String, isArray = Array.isArray;
  // What the plugin prints (console.*): kept here, taken by the host after the run (takeOutput).
  const MAX_LINES = ${MAX_OUTPUT_LINES}, MAX_CHARS = ${MAX_OUTPUT_CHARS}, MAX_LINE = ${MAX_OUTPUT_LINE};
  let outLines = [], outChars = 0, outDropped = 0, muted = false, streaming = false;
  function show(v) {
    switch (typeof v) {
      case "string": return v;
      case "function": return "[Function " + (v.name || "anonymous") + "]";
      case "symbol": return "Symbol()";
      case "object":
        if (v === null) return "null";
        try {
          const j = stringify(v);
          return j === undefined ? "[object]" : j;
        } catch (e) {
          return isArray(v) ? "[Array]" : "[object]";
        }
      default: return toStr(v);
    }
  }
  function record(prefix, args) {
    if (muted) return;
    const full = outLines.length >= MAX_LINES || outChars >= MAX_CHARS;
    if (full && !streaming) { outDropped++; return; }
    const parts = [];
    for (let i = 0; i < args.length; i++) defineProperty(parts, i, { value: show(args[i]), writable: true, enumerable: true, configurable: true });
    let line = prefix + apply(join, parts, [" "]);
    if (line.length > MAX_LINE) line = apply(strSlice, line, [0, MAX_LINE]) + " …";
    // Streamed lines reach the host as they are printed: a run that is stopped keeps its last ones.
    if (streaming) emitLine(line);
    if (full) { outDropped++; return; }
    defineProperty(outLines, outLines.length, { value: line, writable: true, enumerable: true, configurable: true });
    outChars += line.length;
  }
  /** The lines printed since the last call, one string (lines joined by newlines), and how many were dropped past the caps. */
  function takeOutput() {
    const text = apply(join, outLines, ["\\n"]);
    const r = [text, outDropped];
    outLines = [];
    outChars = 0;
    outDropped = 0;
    return r;
  }
  function fn(id) {
    return function (a, b, c, d) {
      const n = arguments.length;
      const r = n <= 4 ? call(id, n, a, b, c, d) : call(id, -1, apply(slice, arguments, []));
      if (r === FAIL) throw takeError();
      return r;
    };
  }
  function object(id, methodKeys, methodIds, propKeys) {
    const o = {};
    for (let i = 0; i < methodKeys.length; i++) defineProperty(o, methodKeys[i], { value: fn(methodIds[i]), enumerable: true });
    for (let i = 0; i < propKeys.length; i++) {
      const key = propKeys[i];
      defineProperty(o, key, { get: function () { const r = getProp(id, key); if (r === FAIL) throw takeError(); return r; }, enumerable: true });
    }
    return freeze(o);
  }
  function array(values) {
    const a = [];
    for (let i = 0; i < values.length; i++) defineProperty(a, i, { value: values[i], writable: true, enumerable: true, configurable: true });
    return a;
  }
  function makeRequire(sdk) {
    return function require(id) {
      if (id === "memarena") return sdk;
      throw new Error("require(" + JSON.stringify(String(id)) + ") is not allowed: a plugin may import only \\"memarena\\" and its own relative files");
    };
  }
  function lockdown() {
    // Node calls the realm's Error.prepareStackTrace with host CallSite arrays: never let a plugin install one.
    defineProperty(Error, "prepareStackTrace", { get: function () { return undefined; }, set: function () {}, configurable: false });
    defineProperty(globalThis, "Error", { value: Error, writable: false, configurable: false });
    delete globalThis.WebAssembly;
    delete globalThis.console;
    globalThis.console = freeze({
      log() { record("", arguments); },
      info() { record("", arguments); },
      debug() { record("", arguments); },
      warn() { record("warn: ", arguments); },
      error() { record("error: ", arguments); },
      trace() { record("trace: ", arguments); },
    });
    // Determinism: the same submission and challenge give the same results, so nothing a
    // plugin can read may change from run to run. Math.random is a fixed-seed generator
    // (mulberry32) and the clock stands still at the epoch.
    var state = 0x6d2b79f5;
    defineProperty(Math, "random", { value: function random() {
      state = (state + 0x6d2b79f5) | 0;
      var t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }, writable: false, configurable: false });
    var RealDate = Date;
    var FixedDate = function Date(a, b, c, d, e, f, g) {
      var n = arguments.length;
      if (!new.target) return new RealDate(0).toString();
      return n === 0 ? new RealDate(0) : n === 1 ? new RealDate(a) : new RealDate(RealDate.UTC(a, b, c === undefined ? 1 : c, d || 0, e || 0, f || 0, g || 0));
    };
    FixedDate.prototype = RealDate.prototype;
    FixedDate.now = function now() { return 0; };
    FixedDate.UTC = RealDate.UTC;
    FixedDate.parse = RealDate.parse;
    defineProperty(globalThis, "Date", { value: freeze(FixedDate), writable: false, configurable: false });
  }
  function setMuted(on) {
    muted = on === true;
  }
  function setStreaming(on) {
    streaming = on === true;
  }
  return freeze({ fn, object, array, makeRequire, lockdown, takeOutput, setMuted, setStreaming, newModule: function () { return { exports: {} }; } });
})`;

interface RealmBridge {
  fn(id: number): (...args: unknown[]) => unknown;
  object(id: number, methodKeys: readonly string[], methodIds: readonly number[], propKeys: readonly string[]): object;
  array(values: readonly unknown[]): unknown[];
  makeRequire(sdk: unknown): (id: string) => unknown;
  lockdown(): void;
  takeOutput(): [string, number];
  setMuted(on: boolean): void;
  setStreaming(on: boolean): void;
  newModule(): { exports: unknown };
}

/** Realm constructors captured before plugin code runs (a plugin may replace the globals later). */
interface RealmIntrinsics {
  readonly Error: ErrorConstructor;
  readonly RangeError: RangeErrorConstructor;
  readonly ObjectPrototype: object;
  readonly typedArrays: Readonly<Record<string, new (n: number) => ArrayLike<number>>>;
}

type HostFn = (...args: unknown[]) => unknown;
type AnyTypedArray = { length: number; [i: number]: number };

const TypedArraySet = Object.getPrototypeOf(Uint8Array.prototype).set as (this: unknown, src: unknown) => void;
const TypedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!.get!;

/** Depth limit for converting plugin data (reports, lists) to host values. */
const MAX_DEPTH = 32;
/** Largest array or key count accepted from plugin code. */
const MAX_ITEMS = 10_000_000;

/** A vm realm for one plugin run, with the membrane. */
export class PluginRealm {
  private readonly context: vm.Context;
  private readonly bridge: RealmBridge;
  private readonly intrinsics: RealmIntrinsics;
  private readonly fail: symbol;
  /** Host functions the realm may call, by id, with the `this` they are bound to. */
  private readonly hostFns: { fn: HostFn; self: unknown }[] = [];
  /** Host objects with live properties, by id. */
  private readonly hostObjs: object[] = [];
  private readonly toRealmCache = new WeakMap<object, unknown>();
  private readonly toHostCache = new WeakMap<object, unknown>();
  /** Realm wrapper -> the host original, so a wrapper handed back unwraps. */
  private readonly realmWrappers = new WeakMap<object, object>();
  private readonly syncedArrays: { host: AnyTypedArray; realm: AnyTypedArray }[] = [];
  /** The error the next failing bridge call throws into the realm (a realm value). */
  private errorForRealm: unknown;
  /** A host fault raised during the current plugin call; re-thrown when the call returns. */
  private pendingHostError: { error: unknown } | undefined;
  private depth = 0;
  private sdk: unknown;
  /** Where streamed console lines go (streamOutput). */
  private onLine: ((line: string) => void) | undefined;

  constructor() {
    this.context = vm.createContext(Object.create(null), {
      name: "memarena-plugin",
      codeGeneration: { strings: false, wasm: false },
      microtaskMode: "afterEvaluate",
    });
    this.fail = vm.runInContext(FAIL_SOURCE, this.context) as symbol;
    const make = vm.runInContext(BRIDGE_SOURCE, this.context, { filename: "memarena:bridge" }) as (...a: unknown[]) => RealmBridge;
    this.bridge = make(
      this.fail,
      (id: number, n: number, a: unknown, b: unknown, c: unknown, d: unknown) => this.onCall(id, n, a, b, c, d),
      (id: number, key: string) => this.onGet(id, key),
      () => this.takeErrorForRealm(),
      (line: unknown) => {
        if (typeof line === "string") this.onLine?.(line);
      },
    );
    this.intrinsics = vm.runInContext(
      `({ Error, RangeError, ObjectPrototype: Object.prototype, typedArrays: { Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array } })`,
      this.context,
    ) as RealmIntrinsics;
    this.bridge.lockdown();
  }

  /**
   * What plugin code printed with console.* since the last call, as lines (at
   * most MAX_OUTPUT_LINES, long lines cut), plus a last line telling how many
   * were dropped past the caps. Only bridge code runs: the text is joined in
   * the realm by functions captured before the plugin was loaded.
   */
  takeOutput(): string[] {
    const r = this.bridge.takeOutput();
    const text = r[0];
    const dropped = r[1];
    const lines = typeof text === "string" && text !== "" ? text.split("\n") : [];
    if (typeof dropped === "number" && dropped > 0) lines.push(`… ${dropped} more console line${dropped === 1 ? "" : "s"} not kept`);
    return lines;
  }

  /**
   * Hands every console line to `fn` as it is printed (besides keeping the
   * first ones for takeOutput): for a run the parent may have to stop.
   */
  streamOutput(fn: (line: string) => void): void {
    this.onLine = fn;
    this.bridge.setStreaming(true);
  }

  /** While muted, console calls keep nothing (the grader's replica runs the same plugin a second time). */
  setMuted(on: boolean): void {
    this.bridge.setMuted(on);
  }

  /** Evaluates the SDK bundle (CommonJS) inside the realm; its exports become what `require("memarena")` returns. */
  installSdk(sdkCode: string): void {
    const exports = this.evaluateRaw(sdkCode, "memarena:sdk", this.bridge.makeRequire(undefined));
    this.sdk = Object.freeze(exports);
  }

  /**
   * Evaluates a plugin bundle (CommonJS) in the realm and returns a host view
   * of its default export (or of module.exports when there is no default).
   * Throws a PluginFault for `plugin.load` when evaluation throws.
   */
  loadPlugin(code: string, filename: string, pluginName: string): unknown {
    const exports = this.guarded(pluginName, "load", () => {
      const raw = this.evaluateRaw(code, filename, this.bridge.makeRequire(this.sdk));
      const desc = raw !== null && (typeof raw === "object" || typeof raw === "function") ? Reflect.getOwnPropertyDescriptor(raw as object, "default") : undefined;
      // esbuild exposes `default` as a getter on the exports object: reading it runs realm code, so stay guarded.
      if (desc !== undefined) return (raw as Record<string, unknown>).default;
      // An ES module without a default export exports nothing usable; a CommonJS module exports module.exports.
      const esModule = raw !== null && typeof raw === "object" && Reflect.getOwnPropertyDescriptor(raw, "__esModule") !== undefined;
      return esModule ? undefined : raw;
    });
    return this.guarded(pluginName, "load", () => this.toHost(exports, pluginName, "load", 0));
  }

  private evaluateRaw(code: string, filename: string, require: unknown): unknown {
    const script = new vm.Script(`(function (exports, require, module) {\n${code}\n})`, { filename, lineOffset: -1 });
    const fn = script.runInContext(this.context) as (...a: unknown[]) => unknown;
    const module = this.bridge.newModule();
    Reflect.apply(fn, undefined, [module.exports, require, module]);
    return module.exports;
  }

  /** Runs `body` (which calls into the realm) with attribution: throws become PluginFaults, pending host faults win. */
  private guarded<T>(plugin: string, hook: string, body: () => T): T {
    const outermost = this.depth === 0;
    if (outermost) this.syncIn();
    this.depth++;
    let result: T;
    try {
      result = body();
    } catch (e) {
      const pending = this.takePending();
      if (pending !== undefined) throw pending.error;
      if (e instanceof PluginFault) throw e;
      throw toPluginFault(plugin, hook, e);
    } finally {
      this.depth--;
      if (outermost) this.syncOut();
    }
    const pending = this.takePending();
    if (pending !== undefined) throw pending.error;
    return result;
  }

  private takePending(): { error: unknown } | undefined {
    const p = this.pendingHostError;
    this.pendingHostError = undefined;
    return p;
  }

  // ---- host -> realm ------------------------------------------------------

  /** Converts a host value into something plugin code may hold. */
  toRealm(v: unknown): unknown {
    if (v === null || (typeof v !== "object" && typeof v !== "function")) return v;
    const o = v as object;
    const cached = this.toRealmCache.get(o);
    if (cached !== undefined) return cached;
    let out: unknown;
    if (typeof v === "function") {
      out = this.bridge.fn(this.registerFn(v as HostFn, undefined));
    } else if (Array.isArray(v)) {
      return this.bridge.array(v.map((x) => this.toRealm(x)));
    } else if (types.isTypedArray(v)) {
      const Ctor = this.intrinsics.typedArrays[TypedArrayTag.call(v) as string];
      const copy = new Ctor((v as unknown as AnyTypedArray).length) as unknown as AnyTypedArray;
      TypedArraySet.call(copy, v);
      this.syncedArrays.push({ host: v as unknown as AnyTypedArray, realm: copy });
      out = copy;
    } else if (types.isNativeError(v)) {
      return this.realmError(v as Error);
    } else {
      out = this.wrapObject(o);
    }
    this.toRealmCache.set(o, out);
    this.realmWrappers.set(out as object, o);
    return out;
  }

  private registerFn(fn: HostFn, self: unknown): number {
    this.hostFns.push({ fn, self });
    return this.hostFns.length - 1;
  }

  private wrapObject(o: object): object {
    const methodKeys: string[] = [];
    const methodIds: number[] = [];
    const propKeys: string[] = [];
    const seen = new Set<string>(["constructor", "__proto__"]);
    for (let p: object | null = o; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const key of Object.getOwnPropertyNames(p)) {
        if (seen.has(key)) continue;
        seen.add(key);
        const d = Object.getOwnPropertyDescriptor(p, key)!;
        if ("value" in d && typeof d.value === "function") {
          methodKeys.push(key);
          methodIds.push(this.registerFn(d.value as HostFn, o));
        } else {
          propKeys.push(key);
        }
      }
    }
    this.hostObjs.push(o);
    return this.bridge.object(this.hostObjs.length - 1, methodKeys, methodIds, propKeys);
  }

  private realmError(e: Error): Error {
    const stackOverflow = isStackOverflow(e);
    const Ctor = stackOverflow ? this.intrinsics.RangeError : this.intrinsics.Error;
    const copy = new Ctor(String(e.message));
    if (!stackOverflow && typeof e.name === "string") Object.defineProperty(copy, "name", { value: e.name });
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") Object.defineProperty(copy, "code", { value: code });
    return copy;
  }

  /** A realm function (of the bridge) called host function `id`. Never throws into the realm with a host value. */
  private onCall(id: number, n: number, a: unknown, b: unknown, c: unknown, d: unknown): unknown {
    const entry = this.hostFns[id];
    let args: unknown[];
    try {
      args = n === -1 ? this.toHostArray(a, "", 0) : n === 0 ? [] : n === 1 ? [this.argToHost(a)] : n === 2 ? [this.argToHost(a), this.argToHost(b)] : n === 3 ? [this.argToHost(a), this.argToHost(b), this.argToHost(c)] : [this.argToHost(a), this.argToHost(b), this.argToHost(c), this.argToHost(d)];
    } catch (e) {
      // Reading the plugin's own arguments threw (its getter, its Proxy): that is the plugin's error.
      this.errorForRealm = types.isNativeError(e) && this.isHostValue(e) ? this.realmError(e as Error) : e;
      return this.fail;
    }
    let result: unknown;
    try {
      result = Reflect.apply(entry.fn, entry.self, args);
    } catch (e) {
      return this.hostThrew(e);
    }
    try {
      return this.toRealm(result);
    } catch (e) {
      return this.hostThrew(e);
    }
  }

  private onGet(id: number, key: string): unknown {
    try {
      return this.toRealm((this.hostObjs[id] as Record<string, unknown>)[key]);
    } catch (e) {
      return this.hostThrew(e);
    }
  }

  private hostThrew(e: unknown): symbol {
    // A machine fault, a nested plugin's fault or a grader bug: the plugin sees a copy, the original ends
    // the run. A stack overflow in host frames is the plugin's own unbounded recursion: it just propagates.
    if (!isStackOverflow(e) && this.pendingHostError === undefined) this.pendingHostError = { error: e };
    this.errorForRealm = types.isNativeError(e) ? this.realmError(e as Error) : new this.intrinsics.Error("host error");
    return this.fail;
  }

  private takeErrorForRealm(): unknown {
    const e = this.errorForRealm;
    this.errorForRealm = undefined;
    return e;
  }

  private isHostValue(v: object): boolean {
    return v instanceof Object;
  }

  private argToHost(v: unknown): unknown {
    return v === null || (typeof v !== "object" && typeof v !== "function") ? v : this.toHost(v, "<callback>", "callback", 0);
  }

  private syncIn(): void {
    for (const { host, realm } of this.syncedArrays) TypedArraySet.call(realm, host);
  }

  private syncOut(): void {
    for (const { host, realm } of this.syncedArrays) TypedArraySet.call(host, realm);
  }

  // ---- realm -> host ------------------------------------------------------

  /**
   * A host view of a realm value: primitives as they are, wrappers unwrapped,
   * functions as guarded host functions (hook = the key they were found
   * under), arrays and data objects copied. Reading may run plugin code
   * (getters, Proxies): callers are inside `guarded`.
   */
  private toHost(v: unknown, plugin: string, hook: string, depth: number): unknown {
    if (v === null || (typeof v !== "object" && typeof v !== "function")) return v;
    const o = v as object;
    const original = this.realmWrappers.get(o);
    if (original !== undefined) return original;
    const cached = this.toHostCache.get(o);
    if (cached !== undefined) return cached;
    if (depth > MAX_DEPTH) throw new TypeError(`a value nested more than ${MAX_DEPTH} levels deep`);
    if (typeof v === "function") return this.hostFunction(v as HostFn, undefined, plugin, hook);
    if (Array.isArray(v)) return this.toHostArray(v, plugin, depth);
    if (types.isTypedArray(v)) {
      const copy = new (globalThis as unknown as Record<string, new (n: number) => AnyTypedArray>)[TypedArrayTag.call(v) as string]((v as unknown as AnyTypedArray).length);
      TypedArraySet.call(copy, v);
      return copy;
    }
    const view: Record<string, unknown> = {};
    this.toHostCache.set(o, view);
    const seen = new Set<string>(["constructor", "__proto__"]);
    let count = 0;
    for (let p: object | null = o; p !== null && p !== this.intrinsics.ObjectPrototype; p = Reflect.getPrototypeOf(p)) {
      for (const key of Reflect.ownKeys(p)) {
        if (typeof key !== "string" || seen.has(key)) continue;
        if (++count > MAX_ITEMS) throw new RangeError("an object with too many properties");
        seen.add(key);
        const d = Reflect.getOwnPropertyDescriptor(p, key)!;
        const value = "value" in d ? d.value : Reflect.get(o, key);
        view[key] = typeof value === "function" ? this.hostFunction(value as HostFn, o, plugin, key) : this.toHost(value, plugin, key, depth + 1);
      }
    }
    return Object.freeze(view);
  }

  private toHostArray(v: unknown, plugin: string, depth: number): unknown[] {
    const a = v as unknown[];
    const length = a.length;
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_ITEMS) throw new RangeError("an array of invalid or excessive length");
    const out = new Array<unknown>(length);
    for (let i = 0; i < length; i++) out[i] = this.toHost(a[i], plugin, "callback", depth + 1);
    return out;
  }

  private hostFunction(fn: HostFn, self: unknown, plugin: string, hook: string): HostFn {
    const realm = this;
    const host = function (...args: unknown[]): unknown {
      return realm.guarded(plugin, hook, () => {
        const realmArgs = args.map((x) => realm.toRealm(x));
        const r = Reflect.apply(fn, self, realmArgs);
        return realm.toHost(r, plugin, hook, 0);
      });
    };
    Object.defineProperty(host, "name", { value: hook });
    // Methods are bound to their instance (two instances share prototype methods): cache free functions only.
    if (self === undefined) this.toHostCache.set(fn, host);
    return host;
  }
}
