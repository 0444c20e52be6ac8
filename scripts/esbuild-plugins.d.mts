import type { Plugin } from 'esbuild';

export declare const LAZY_SDK_REQUIRES: readonly string[];
export declare function lazySdkRequires(names?: readonly string[]): Plugin;
export declare function appChunk(root: string, modules: Set<string>): Plugin;
export declare function appEntry(modules: Iterable<string>): string;
