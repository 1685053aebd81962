CREATE TABLE `curation_stamps` (
	`document_id` integer PRIMARY KEY NOT NULL,
	`n` integer NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `curation_summaries` (
	`document_id` integer PRIMARY KEY NOT NULL,
	`project_id` integer NOT NULL,
	`stamp` integer DEFAULT 0 NOT NULL,
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
--> statement-breakpoint
CREATE TABLE `imports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`user_id` integer,
	`via` text NOT NULL,
	`at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`imported` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `imports_project_idx` ON `imports` (`project_id`,`id`);--> statement-breakpoint
ALTER TABLE `documents` ADD `import_id` integer REFERENCES imports(id);--> statement-breakpoint
CREATE INDEX `documents_import_idx` ON `documents` (`import_id`,`id`);