/**
 * Prepares a component source file for the image: the descriptors that only
 * the build needs (a module's name and spec, interface definitions,
 * configurations) are removed or marked pure so that esbuild drops them,
 * leaving just module implementations. Line breaks are kept, so positions
 * in esbuild's messages still point at the right source line.
 */
import { MESSAGE_PURE_CALLS } from "../../components/message/TypedMessage.ts";

const PURE_CALLS = new Set([
  "defineInterface",
  "command",
  "event",
  "parameterized",
  "configuration",
  "genericConfiguration",
  // Typed message declarations: only the accessors an image calls stay in it.
  ...MESSAGE_PURE_CALLS,
]);
const MODULE_CALLS = new Set(["module", "genericModule"]);

const isIdentStart = (ch: string) => /[A-Za-z_$]/.test(ch);
const isIdentPart = (ch: string) => /[A-Za-z0-9_$]/.test(ch);

/** Characters after which a `/` starts a regular expression, not a division. */
const REGEX_PRECEDERS = new Set(["(", ",", "=", ":", "[", "!", "&", "|", "?", "{", "}", ";", "+", "-", "*", "%", "<", ">", "~", "^"]);

interface Scanner {
  readonly text: string;
  pos: number;
}

/** Skips a string, template, comment or regex starting at s.pos; returns false if none starts there. */
function skipNonCode(s: Scanner, previousSignificant: string): boolean {
  const { text } = s;
  const ch = text[s.pos];
  const next = text[s.pos + 1];
  if (ch === "/" && next === "/") {
    const end = text.indexOf("\n", s.pos);
    s.pos = end < 0 ? text.length : end;
    return true;
  }
  if (ch === "/" && next === "*") {
    const end = text.indexOf("*/", s.pos + 2);
    s.pos = end < 0 ? text.length : end + 2;
    return true;
  }
  if (ch === '"' || ch === "'") {
    s.pos++;
    while (s.pos < text.length && text[s.pos] !== ch) {
      if (text[s.pos] === "\\") s.pos++;
      s.pos++;
    }
    s.pos++;
    return true;
  }
  if (ch === "`") {
    s.pos++;
    while (s.pos < text.length && text[s.pos] !== "`") {
      if (text[s.pos] === "\\") s.pos += 2;
      else if (text[s.pos] === "$" && text[s.pos + 1] === "{") {
        s.pos += 2;
        skipBalanced(s, "}");
      } else s.pos++;
    }
    s.pos++;
    return true;
  }
  if (ch === "/" && (previousSignificant === "" || REGEX_PRECEDERS.has(previousSignificant))) {
    s.pos++;
    let inClass = false;
    while (s.pos < text.length && text[s.pos] !== "\n") {
      const c = text[s.pos];
      if (c === "\\") s.pos++;
      else if (c === "[") inClass = true;
      else if (c === "]") inClass = false;
      else if (c === "/" && !inClass) break;
      s.pos++;
    }
    s.pos++;
    while (s.pos < text.length && isIdentPart(text[s.pos]!)) s.pos++;
    return true;
  }
  return false;
}

/** Advances past the matching `close`, returning the positions of top-level commas. */
function skipBalanced(s: Scanner, close: string): number[] {
  const commas: number[] = [];
  const stack: string[] = [close];
  let previous = "(";
  while (s.pos < s.text.length) {
    if (skipNonCode(s, previous)) {
      previous = "a";
      continue;
    }
    const ch = s.text[s.pos]!;
    if (ch === "(") stack.push(")");
    else if (ch === "[") stack.push("]");
    else if (ch === "{") stack.push("}");
    else if (ch === ")" || ch === "]" || ch === "}") {
      if (stack[stack.length - 1] === ch) stack.pop();
      if (stack.length === 0) {
        s.pos++;
        return commas;
      }
    } else if (ch === "," && stack.length === 1) {
      commas.push(s.pos);
    }
    if (!/\s/.test(ch)) previous = isIdentPart(ch) ? "a" : ch;
    s.pos++;
  }
  return commas;
}

/** Past whitespace and an optional `<type arguments>` (where `=>` does not close), to the next token. */
function skipTypeArguments(source: string, from: number): number {
  let p = from;
  while (p < source.length && /\s/.test(source[p]!)) p++;
  if (source[p] !== "<") return p;
  let depth = 0;
  for (; p < source.length; p++) {
    const ch = source[p];
    if (ch === "<") depth++;
    else if (ch === ">" && source[p - 1] !== "=") {
      depth--;
      if (depth === 0) {
        p++;
        break;
      }
    } else if (ch === ";" || ch === "{") return from; // a comparison, not type arguments
  }
  while (p < source.length && /\s/.test(source[p]!)) p++;
  return p;
}

const newlinesOf = (text: string) => text.replace(/[^\n]/g, "");

export function stripForImage(source: string): string {
  const s: Scanner = { text: source, pos: 0 };
  const edits: { start: number; end: number; replacement: string }[] = [];
  let previous = "";
  let previousWord = "";
  while (s.pos < source.length) {
    if (skipNonCode(s, previous)) {
      previous = "a";
      continue;
    }
    const ch = source[s.pos]!;
    if (isIdentStart(ch) && (s.pos === 0 || !isIdentPart(source[s.pos - 1]!))) {
      const start = s.pos;
      while (s.pos < source.length && isIdentPart(source[s.pos]!)) s.pos++;
      const word = source.slice(start, s.pos);
      const afterFunction = previousWord === "function";
      previousWord = word;
      if (previous === "." || afterFunction || (!PURE_CALLS.has(word) && !MODULE_CALLS.has(word))) {
        previous = "a";
        continue;
      }
      let p = skipTypeArguments(source, s.pos);
      if (source[p] !== "(") {
        previous = "a";
        continue;
      }
      if (PURE_CALLS.has(word)) {
        edits.push({ start, end: start, replacement: "/* @__PURE__ */ " });
        previous = "a";
        continue;
      }
      // module(name, spec, implementation) -> (implementation)
      s.pos = p + 1;
      const commas = skipBalanced(s, ")");
      // A trailing comma (`impl,\n)`) is not an argument separator.
      const closing = s.pos - 1;
      let trailing: number | undefined;
      if (commas.length && source.slice(commas[commas.length - 1]! + 1, closing).trim() === "") trailing = commas.pop();
      const lastComma = commas[commas.length - 1];
      if (lastComma !== undefined) {
        // Drop the call's parentheses too: esbuild keeps `(function ...)` as written.
        const removed = source.slice(start, lastComma + 1);
        edits.push({ start, end: lastComma + 1, replacement: newlinesOf(removed) });
        edits.push({ start: closing, end: closing + 1, replacement: " " });
        if (trailing !== undefined) edits.push({ start: trailing, end: trailing + 1, replacement: " " });
      }
      s.pos = p + 1; // scan the implementation too (it may define nested things)
      previous = "(";
      continue;
    }
    if (!/\s/.test(ch)) previous = ch;
    s.pos++;
  }
  let out = "";
  let last = 0;
  for (const e of edits.sort((a, b) => a.start - b.start)) {
    if (e.start < last) continue;
    out += source.slice(last, e.start) + e.replacement;
    last = e.end;
  }
  return out + source.slice(last);
}
