/**
 * Every page of the app. Add a page by adding one entry: its path (`:projectId` makes it a project
 * page), component, whether it needs a signed-in user, and where it shows in the header.
 */
import type { RouteDef } from "./router";
import { AnnotatePage } from "./routes/AnnotatePage";
import { AgreementPage } from "./routes/agreement/AgreementPage";
import { CurationPage } from "./routes/curation/CurationPage";
import { CurationProgressPage } from "./routes/curation/CurationProgressPage";
import { ExportPage } from "./routes/export/ExportPage";
import { ProjectPage } from "./routes/ProjectPage";
import { ProjectsPage } from "./routes/ProjectsPage";
import { SettingsPage } from "./routes/SettingsPage";
import { RegisterPage, SignInPage } from "./routes/SignInPage";

const managers = ({ role }: { role: string | null }) => role === "manager" || role === "admin";
const curators = ({ role }: { role: string | null }) => role === "curator" || managers({ role });

/** The route table, matched in order. */
export const ROUTES: readonly RouteDef[] = [
  { path: "/signin", component: SignInPage },
  { path: "/register", component: RegisterPage },
  { path: "/", component: ProjectsPage, auth: true, nav: { label: "Projects", scope: "global" } },
  {
    path: "/projects/:projectId",
    component: ProjectPage,
    auth: true,
    nav: { label: "Documents", scope: "project" },
  },
  {
    path: "/projects/:projectId/settings",
    component: SettingsPage,
    auth: true,
    nav: { label: "Settings", scope: "project", visible: managers },
  },
  {
    path: "/projects/:projectId/agreement",
    component: AgreementPage,
    auth: true,
    nav: { label: "Agreement", scope: "project", visible: curators },
  },
  {
    path: "/projects/:projectId/curation",
    component: CurationProgressPage,
    auth: true,
    nav: { label: "Curation", scope: "project", visible: curators },
  },
  {
    path: "/projects/:projectId/export",
    component: ExportPage,
    auth: true,
    nav: { label: "Export", scope: "project", visible: curators },
  },
  { path: "/documents/:documentId", component: AnnotatePage, auth: true },
  { path: "/documents/:documentId/curate", component: CurationPage, auth: true },
];
