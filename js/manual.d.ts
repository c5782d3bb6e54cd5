export * from "./index.js";
/** Instantiates from a compiled module synchronously (extension service workers, tests). */
export declare function initSync(module: WebAssembly.Module): void;
