CREATE TABLE `recommenders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`config` text DEFAULT '{}' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`model_version` text,
	`created_by` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `recommenders_project_idx` ON `recommenders` (`project_id`,`id`);--> statement-breakpoint
CREATE TABLE `suggestion_cache` (
	`document_id` integer NOT NULL,
	`recommender_id` integer NOT NULL,
	`model_version` text NOT NULL,
	`suggestions` text NOT NULL,
	`dropped` integer DEFAULT 0 NOT NULL,
	`at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`document_id`, `recommender_id`, `model_version`),
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`recommender_id`) REFERENCES `recommenders`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `suggestion_rejections` (
	`document_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`recommender_id` integer NOT NULL,
	`start` integer NOT NULL,
	`end` integer NOT NULL,
	`label_id` integer NOT NULL,
	`at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`document_id`, `user_id`, `recommender_id`, `start`, `end`, `label_id`),
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`recommender_id`) REFERENCES `recommenders`(`id`) ON UPDATE no action ON DELETE cascade
);
