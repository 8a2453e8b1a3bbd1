// Eager functions on the actions' start paths. Node's compile cache (module.enableCompileCache)
// stores each module's V8 code cache right after compiling it, before it runs, so it holds only
// what V8 compiled eagerly: top-level code. Every function a start calls was parsed and compiled
// again, lazily, on every start (about 10 ms of run-prompt's, V8's --log-function-events).
// V8 compiles a parenthesized function or arrow at once (its "PIFE" heuristic, meant for
// `(function () { … })()`), so it lands in the cache: the start chunks get their functions
// parenthesized, and their function declarations become parenthesized function expressions
// assigned at the top of their scope, which is where a declaration is hoisted to.
import { parse } from 'acorn';

const PARSE = { ecmaVersion: 'latest', sourceType: 'module', preserveParens: true };
const isFunction = (node) => node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';

/** The child nodes of an ESTree node, in source order. */
function children(node) {
  const list = [];
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (Array.isArray(value)) list.push(...value.filter((item) => typeof item?.type === 'string'));
    else if (typeof value?.type === 'string' && key !== 'loc') list.push(value);
  }
  return list.sort((a, b) => a.start - b.start);
}

/** A method's, getter's or setter's function: its syntax has no room for parentheses. */
const isMethodValue = (parent, node) =>
  parent.value === node &&
  (parent.type === 'MethodDefinition' || (parent.type === 'Property' && (parent.method || parent.kind !== 'init')));

/**
 * The code with every function V8 would compile lazily made eager, same behaviour: functions and
 * arrows get parentheses (methods keep their syntax and stay lazy); a declaration directly in the
 * module's or a function's body becomes `var name=(function…)` at the start of that body, so it
 * exists before any statement of the body runs, as a hoisted declaration does. Between modules a
 * declaration also exists before its module runs: that matters in an import cycle only, which
 * the caller rules out. Declarations in other blocks, and bodies with a directive, stay as they are.
 */
export function eagerFunctions(code) {
  const hoisted = (statements) => {
    const declarations = statements.filter((statement) => statement.type === 'FunctionDeclaration');
    if (declarations.length === 0) return '';
    const expression = (node) => `(${code.slice(node.start, node.id.start).trimEnd()}${render(node, node.id.end)})`;
    return `var ${declarations.map((node) => `${node.id.name}=${expression(node)}`).join(',')};`;
  };
  const hoistsIn = (node, parent) =>
    node.type === 'Program' ||
    (node.type === 'BlockStatement' &&
      parent !== undefined &&
      (isFunction(parent) || parent.type === 'FunctionDeclaration') &&
      !node.body.some((statement) => statement.directive !== undefined));

  function render(node, from = node.start, parent = undefined) {
    const hoists = hoistsIn(node, parent);
    let text = '';
    let position = from;
    for (const child of children(node)) {
      if (child.start < position) continue;
      text += code.slice(position, child.start);
      position = child.end;
      if (hoists && child.type === 'FunctionDeclaration') continue; // moved to the top of the body
      const rendered = render(child, child.start, node);
      const wrap = isFunction(child) && node.type !== 'ParenthesizedExpression' && !isMethodValue(node, child);
      text += wrap ? `(${rendered})` : rendered;
    }
    text += code.slice(position, node.end);
    if (!hoists) return text;
    const top = hoisted(node.body);
    if (node.type !== 'Program') return `{${top}${text.slice(1)}`; // right after the body's `{`
    // Imports are hoisted anyway; a `#!` line has to stay first.
    const hashbang = /^#![^\n]*\n/.exec(text)?.[0] ?? '';
    return `${hashbang}${top}${text.slice(hashbang.length)}`;
  }

  const result = render(parse(code, PARSE));
  parse(result, PARSE); // a transform that broke the syntax fails the build here, not at a start
  return result;
}

/**
 * The output files the actions' entries load at start: each entry, the start module it import()s
 * and what those import statically. Files in an import cycle are left out (see eagerFunctions).
 */
export function startFiles(metafile, actionEntryOutputs) {
  const outputs = metafile.outputs;
  const staticImports = (path) =>
    (outputs[path]?.imports ?? []).filter((i) => i.kind === 'import-statement' && outputs[i.path]).map((i) => i.path);
  const seen = new Set();
  const stack = actionEntryOutputs.flatMap((entry) => [
    entry,
    ...outputs[entry].imports.filter((i) => i.kind === 'dynamic-import' && outputs[i.path]).map((i) => i.path),
  ]);
  while (stack.length > 0) {
    const path = stack.pop();
    if (seen.has(path)) continue;
    seen.add(path);
    stack.push(...staticImports(path));
  }
  const cyclic = (path) => {
    const visited = new Set();
    const next = [...staticImports(path)];
    while (next.length > 0) {
      const current = next.pop();
      if (current === path) return true;
      if (visited.has(current)) continue;
      visited.add(current);
      next.push(...staticImports(current));
    }
    return false;
  };
  return new Set([...seen].filter((path) => !cyclic(path)));
}
