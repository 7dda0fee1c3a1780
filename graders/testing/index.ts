/** `memarena/testing`: helpers students use in their own tests. */
export { AllocatorTester } from "./allocator-tester";
export type { InvalidCase, TesterCase, TesterOptions } from "./allocator-tester";
