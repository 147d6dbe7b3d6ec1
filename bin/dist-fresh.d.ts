// Types of bin/dist-fresh.js (plain JavaScript: bin/lpcv.js loads it before any TypeScript loader).
export declare const ROOT: string;
export declare const DIST: string;
export declare const STAMP: string;
export declare const SOURCE_DIRS: readonly string[];
export declare function isTestPath(name: string, isDir: boolean): boolean;
export declare function newestSourceMtime(): number;
export declare function compiledEntry(relative: string): string | null;
