/** The codes of parse problems, and the one constructor of a parse finding. */
import type { Finding } from '../model.js';
import type { FieldCode } from '../validate/field-rules.js';
import type { TencentFieldCode } from '../validate/tencent/field-rules.js';

/** Codes the parser reports besides the field-rule codes it shares with the validators. */
export const PARSE_CODES = Object.freeze([
  'config.syntax',
  'config.required',
  'config.type',
  'config.unknown-key',
  'config.range',
  'config.enum',
  'config.format',
  'config.empty-list',
] as const);

export type ParseCode = (typeof PARSE_CODES)[number];

/** A parse problem: always an error. */
export function parseFinding(
  code: ParseCode | FieldCode | TencentFieldCode,
  path: string,
  message: string,
  hint = '',
): Finding {
  return { severity: 'error', code, path, message, hint };
}
