import { useEffect } from "react";

/** Sets the document title to "<title> · Gloss". */
export function usePageTitle(title: string | null | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · Gloss` : "Gloss";
  }, [title]);
}
