/** Joins the class names that are set (CSS module classes and global utilities alike). */
export const cx = (...names: Array<string | false | null | undefined>) => names.filter(Boolean).join(" ");
