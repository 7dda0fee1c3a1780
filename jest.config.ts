/** @jest-config-loader ts-node
 * @jest-config-loader-options {"transpileOnly": true} */
import type { Config } from "jest";

const config: Config = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  moduleNameMapper: { "^memarena$": "<rootDir>/core/sdk/index.ts" },
  setupFiles: ["reflect-metadata"],
  testTimeout: 60_000,
};

export default config;
