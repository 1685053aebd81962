-- Custom SQL migration: a document's curation stamp is bumped whenever anything its curation figures stand
-- on changes (annotator and gold spans and relations, layer states, gold's rejected keys, assignments, the
-- project's labels), whoever writes it, on the same tables and events as SQLite's migration 0004. A cached
-- summary is fresh while its stamp is the document's, so only inequality matters: a statement bumps each
-- document it touched once (documents in id order, so two statements lock stamp rows in the same order).
-- Only documents that still exist get a stamp row: rows deleted by a document's (or project's) cascade
-- fire these triggers after the document is gone, and a new stamp row for it would break its foreign key.
CREATE FUNCTION "gloss_bump_curation_stamps"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "curation_stamps" ("document_id", "n")
    SELECT "d"."id", 1 FROM "documents" "d"
    WHERE "d"."id" IN (SELECT "document_id" FROM "changed")
    ORDER BY "d"."id"
  ON CONFLICT ("document_id") DO UPDATE SET "n" = "curation_stamps"."n" + 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A label change stamps every document of its project.
CREATE FUNCTION "gloss_bump_project_curation_stamps"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "curation_stamps" ("document_id", "n")
    SELECT "d"."id", 1 FROM "documents" "d"
    WHERE "d"."project_id" IN (SELECT "project_id" FROM "changed")
    ORDER BY "d"."id"
  ON CONFLICT ("document_id") DO UPDATE SET "n" = "curation_stamps"."n" + 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "annotations_insert_curation_stamp" AFTER INSERT ON "annotations" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "annotations_update_curation_stamp" AFTER UPDATE ON "annotations" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "annotations_delete_curation_stamp" AFTER DELETE ON "annotations" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "annotation_relations_insert_curation_stamp" AFTER INSERT ON "annotation_relations" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "annotation_relations_update_curation_stamp" AFTER UPDATE ON "annotation_relations" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "annotation_relations_delete_curation_stamp" AFTER DELETE ON "annotation_relations" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "layer_states_insert_curation_stamp" AFTER INSERT ON "layer_states" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "layer_states_update_curation_stamp" AFTER UPDATE ON "layer_states" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "layer_states_delete_curation_stamp" AFTER DELETE ON "layer_states" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "gold_rejections_insert_curation_stamp" AFTER INSERT ON "gold_rejections" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "gold_rejections_update_curation_stamp" AFTER UPDATE ON "gold_rejections" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "gold_rejections_delete_curation_stamp" AFTER DELETE ON "gold_rejections" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "assignments_insert_curation_stamp" AFTER INSERT ON "assignments" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "assignments_delete_curation_stamp" AFTER DELETE ON "assignments" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "labels_insert_curation_stamp" AFTER INSERT ON "labels" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_project_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "labels_update_curation_stamp" AFTER UPDATE ON "labels" REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_project_curation_stamps"();
--> statement-breakpoint
CREATE TRIGGER "labels_delete_curation_stamp" AFTER DELETE ON "labels" REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "gloss_bump_project_curation_stamps"();
