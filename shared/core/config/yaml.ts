/**
 * YAML (and so JSON) text → a plain value. Syntax errors carry their line and column; duplicate keys,
 * tab indentation and several documents in one text are refused with a hint saying what to change.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { Finding } from '../model.js';
import { parseFinding } from './parse-codes.js';

export function parseYaml(text: string): { ok: true; value: unknown } | { ok: false; findings: Finding[] } {
  const lineCounter = new LineCounter();
  // `merge: true` lets operators share settings with YAML anchors and `<<:` merge keys.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      findings: doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return syntaxFinding(
          `YAML syntax error at line ${line}, column ${col}: ${e.message}`,
          yamlHint(e.code),
        );
      }),
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) };
  } catch (e) {
    // toJS throws only for alias abuse (e.g. a "billion laughs" document).
    return {
      ok: false,
      findings: [syntaxFinding(`YAML error: ${(e as Error).message}`, 'use fewer aliases')],
    };
  }
}

function syntaxFinding(message: string, hint: string): Finding {
  return parseFinding('config.syntax', '', message, hint);
}

function yamlHint(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove one of the duplicate keys';
    case 'TAB_AS_INDENT':
      return 'indent with spaces; YAML does not allow tabs for indentation';
    case 'MULTIPLE_DOCS':
      return 'put the whole topology in one YAML document (remove extra --- separators)';
    default:
      return 'check the indentation and quoting near that line';
  }
}
