// Lint: typescript-eslint's recommended rules, plus the layering rule of DESIGN.md:
// src/core, src/cli, src/protocol and webview/ never import 'vscode' (only src/vscode and
// src/extension.ts may).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = {
  'no-restricted-imports': [
    'error',
    {
      paths: [{ name: 'vscode', message: "Only src/vscode/ and src/extension.ts may import 'vscode': keep the core usable from the CLI." }],
    },
  ],
};

// The layers of DESIGN.md, as import rules (patterns match the resolved relative paths' shape):
// pure layers (parse, analyze, model, report) reach no host, no collector, no tool runner;
// the webview and the protocol see only the report model and its renderers; the core never
// reaches the CLI.
const VSCODE = { name: 'vscode', message: "Only src/vscode/ and src/extension.ts may import 'vscode': keep the core usable from the CLI." };
const layer = (patterns, paths = []) => ({ 'no-restricted-imports': ['error', { paths: [VSCODE, ...paths], patterns }] });
// Pure layers open no files and start no programs: collect/ does, and hands them text or chunks.
const NO_IO = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'zlib', 'node:zlib', 'child_process', 'node:child_process', 'net', 'node:net'].map(
  (name) => ({
    name,
    message: 'parse, analyze, model, report and alerts are pure: no files, programs or sockets (collect/ opens them and passes the data in).',
  }),
);
const NOT_CLI = { regex: '(^|/)cli(/|$)', message: 'The core never imports the CLI.' };
const PURE = [
  NOT_CLI,
  {
    regex: '(^|/)(collect|host|tools|live)(/|$)',
    message: 'parse, analyze, model, report and alerts are pure: no host, collector, tool runner or live session (pass data in).',
  },
];
const VIEW = [
  { regex: '(^|/)core/(?!(model|report)/|format$)', message: 'webview/ and protocol/ see the report model, its renderers and the protocol only.' },
  { regex: '(^|/)(vscode|cli)(/|$)', message: 'webview/ and protocol/ run apart from the extension and the CLI.' },
];

export const LAYERS = {
  core: layer([NOT_CLI]),
  pure: layer(PURE, NO_IO),
  view: layer(VIEW),
};

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', 'node_modules/**', 'test-results/**', '**/*.d.ts', 'bench/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        setImmediate: 'readonly',
        clearImmediate: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
        document: 'readonly',
        window: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  { files: ['src/cli/**', 'test/unit/**', 'test/integration/**', 'bench/**'], rules: noVscode },
  { files: ['src/core/**'], rules: LAYERS.core },
  { files: ['src/core/parse/**', 'src/core/analyze/**', 'src/core/model/**', 'src/core/report/**', 'src/core/alerts/**'], rules: LAYERS.pure },
  { files: ['webview/**', 'src/protocol/**'], rules: LAYERS.view },
);
