// ESLint flat config. Besides the usual TypeScript and React-hooks rules it enforces the
// one-way dependencies between src/ folders (ARCHITECTURE.md "Repo map"):
//   content → (nothing of ours)      engine → (nothing of ours; pure, deterministic)
//   lab-config → engine (types)      worker → engine
//   store → engine, lab-config, content, worker (types)
//   ui → everything
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const folders = ['engine', 'lab-config', 'worker', 'store', 'content', 'ui'];
const allowed = {
  engine: [],
  content: [],
  'lab-config': ['engine'],
  worker: ['engine'],
  store: ['engine', 'lab-config', 'content', 'worker'],
  ui: ['engine', 'lab-config', 'content', 'worker', 'store'],
};

function boundary(folder) {
  const forbidden = folders.filter((f) => f !== folder && !allowed[folder].includes(f));
  const patterns = forbidden.map((f) => ({
    group: [`**/${f}`, `**/${f}/**`, `../${f}`, `../${f}/*`, `../../${f}/*`],
    message: `src/${folder} may not import src/${f} (see ARCHITECTURE.md, Repo map).`,
  }));
  return patterns;
}

const engineBans = {
  'no-restricted-globals': [
    'error',
    { name: 'window', message: 'The engine is pure: no DOM.' },
    { name: 'document', message: 'The engine is pure: no DOM.' },
    { name: 'setTimeout', message: 'The engine uses virtual time (EventLoop), not timers.' },
    { name: 'setInterval', message: 'The engine uses virtual time (EventLoop), not timers.' },
    { name: 'requestAnimationFrame', message: 'The engine uses virtual time, not frames.' },
    { name: 'performance', message: 'The engine never reads the wall clock.' },
    { name: 'self', message: 'The engine is pure: no worker globals.' },
    { name: 'postMessage', message: 'The engine is pure: the worker folder posts messages.' },
    { name: 'localStorage', message: 'The engine is pure: no storage.' },
    { name: 'fetch', message: 'The engine is pure: no network.' },
  ],
  'no-restricted-properties': [
    'error',
    { object: 'Math', property: 'random', message: 'Use the seeded Rng (src/engine/prng.ts).' },
    { object: 'Date', property: 'now', message: 'The engine never reads the wall clock.' },
  ],
  'no-restricted-syntax': [
    'error',
    { selector: "NewExpression[callee.name='Date']", message: 'No wall clock in the engine.' },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'dist',
      'node_modules',
      'coverage',
      'playwright-report',
      'test-results',
      'public',
      'screenshots-tmp',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  ...folders.map((folder) => ({
    files: [`src/${folder}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...boundary(folder),
            ...(folder === 'engine' || folder === 'lab-config' || folder === 'content'
              ? [
                  {
                    group: ['react', 'react-dom', 'react/*', 'react-dom/*', 'zustand', 'zustand/*'],
                    message: `src/${folder} is pure TypeScript: no React or store.`,
                  },
                ]
              : []),
            ...(folder === 'lab-config'
              ? [
                  {
                    group: ['monaco-editor', 'monaco-editor/*', '@monaco-editor/*'],
                    message: 'lab-config is pure: no Monaco.',
                  },
                ]
              : []),
          ],
        },
      ],
    },
  })),
  {
    files: ['src/engine/**/*.ts'],
    ignores: ['src/engine/**/*.test.ts'],
    rules: engineBans,
  },
  {
    files: ['src/engine/**/*.ts'],
    languageOptions: { globals: { ...globals.es2021 } },
  },
);
