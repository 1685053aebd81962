/** The field where someone chooses a password (sign-up, an invite), with the password rule beside it. */
import { PASSWORD_MIN_LENGTH, PASSWORD_RULE } from "@gloss/shared";

export function NewPasswordField({ ruleId }: { ruleId: string }) {
  return (
    <>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN_LENGTH}
          maxLength={1024}
          aria-describedby={ruleId}
        />
      </label>
      <span className="hint" id={ruleId}>
        {PASSWORD_RULE}
      </span>
    </>
  );
}
