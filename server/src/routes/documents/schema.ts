/**
 * Query and body schemas of the document routes that shared/src/api.ts does not have yet
 * (candidates to move there so the client can use them too).
 */
import { AssignmentStatus } from "@gloss/shared";
import { z } from "zod";

/** GET /projects/:id/documents?status=&q=&limit=&offset= */
export const ListDocumentsQuery = z.object({
  status: AssignmentStatus.optional(),
  q: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/** DELETE /projects/:id/assignments */
export const RemoveAssignmentsBody = z.object({
  documentIds: z.array(z.number().int()).min(1),
  userIds: z.array(z.number().int()).min(1),
});

/** POST /projects/:id/documents?name= — the file name of a streamed (non-multipart) body. */
export const ImportQuery = z.object({ name: z.string().min(1).max(500).optional() });
