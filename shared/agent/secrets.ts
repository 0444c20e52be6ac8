/**
 * Keys and tokens come from a file or an environment variable named in the configuration, never from
 * the configuration itself, and are never logged. They are read once, at start.
 */
import { readFile, stat } from 'node:fs/promises';
import { InvalidInputError } from '../core/errors.js';
import type { SecretRef } from './config.js';

/** A resolved secret. `text()` is async so a future source (a vault) fits the same shape. */
export interface SecretSource {
  text(): Promise<string>;
}

export const MIN_SECRET_CHARS = 16;
const HINT = 'generate one with `openssl rand -hex 32`';

export interface SecretIo {
  readonly env: NodeJS.ProcessEnv;
  readFile(path: string): Promise<string>;
  /** File mode bits, to warn about a secret readable by others. */
  mode(path: string): Promise<number>;
}

export const systemSecretIo: SecretIo = {
  env: process.env,
  readFile: (p) => readFile(p, 'utf8'),
  mode: async (p) => (await stat(p)).mode,
};

/**
 * Reads the secret `ref` names (`path` is its place in the configuration, for errors). Returns the value
 * and, for a file others may read, a warning to log.
 */
export async function loadSecret(
  ref: SecretRef,
  path: string,
  io: SecretIo = systemSecretIo,
): Promise<{ value: string; warning?: string }> {
  let value: string;
  let warning: string | undefined;
  if (ref.file !== undefined) {
    try {
      value = (await io.readFile(ref.file)).split('\n')[0]!.trim();
      if (((await io.mode(ref.file)) & 0o077) !== 0)
        warning = `${path}: ${ref.file} can be read by other users; chmod 0600 (or 0640 with the agent's group)`;
    } catch (e) {
      throw secretError(
        path,
        `cannot read ${ref.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        'check the path and that the agent user may read it',
      );
    }
  } else {
    value = (io.env[ref.env!] ?? '').trim();
    if (value === '')
      throw secretError(
        path,
        `the environment variable ${ref.env} is not set`,
        'set it in the unit (EnvironmentFile=) or use {file: …}',
      );
  }
  if (value.length < MIN_SECRET_CHARS)
    throw secretError(path, `the secret is shorter than ${MIN_SECRET_CHARS} characters`, HINT);
  return warning === undefined ? { value } : { value, warning };
}

export const fixedSecret = (value: string): SecretSource => ({ text: async () => value });

function secretError(path: string, message: string, hint: string): InvalidInputError {
  return new InvalidInputError('config.invalid', 'cannot load a secret of the agent configuration', [
    { path, message, hint },
  ]);
}
