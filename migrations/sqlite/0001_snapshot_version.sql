ALTER TABLE `yjs_snapshots` ADD `version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `yjs_snapshots_updated_idx` ON `yjs_snapshots` (`updated_at`);