-- Custom SQL migration: a document's curation stamp is bumped whenever anything its curation figures stand
-- on changes (annotator and gold spans and relations, layer states, gold's rejected keys, assignments, the
-- project's labels), whoever writes it. A cached summary is fresh while its stamp is the document's, so
-- figures computed from a snapshot read before a change (in the worker thread) are seen as stale when they land.
-- No INSERT OR IGNORE here: a trigger takes the conflict policy of the statement that fired it, and the
-- projection's upserts would turn IGNORE into ABORT.
CREATE TRIGGER `annotations_insert_curation_stamp` AFTER INSERT ON `annotations` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT NEW.`document_id`, 0 WHERE NOT EXISTS (SELECT 1 FROM `curation_stamps` WHERE `document_id` = NEW.`document_id`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `annotations_update_curation_stamp` AFTER UPDATE ON `annotations` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT NEW.`document_id`, 0 WHERE NOT EXISTS (SELECT 1 FROM `curation_stamps` WHERE `document_id` = NEW.`document_id`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `annotations_delete_curation_stamp` AFTER DELETE ON `annotations` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT OLD.`document_id`, 0 WHERE NOT EXISTS (SELECT 1 FROM `curation_stamps` WHERE `document_id` = OLD.`document_id`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `annotation_relations_insert_curation_stamp` AFTER INSERT ON `annotation_relations` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT NEW.`document_id`, 0 WHERE NOT EXISTS (SELECT 1 FROM `curation_stamps` WHERE `document_id` = NEW.`document_id`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `annotation_relations_update_curation_stamp` AFTER UPDATE ON `annotation_relations` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT NEW.`document_id`, 0 WHERE NOT EXISTS (SELECT 1 FROM `curation_stamps` WHERE `document_id` = NEW.`document_id`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `annotation_relations_delete_curation_stamp` AFTER DELETE ON `annotation_relations` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT OLD.`document_id`, 0 WHERE NOT EXISTS (SELECT 1 FROM `curation_stamps` WHERE `document_id` = OLD.`document_id`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `layer_states_insert_curation_stamp` AFTER INSERT ON `layer_states` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT NEW.`document_id`, 0 WHERE NOT EXISTS (SELECT 1 FROM `curation_stamps` WHERE `document_id` = NEW.`document_id`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `layer_states_update_curation_stamp` AFTER UPDATE ON `layer_states` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT NEW.`document_id`, 0 WHERE NOT EXISTS (SELECT 1 FROM `curation_stamps` WHERE `document_id` = NEW.`document_id`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `layer_states_delete_curation_stamp` AFTER DELETE ON `layer_states` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT OLD.`document_id`, 0 WHERE NOT EXISTS (SELECT 1 FROM `curation_stamps` WHERE `document_id` = OLD.`document_id`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `gold_rejections_insert_curation_stamp` AFTER INSERT ON `gold_rejections` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT NEW.`document_id`, 0 WHERE NOT EXISTS (SELECT 1 FROM `curation_stamps` WHERE `document_id` = NEW.`document_id`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `gold_rejections_update_curation_stamp` AFTER UPDATE ON `gold_rejections` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT NEW.`document_id`, 0 WHERE NOT EXISTS (SELECT 1 FROM `curation_stamps` WHERE `document_id` = NEW.`document_id`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `gold_rejections_delete_curation_stamp` AFTER DELETE ON `gold_rejections` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT OLD.`document_id`, 0 WHERE NOT EXISTS (SELECT 1 FROM `curation_stamps` WHERE `document_id` = OLD.`document_id`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `assignments_insert_curation_stamp` AFTER INSERT ON `assignments` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT NEW.`document_id`, 0 WHERE NOT EXISTS (SELECT 1 FROM `curation_stamps` WHERE `document_id` = NEW.`document_id`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `assignments_delete_curation_stamp` AFTER DELETE ON `assignments` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT OLD.`document_id`, 0 WHERE NOT EXISTS (SELECT 1 FROM `curation_stamps` WHERE `document_id` = OLD.`document_id`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `labels_insert_curation_stamp` AFTER INSERT ON `labels` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT `id`, 0 FROM `documents` WHERE `project_id` = NEW.`project_id` AND `id` NOT IN (SELECT `document_id` FROM `curation_stamps`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` IN (SELECT `id` FROM `documents` WHERE `project_id` = NEW.`project_id`); END;
--> statement-breakpoint
CREATE TRIGGER `labels_update_curation_stamp` AFTER UPDATE ON `labels` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT `id`, 0 FROM `documents` WHERE `project_id` = NEW.`project_id` AND `id` NOT IN (SELECT `document_id` FROM `curation_stamps`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` IN (SELECT `id` FROM `documents` WHERE `project_id` = NEW.`project_id`); END;
--> statement-breakpoint
CREATE TRIGGER `labels_delete_curation_stamp` AFTER DELETE ON `labels` BEGIN INSERT INTO `curation_stamps` (`document_id`, `n`) SELECT `id`, 0 FROM `documents` WHERE `project_id` = OLD.`project_id` AND `id` NOT IN (SELECT `document_id` FROM `curation_stamps`); UPDATE `curation_stamps` SET `n` = `n` + 1 WHERE `document_id` IN (SELECT `id` FROM `documents` WHERE `project_id` = OLD.`project_id`); END;
