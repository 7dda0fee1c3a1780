/** callPlugin / PluginFault: every throw attributed to plugin.hook, with the op attached by the replay. */
import { ErrorCode, MemarenaError } from "../../core/errors";
import { callPlugin, PluginFault, withOp } from "../../graders/sandbox/guard";

function fault(fn: () => unknown): PluginFault {
  try {
    callPlugin("my-first-fit", "malloc", fn);
  } catch (e) {
    expect(e).toBeInstanceOf(PluginFault);
    return e as PluginFault;
  }
  throw new Error("expected a throw");
}

describe("callPlugin", () => {
  it("returns what the hook returns", () => {
    expect(callPlugin("p", "malloc", (n: number) => n * 2, 21)).toBe(42);
  });

  it("renders the student's message with the op", () => {
    const f = withOp(fault(() => { throw new TypeError("x is undefined"); }), 1234, "a 17 512") as PluginFault;
    expect(f.message).toBe("my-first-fit.malloc threw TypeError: x is undefined at op 1234 (a 17 512)");
    expect(f.code).toBe(ErrorCode.PLUGIN_THREW);
    expect(f.toFailure()).toMatchObject({ op: 1234, check: "PLUGIN_THREW", data: { plugin: "my-first-fit", hook: "malloc", errorName: "TypeError", opText: "a 17 512" } });
    expect((withOp(f, 9, "f 1") as PluginFault).data.op).toBe(1234);
  });

  it.each([
    ["a string", "oops", 'threw a non-Error value: "oops"'],
    ["a number", 42, "threw a non-Error value: 42"],
    ["undefined", undefined, "threw a non-Error value: undefined"],
    ["an object", { code: 7 }, 'threw a non-Error value: {"code":7}'],
    ["a Proxy", new Proxy({}, { get() { throw new Error("trap"); }, ownKeys() { throw new Error("trap"); } }), "threw a non-Error value: a Proxy"],
  ])("describes %s safely", (_what, value, text) => {
    expect(fault(() => { throw value; }).message).toBe(`my-first-fit.malloc ${text}`);
  });

  it("hints at unbounded recursion", () => {
    const down = (n: number): number => down(n + 1) + 1;
    expect(fault(() => down(0)).message).toMatch(/threw RangeError: Maximum call stack size exceeded \(unbounded recursion\?\)$/);
  });

  it("lets the machine's own faults through unchanged", () => {
    const pageFault = new MemarenaError(ErrorCode.PAGE_FAULT, "not present");
    expect(() => callPlugin("p", "malloc", () => { throw pageFault; })).toThrow(pageFault);
  });
});
