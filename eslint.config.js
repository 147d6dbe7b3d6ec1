import tseslint from 'typescript-eslint';
import boundaries from './lint/import-boundaries.js';

export default tseslint.config({ ignores: ['node_modules/**', 'dist/**', 'data/**', 'out/**', '**/*.py'] }, ...tseslint.configs.recommended, {
  plugins: { lpcv: boundaries },
  rules: {
    '@typescript-eslint/no-explicit-any': 'error',
    '@typescript-eslint/consistent-type-imports': 'error',
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    // The dependency table of docs/architecture.md: no import runs back up, production code imports no test code.
    'lpcv/import-boundaries': 'error',
  },
});
