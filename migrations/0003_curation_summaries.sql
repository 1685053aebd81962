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
CREATE INDEX `curation_summaries_project_idx` ON `curation_summaries` (`project_id`);--> statement-breakpoint
CREATE TABLE `gold_rejections` (
	`project_id` integer NOT NULL,
	`document_id` integer NOT NULL,
	`key` text NOT NULL,
	`by` integer,
	`at` integer NOT NULL,
	PRIMARY KEY(`document_id`, `key`),
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade
);
