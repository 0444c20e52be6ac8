/** The error a promise rejects with; fails the test when it resolves or rejects with a non-Error. */
export async function errorOf(p: Promise<unknown>): Promise<Error & { code?: unknown }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof Error)) throw new Error('expected the call to fail');
  return e as Error & { code?: unknown };
}
