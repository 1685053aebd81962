/** The project the current page is about, so the header can show its name and its section links. */
import type { ProjectDto } from "@gloss/shared";
import { createContext, type ReactNode, useContext, useEffect, useState } from "react";

export type HeaderProject = Pick<ProjectDto, "id" | "name" | "role">;

const Ctx = createContext<{ project: HeaderProject | null; set(p: HeaderProject | null): void } | null>(null);

/** Holds the current project for the header. */
export function CurrentProjectProvider({ children }: { children: ReactNode }) {
  const [project, set] = useState<HeaderProject | null>(null);
  return <Ctx.Provider value={{ project, set }}>{children}</Ctx.Provider>;
}

/** The current project (null outside project pages). */
export const useCurrentProject = () => useContext(Ctx)?.project ?? null;

/** Announces the page's project to the header while the page is mounted. */
export function useAnnounceProject(project: HeaderProject | null | undefined): void {
  const ctx = useContext(Ctx);
  const set = ctx?.set;
  const id = project?.id;
  const name = project?.name;
  const role = project?.role ?? null;
  useEffect(() => {
    if (!set) return;
    set(id === undefined || name === undefined ? null : { id, name, role });
    return () => set(null);
  }, [set, id, name, role]);
}
