-- A new session or API token grants nothing to a socket already open, and a token's last_used_at is
-- bookkeeping: neither moves the rights epoch any more. Before, every sign-in and every request made with
-- a token did, and each move had every server re-authorise every open socket (a feedback loop under
-- token traffic: re-checking a token's socket touched the token again). Revoking a token still does.
DROP TRIGGER `sessions_insert_rights`;--> statement-breakpoint
DROP TRIGGER `api_tokens_insert_rights`;--> statement-breakpoint
DROP TRIGGER `api_tokens_update_rights`;--> statement-breakpoint
CREATE TRIGGER `api_tokens_update_rights` AFTER UPDATE OF `revoked_at`, `user_id` ON `api_tokens`
  WHEN OLD.`revoked_at` IS NOT NEW.`revoked_at` OR OLD.`user_id` IS NOT NEW.`user_id`
  BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
