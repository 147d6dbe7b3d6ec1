import type { ESLint } from 'eslint';

export declare const MAY_IMPORT: Readonly<Record<string, readonly string[]>>;
export declare const MAY_IMPORT_TEST_CODE: readonly string[];
export declare const PURE: readonly string[];
export declare function isTestCode(abs: string): boolean;
declare const plugin: ESLint.Plugin;
export default plugin;
