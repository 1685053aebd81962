CREATE TABLE `curation_stamps` (
	`document_id` integer PRIMARY KEY NOT NULL,
	`n` integer NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `curation_summaries` ADD `stamp` integer DEFAULT 0 NOT NULL;