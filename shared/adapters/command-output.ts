/**
 * The output of a command run on an instance by a cloud's agent (Alibaba Cloud Assistant, Tencent TAT),
 * as the adapters hand it to the engine: both APIs return it Base64-encoded, and a journal entry holds
 * only a few KiB of it.
 */

/** Command output kept per result: enough to diagnose, small enough for a journal entry. */
export const MAX_OUTPUT_CHARS = 4096;

/** Base64 output → text, keeping the end (where a failing script's error is) when it is long. */
export function decodeOutput(output: string | null | undefined): string | undefined {
  if (output === null || output === undefined || output === '') return undefined;
  const text = Buffer.from(output, 'base64').toString('utf8');
  if (text.length <= MAX_OUTPUT_CHARS) return text;
  const marker = `[${text.length - MAX_OUTPUT_CHARS + 64} characters truncated]\n`;
  return marker + text.slice(text.length - (MAX_OUTPUT_CHARS - 64));
}
