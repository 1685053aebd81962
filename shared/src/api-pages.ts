/**
 * Pagination, once for every list that grows with the project (issue 11): `?limit=&offset=` in, `{ <plural>,
 * total }` out, `total` counting every match of the filters so a client can say "41–60 of 1,250".
 */
import { z } from "zod";

/** The largest page any list returns. */
export const MAX_PAGE = 1000;

/** `?limit=` (1–1000, default 100) and `?offset=` (default 0). */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type PageQuery = z.infer<typeof PageQuery>;

/** `{ [key]: item[], total }`: a page of a list under its plural name, with the count of every match. */
export const page = <K extends string, T extends z.ZodType>(key: K, item: T) =>
  z.object({ [key]: z.array(item), total: z.number().int() } as { [P in K]: z.ZodArray<T> } & {
    total: z.ZodNumber;
  });
