// Types for test/build/, which checks the built dist/ with the build's own reading.
export function freeCommonJsGlobals(code: string): Promise<string[]>;
export function withCommonJsGlobals(code: string): Promise<string>;
