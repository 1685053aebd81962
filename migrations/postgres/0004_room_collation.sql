-- Room names ("doc/<id>/<layer>") sort bytewise, as on SQLite: the layer listing finds a document's rooms
-- with a range scan ("doc/7/" <= room < "doc/70", '/' sorting before '0'), which a linguistic collation
-- (en_US.UTF-8 ignores punctuation at first) would break, and which an index can serve only when the
-- comparison's collation is the column's. The indexes on room are rebuilt by the type change.
ALTER TABLE "yjs_updates" ALTER COLUMN "room" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "yjs_snapshots" ALTER COLUMN "room" SET DATA TYPE text COLLATE "C";
