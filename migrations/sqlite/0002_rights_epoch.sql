-- Custom SQL migration: a counter bumped by every change to what decides rights and validation rules
-- (accounts, sessions, tokens, projects, members, assignments, labels, curation and layer states,
-- documents). A server polls it when another process committed (PRAGMA data_version) and re-authorises
-- its open sockets only when it moved: the CLI's changes take effect on live sockets too.
CREATE TABLE `rights_epoch` (`id` integer PRIMARY KEY CHECK (`id` = 1), `n` integer NOT NULL);--> statement-breakpoint
INSERT INTO `rights_epoch` (`id`, `n`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `users_insert_rights` AFTER INSERT ON `users` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `users_update_rights` AFTER UPDATE ON `users` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `users_delete_rights` AFTER DELETE ON `users` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `sessions_insert_rights` AFTER INSERT ON `sessions` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `sessions_update_rights` AFTER UPDATE ON `sessions` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `sessions_delete_rights` AFTER DELETE ON `sessions` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `api_tokens_insert_rights` AFTER INSERT ON `api_tokens` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `api_tokens_update_rights` AFTER UPDATE ON `api_tokens` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `api_tokens_delete_rights` AFTER DELETE ON `api_tokens` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `projects_insert_rights` AFTER INSERT ON `projects` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `projects_update_rights` AFTER UPDATE ON `projects` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `projects_delete_rights` AFTER DELETE ON `projects` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `project_members_insert_rights` AFTER INSERT ON `project_members` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `project_members_update_rights` AFTER UPDATE ON `project_members` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `project_members_delete_rights` AFTER DELETE ON `project_members` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `assignments_insert_rights` AFTER INSERT ON `assignments` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `assignments_update_rights` AFTER UPDATE ON `assignments` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `assignments_delete_rights` AFTER DELETE ON `assignments` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `labels_insert_rights` AFTER INSERT ON `labels` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `labels_update_rights` AFTER UPDATE ON `labels` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `labels_delete_rights` AFTER DELETE ON `labels` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `curations_insert_rights` AFTER INSERT ON `curations` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `curations_update_rights` AFTER UPDATE ON `curations` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `curations_delete_rights` AFTER DELETE ON `curations` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `layer_states_insert_rights` AFTER INSERT ON `layer_states` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `layer_states_update_rights` AFTER UPDATE ON `layer_states` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `layer_states_delete_rights` AFTER DELETE ON `layer_states` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `documents_insert_rights` AFTER INSERT ON `documents` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `documents_update_rights` AFTER UPDATE ON `documents` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `documents_delete_rights` AFTER DELETE ON `documents` BEGIN UPDATE `rights_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
