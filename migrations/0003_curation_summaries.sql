-- Hand-written (drizzle-kit is not installed here); tables as in server/src/db/schema.ts.
-- gold_rejections: the gold layer's `rejected` map, projected like `annotations`.
-- curation_summaries: a per-document cache of the curation listing's figures; the triggers below delete a
-- document's row whenever one of its inputs changes (annotator and gold spans, layer states, rejections,
-- assignments, the project's labels), and the listing recomputes the missing rows.
CREATE TABLE `gold_rejections` (
	`project_id` integer NOT NULL,
	`document_id` integer NOT NULL,
	`key` text NOT NULL,
	`by` integer,
	`at` integer NOT NULL,
	PRIMARY KEY(`document_id`, `key`),
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `curation_summaries` (
	`document_id` integer PRIMARY KEY NOT NULL,
	`project_id` integer NOT NULL,
	`annotators` integer NOT NULL,
	`annotated_layers` integer NOT NULL,
	`disagreements` integer NOT NULL,
	`open` integer NOT NULL,
	`gold_spans` integer NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `curation_summaries_project_idx` ON `curation_summaries` (`project_id`,`open`);
--> statement-breakpoint
CREATE TRIGGER `annotations_insert_summary` AFTER INSERT ON `annotations` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `annotations_update_summary` AFTER UPDATE ON `annotations` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` IN (OLD.`document_id`, NEW.`document_id`); END;
--> statement-breakpoint
CREATE TRIGGER `annotations_delete_summary` AFTER DELETE ON `annotations` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `layer_states_insert_summary` AFTER INSERT ON `layer_states` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `layer_states_update_summary` AFTER UPDATE ON `layer_states` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` IN (OLD.`document_id`, NEW.`document_id`); END;
--> statement-breakpoint
CREATE TRIGGER `layer_states_delete_summary` AFTER DELETE ON `layer_states` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `gold_rejections_insert_summary` AFTER INSERT ON `gold_rejections` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `gold_rejections_update_summary` AFTER UPDATE ON `gold_rejections` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` IN (OLD.`document_id`, NEW.`document_id`); END;
--> statement-breakpoint
CREATE TRIGGER `gold_rejections_delete_summary` AFTER DELETE ON `gold_rejections` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `assignments_insert_summary` AFTER INSERT ON `assignments` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = NEW.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `assignments_delete_summary` AFTER DELETE ON `assignments` BEGIN DELETE FROM `curation_summaries` WHERE `document_id` = OLD.`document_id`; END;
--> statement-breakpoint
CREATE TRIGGER `labels_insert_summary` AFTER INSERT ON `labels` BEGIN DELETE FROM `curation_summaries` WHERE `project_id` = NEW.`project_id`; END;
--> statement-breakpoint
CREATE TRIGGER `labels_delete_summary` AFTER DELETE ON `labels` BEGIN DELETE FROM `curation_summaries` WHERE `project_id` = OLD.`project_id`; END;
