-- A new session or API token grants nothing to a socket already open, and a token's last_used_at is
-- bookkeeping: neither moves the rights epoch any more (as SQLite's migration 0006). Before, every
-- sign-in and every request made with a token did, NOTIFYing every server to re-authorise every open
-- socket: a feedback loop under token traffic (re-checking a token's socket touched the token again; 1,000
-- sockets over three servers never finished connecting). Revoking a token still does, once per row.
DROP TRIGGER "sessions_insert_rights" ON "sessions";--> statement-breakpoint
DROP TRIGGER "api_tokens_insert_rights" ON "api_tokens";--> statement-breakpoint
DROP TRIGGER "api_tokens_update_rights" ON "api_tokens";--> statement-breakpoint
CREATE FUNCTION "gloss_bump_rights_epoch_row"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "rights_epoch" SET "n" = "n" + 1 WHERE "id" = 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "api_tokens_update_rights" AFTER UPDATE OF "revoked_at", "user_id" ON "api_tokens"
  FOR EACH ROW WHEN (OLD."revoked_at" IS DISTINCT FROM NEW."revoked_at" OR OLD."user_id" IS DISTINCT FROM NEW."user_id")
  EXECUTE FUNCTION "gloss_bump_rights_epoch_row"();
