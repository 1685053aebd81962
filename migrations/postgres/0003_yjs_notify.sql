-- Custom SQL migration: other servers learn of Yjs writes when they commit (NOTIFY is delivered at commit,
-- in commit order) instead of polling. Payloads stay small: room names are short (e.g. doc/12/shared).
-- gloss_yjs_updates: "<id> <room>" for every new log row; gloss_yjs_snapshots: "<room> <version>" for every
-- write of a snapshot.
CREATE FUNCTION "gloss_notify_yjs_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gloss_yjs_updates', NEW."id"::text || ' ' || NEW."room");
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "yjs_updates_notify" AFTER INSERT ON "yjs_updates" FOR EACH ROW EXECUTE FUNCTION "gloss_notify_yjs_update"();
--> statement-breakpoint
CREATE FUNCTION "gloss_notify_yjs_snapshot"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gloss_yjs_snapshots', NEW."room" || ' ' || NEW."version"::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "yjs_snapshots_notify" AFTER INSERT OR UPDATE ON "yjs_snapshots" FOR EACH ROW EXECUTE FUNCTION "gloss_notify_yjs_snapshot"();
