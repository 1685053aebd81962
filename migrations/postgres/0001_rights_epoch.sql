-- Custom SQL migration: a counter bumped by every change to what decides rights and validation rules
-- (accounts, sessions, tokens, projects, members, assignments, labels, curation and layer states,
-- documents), as SQLite's migration 0002. Once per statement that changed rows, not once per row: a server
-- only asks whether it moved. Each bump NOTIFYs `gloss_rights` with the new value, delivered to listening
-- servers when the transaction commits, so they re-authorise their open sockets without polling.
-- A transition table ("changed") is what tells a statement that changed nothing from one that did; one
-- is allowed per single-event trigger, hence three triggers a table.
CREATE TABLE "rights_epoch" ("id" integer PRIMARY KEY CHECK ("id" = 1), "n" bigint NOT NULL);
--> statement-breakpoint
INSERT INTO "rights_epoch" ("id", "n") VALUES (1, 0);
--> statement-breakpoint
CREATE FUNCTION "gloss_bump_rights_epoch"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "changed") THEN
    UPDATE "rights_epoch" SET "n" = "n" + 1 WHERE "id" = 1;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "gloss_notify_rights"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gloss_rights', NEW."n"::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "rights_epoch_notify" AFTER UPDATE ON "rights_epoch" FOR EACH ROW EXECUTE FUNCTION "gloss_notify_rights"();
--> statement-breakpoint
CREATE TRIGGER "users_insert_rights" AFTER INSERT ON "users" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "users_update_rights" AFTER UPDATE ON "users" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "users_delete_rights" AFTER DELETE ON "users" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "sessions_insert_rights" AFTER INSERT ON "sessions" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "sessions_update_rights" AFTER UPDATE ON "sessions" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "sessions_delete_rights" AFTER DELETE ON "sessions" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "api_tokens_insert_rights" AFTER INSERT ON "api_tokens" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "api_tokens_update_rights" AFTER UPDATE ON "api_tokens" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "api_tokens_delete_rights" AFTER DELETE ON "api_tokens" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "projects_insert_rights" AFTER INSERT ON "projects" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "projects_update_rights" AFTER UPDATE ON "projects" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "projects_delete_rights" AFTER DELETE ON "projects" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "project_members_insert_rights" AFTER INSERT ON "project_members" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "project_members_update_rights" AFTER UPDATE ON "project_members" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "project_members_delete_rights" AFTER DELETE ON "project_members" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "assignments_insert_rights" AFTER INSERT ON "assignments" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "assignments_update_rights" AFTER UPDATE ON "assignments" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "assignments_delete_rights" AFTER DELETE ON "assignments" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "labels_insert_rights" AFTER INSERT ON "labels" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "labels_update_rights" AFTER UPDATE ON "labels" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "labels_delete_rights" AFTER DELETE ON "labels" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "curations_insert_rights" AFTER INSERT ON "curations" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "curations_update_rights" AFTER UPDATE ON "curations" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "curations_delete_rights" AFTER DELETE ON "curations" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "layer_states_insert_rights" AFTER INSERT ON "layer_states" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "layer_states_update_rights" AFTER UPDATE ON "layer_states" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "layer_states_delete_rights" AFTER DELETE ON "layer_states" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "documents_insert_rights" AFTER INSERT ON "documents" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "documents_update_rights" AFTER UPDATE ON "documents" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
--> statement-breakpoint
CREATE TRIGGER "documents_delete_rights" AFTER DELETE ON "documents" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_rights_epoch"();
