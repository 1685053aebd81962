/**
 * The password rule beyond its length (shared `Password`: at least 12 characters, not all whitespace):
 * none of the ~50,000 most common passwords of zxcvbn-ts's maintained list (`@zxcvbn-ts/language-common`),
 * compared case-insensitively and without whitespace, so "Password 1234" is refused like "password1234".
 * Every way an account chooses a password checks it first: `createUser` (sign-up, admin, CLI) and an invite's
 * acceptance (generated passwords are 24 random characters).
 */
import { PASSWORD_MIN_LENGTH, PASSWORD_RULE } from "@gloss/shared";
import { dictionary } from "@zxcvbn-ts/language-common";
import { HttpError } from "../errors";

let common: Set<string> | null = null;

/** The list as a set, built on first use (it is only needed when an account is created). */
function commonPasswords(): Set<string> {
  common ??= new Set(dictionary["passwords-common"]);
  return common;
}

const folded = (password: string) => password.normalize("NFC").toLowerCase().replace(/\s+/g, "");

/** True when the password is on the common-passwords list. */
export const isCommonPassword = (password: string): boolean => commonPasswords().has(folded(password));

/** Throws 400 `weak_password` (field `password`) when the password breaks the rule. */
export function checkPasswordPolicy(password: string): void {
  const common = isCommonPassword(password);
  if (common || password.trim() === "" || password.length < PASSWORD_MIN_LENGTH) {
    const why = common ? "it is one of the most common passwords" : "it is too short or only whitespace";
    throw new HttpError(400, "weak_password", `Choose another password: ${why}. ${PASSWORD_RULE}`, {
      field: "password",
    });
  }
}
