import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bpf/', '.data/', 'ui/dist/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': 'error',
    },
  },
  {
    // The core reads SLI data through src/sli and deliveries through ports; integrations depend on it, not back.
    files: ['src/alerts/**/*.ts', 'src/slo/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/integrations/**'],
              message:
                'src/alerts and src/slo import nothing from src/integrations: read SLI data through src/sli, deliveries through src/alerts/deliveries.port.ts (docs/engine.md)',
            },
          ],
        },
      ],
    },
  },
  {
    // src/sli (the SLI port and its sources) is below the engine: the engine imports it, never the other way.
    files: ['src/sli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/alerts/**'],
              message:
                'src/sli is below src/alerts: the engine reads SLI data through src/sli/sli-source.ts, not the other way (docs/engine.md)',
            },
          ],
        },
      ],
    },
  },
  {
    // The API's wire shapes (`*.view.ts`) and the pure domain are compiled by the UI too (ui/src/api/types.ts
    // re-exports them), so they may not pull in Nest, TypeORM or a service; and in src/alerts and src/slo the
    // rule above still holds (a later block replaces an earlier block's rule, so it is repeated here).
    files: [
      'src/**/*.view.ts',
      'src/**/domain/**/*.ts',
      'src/alerts/correlation/correlation.ts',
      'src/integrations/sensor/sensor-status.ts',
    ],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'typeorm', '**/*.entity.js', '**/*.service.js', '**/*.controller.js'],
              message:
                'wire shapes and domain code are shared with the UI (ui/src/api/types.ts): no Nest, TypeORM, entities or services here',
            },
            {
              group: ['**/integrations/**'],
              message:
                'src/alerts and src/slo import nothing from src/integrations: read SLI data through src/sli, deliveries through src/alerts/deliveries.port.ts (docs/engine.md)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**', '**/*.spec.ts'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests read loosely typed JSON responses.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
