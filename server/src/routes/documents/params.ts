/** A path id: digits only, else -1 (which every access check reports as 404). */
export function idParam(value: string | undefined): number {
  return value && /^[1-9][0-9]{0,15}$/.test(value) ? Number(value) : -1;
}
