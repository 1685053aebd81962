-- Custom SQL migration: a cached curation summary is dropped whenever anything it was computed from
-- changes (annotator and gold spans and relations, layer states, gold's rejected keys, assignments, the
-- project's labels), whoever wrote it: the next listing recomputes it from the projection.
CREATE TRIGGER `annotations_insert_curation_stale` AFTER INSERT ON `annotations` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `annotations_update_curation_stale` AFTER UPDATE ON `annotations` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = NEW.`document_id`; DELETE FROM `curation_summaries` WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `annotations_delete_curation_stale` AFTER DELETE ON `annotations` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `annotation_relations_insert_curation_stale` AFTER INSERT ON `annotation_relations` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `annotation_relations_update_curation_stale` AFTER UPDATE ON `annotation_relations` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = NEW.`document_id`; DELETE FROM `curation_summaries` WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `annotation_relations_delete_curation_stale` AFTER DELETE ON `annotation_relations` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `layer_states_insert_curation_stale` AFTER INSERT ON `layer_states` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `layer_states_update_curation_stale` AFTER UPDATE ON `layer_states` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = NEW.`document_id`; DELETE FROM `curation_summaries` WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `layer_states_delete_curation_stale` AFTER DELETE ON `layer_states` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `gold_rejections_insert_curation_stale` AFTER INSERT ON `gold_rejections` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `gold_rejections_update_curation_stale` AFTER UPDATE ON `gold_rejections` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = NEW.`document_id`; DELETE FROM `curation_summaries` WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `gold_rejections_delete_curation_stale` AFTER DELETE ON `gold_rejections` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `assignments_insert_curation_stale` AFTER INSERT ON `assignments` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `assignments_delete_curation_stale` AFTER DELETE ON `assignments` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `labels_insert_curation_stale` AFTER INSERT ON `labels` BEGIN DELETE FROM `curation_summaries` WHERE `project_id` = NEW.`project_id`; END;
--> statement-breakpoint
CREATE TRIGGER `labels_update_curation_stale` AFTER UPDATE ON `labels` BEGIN DELETE FROM `curation_summaries` WHERE `project_id` = NEW.`project_id`; END;
--> statement-breakpoint
CREATE TRIGGER `labels_delete_curation_stale` AFTER DELETE ON `labels` BEGIN DELETE FROM `curation_summaries` WHERE `project_id` = OLD.`project_id`; END;
