// ESLint flat config: typescript-eslint recommended rules over the TypeScript sources and tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // resources/link-visual-editor.js and resources/ui-link-visual-events.umd.js are build output (scripts/build.js).
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.demo/**', '.userdir/**', 'resources/link-visual-editor.js', 'resources/ui-link-visual-events.umd.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
      // Node-RED constructors conventionally keep `const node = this` for callbacks.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The Dashboard 2 widget (ui/, built by Vite): ES modules for the browser, and Vite's config for Node.
    files: ['ui/**/*.js', 'ui/**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', URL: 'readonly' } },
  },
  {
    // The editor bundle's sources run in the browser: browser and Node-RED editor globals (editor/red.d.ts).
    files: ['editor/**/*.ts'],
    languageOptions: {
      globals: { window: 'readonly', document: 'readonly', console: 'readonly', RED: 'readonly', $: 'readonly', jQuery: 'readonly' },
    },
  },
);
