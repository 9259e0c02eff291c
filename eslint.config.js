// Flat config: type-aware rules where a daemon needs them (promises, exhaustive switches).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "dist-check/**",
      "dist-bench/**",
      "coverage/**",
      "node_modules/**",
      ".gwarden/**",
      ".gunicorn-versions/**",
      "src/web/vendor/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["node:*", "fs", "child_process", "http", "net", "os", "path"],
              message: "src/core is pure: no Node imports.",
            },
            { group: ["**/adapters/**", "**/commands/**"], message: "src/core imports only src/core." },
          ],
        },
      ],
      // No clock, timers or process: time and effects come in through the step's inputs and the port.
      "no-restricted-globals": [
        "error",
        ...[
          "process",
          "setTimeout",
          "setInterval",
          "setImmediate",
          "clearTimeout",
          "clearInterval",
          "performance",
          "fetch",
        ].map((name) => ({
          name,
          message: "src/core is pure: take it as an input (src/adapters/platform).",
        })),
      ],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "src/core has no clock: take the time as an input." },
        {
          object: "Math",
          property: "random",
          message: "src/core is deterministic: take randomness as an input.",
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "src/core has no clock: `new Date()` reads it; take the time as an input.",
        },
      ],
    },
  },
  {
    // Commands wire adapters to the core: every effect (files, PATH, signals) lives in an adapter.
    files: ["src/commands/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "node:*",
                "fs",
                "fs/*",
                "child_process",
                "http",
                "net",
                "os",
                "path",
                "readline",
                "stream",
              ],
              message: "src/commands does no I/O: move it into an adapter (src/adapters/<capability>/).",
            },
          ],
        },
      ],
      "no-restricted-properties": [
        "error",
        ...["on", "once", "off", "exit", "kill", "chdir"].map((property) => ({
          object: "process",
          property,
          message: "src/commands installs no handlers and exits by process.exitCode: use an adapter.",
        })),
      ],
    },
  },
  {
    files: ["src/adapters/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/commands/**"], message: "adapters must not import commands." }] },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  prettier,
);
