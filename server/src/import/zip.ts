/**
 * Reading an uploaded zip with caps on what it may unpack to: the number of entries and the bytes
 * inflated, counted while inflating (fflate's streaming Unzip), so a zip bomb is refused after at most
 * one small step past the cap, whatever sizes the archive declares.
 */
import { Unzip, UnzipInflate, unzipSync, zipSync } from "fflate";
import { PayloadTooLarge } from "./errors";
import { DEFAULT_LIMITS, formatBytes, LIMIT_SETTINGS } from "./limits";

export interface ZipLimits {
  /** Bytes all entries together may inflate to. */
  maxUnzippedBytes: number;
  /** Entries (files and folders) the archive may hold. */
  maxZipEntries: number;
}

/**
 * Compressed bytes inflated per step. Deflate expands at most ~1032:1, so one step can overshoot the cap
 * by ~8 MiB at worst before the count refuses it.
 */
const STEP = 8 * 1024;

const skipped = (name: string) => name.endsWith("/") || /(^|\/)__MACOSX\//.test(name);

/**
 * Reads a zip into path → bytes (folders and macOS metadata left out). Over a cap it throws a 413
 * PayloadTooLarge naming the cap and `file` (the upload's name); a damaged or non-zip input throws an ordinary Error.
 */
export function readZip(
  bytes: Uint8Array,
  limits: ZipLimits = DEFAULT_LIMITS,
  file?: string,
): Map<string, Uint8Array> {
  const what = file === undefined ? "The zip" : `The zip "${file}"`;
  const tooMany = () =>
    new PayloadTooLarge(
      `${what} holds more than ${limits.maxZipEntries} entries (${LIMIT_SETTINGS.maxZipEntries})`,
      {
        max: limits.maxZipEntries,
        setting: LIMIT_SETTINGS.maxZipEntries,
        ...(file === undefined ? {} : { file }),
      },
    );
  const tooBig = () =>
    new PayloadTooLarge(
      `${what} unpacks to more than ${formatBytes(limits.maxUnzippedBytes)} (${LIMIT_SETTINGS.maxUnzippedBytes})`,
      {
        max: limits.maxUnzippedBytes,
        setting: LIMIT_SETTINGS.maxUnzippedBytes,
        ...(file === undefined ? {} : { file }),
      },
    );

  // The central directory first (read without inflating anything): a damaged archive, too many entries
  // or declared sizes over the cap are refused at once. The declared sizes may lie; the count below not.
  let declaredEntries = 0;
  let declaredBytes = 0;
  unzipSync(bytes, {
    filter: (f) => {
      if (++declaredEntries > limits.maxZipEntries) throw tooMany();
      declaredBytes += f.originalSize;
      if (declaredBytes > limits.maxUnzippedBytes) throw tooBig();
      return false;
    },
  });

  const files = new Map<string, Uint8Array>();
  let entries = 0;
  let inflated = 0;
  const unzip = new Unzip((entry) => {
    if (++entries > limits.maxZipEntries) throw tooMany();
    if (skipped(entry.name)) return; // never started: its data is not inflated
    const parts: Uint8Array[] = [];
    entry.ondata = (err, data, final) => {
      if (err) throw err;
      inflated += data.length;
      if (inflated > limits.maxUnzippedBytes) {
        entry.terminate();
        throw tooBig();
      }
      parts.push(data);
      if (final) files.set(entry.name, parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    };
    entry.start();
  });
  unzip.register(UnzipInflate);
  for (let i = 0; i < bytes.length; i += STEP) {
    unzip.push(bytes.subarray(i, i + STEP), i + STEP >= bytes.length);
  }
  return files;
}

/** Writes path → bytes as a zip (the inverse of readZip; for tests and tools). */
export function writeZip(files: Map<string, Uint8Array>): Uint8Array {
  return zipSync(Object.fromEntries(files));
}
