/**
 * /projects/:projectId/agreement (curators, managers): how reliably the guidelines are applied. Overall
 * coefficients with their counts, a heat map of annotator pairs, per-label bars, the label confusion and
 * the documents by disagreement, each linking into curation. Filters reload the report from the server.
 */
import type { AgreementReport, DocumentSummaryDto, Figure } from "@gloss/shared";
import { getRouteApi, Link } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { useAgreementQuery, useMembersQuery } from "../../api/queries";
import { ErrorMessage } from "../../components/ErrorMessage";
import { useDebounced } from "../../components/useDebounced";
import { usePageTitle } from "../../components/usePageTitle";
import { AgreementFilters, type AnnotatorOption } from "./AgreementFilters";
import { type AgreementFilter, agreementQuery, layerName, NO_FILTER } from "./agreementFilter";
import { ConfusionMatrix } from "./ConfusionMatrix";
import { LabelBars } from "./charts/LabelBars";
import { PairHeatMap } from "./charts/PairHeatMap";
import { DOCUMENTS_PAGE, DocumentRanking, type DocumentTable, NEW_TABLE } from "./DocumentRanking";
import { OverallFigures } from "./OverallFigures";
import { PairTable } from "./PairTable";
import "./agreement.css";
import { useProject } from "../useProjectResources";

type Pair = AgreementReport["perPair"][number];

/** The pairwise metrics the heat map can show. */
export const PAIR_METRICS = [
  { key: "f1Exact", name: "F1 exact" },
  { key: "f1Overlap", name: "F1 overlap" },
  { key: "macroF1Exact", name: "Macro F1 exact" },
  { key: "cohenKappa", name: "Cohen's κ" },
  { key: "krippendorffAlpha", name: "Krippendorff's α" },
] as const satisfies ReadonlyArray<{ key: keyof Pair; name: string }>;
type PairMetric = (typeof PAIR_METRICS)[number]["key"];

const route = getRouteApi("/_auth/projects/$projectId/agreement");

/** The agreement page. */
export function AgreementPage() {
  const { projectId } = route.useParams();
  const project = useProject(projectId);
  const members = useMembersQuery(projectId);
  usePageTitle(project.data ? `Agreement — ${project.data.name}` : "Agreement");

  const [filter, setFilter] = useState<AgreementFilter>(NO_FILTER);
  // the picker keeps the chosen documents whole (their names stay on screen across searches); the
  // filter sends their ids
  const [chosen, setChosen] = useState<DocumentSummaryDto[]>([]);
  const withDocuments = useMemo(() => ({ ...filter, documents: chosen.map((d) => d.id) }), [filter, chosen]);
  const applied = useDebounced(withDocuments, 200);
  const [table, setTable] = useState<DocumentTable>(NEW_TABLE);
  const tableQ = useDebounced(table.q.trim(), 250);
  const annotators: AnnotatorOption[] = useMemo(
    () =>
      (members.data ?? [])
        .filter((m) => m.role === "annotator")
        .map((m) => ({ userId: m.userId, name: m.displayName || m.username })),
    [members.data],
  );
  const allIds = annotators.map((a) => a.userId);
  const names = useMemo(
    () => new Map((members.data ?? []).map((m) => [m.userId, m.displayName || m.username])),
    [members.data],
  );
  const query = {
    ...agreementQuery(applied, allIds),
    limit: DOCUMENTS_PAGE,
    offset: table.offset,
    q: tableQ || undefined,
    sort: table.sort === "disagreement" ? undefined : table.sort,
  };
  const report = useAgreementQuery(projectId, query);

  if (project.error) {
    return (
      <div className="page">
        <h1>Agreement</h1>
        <ErrorMessage error={project.error} />
      </div>
    );
  }
  const labels = [...(project.data?.labels ?? [])].sort((a, b) => a.order - b.order);
  return (
    <div className="page agreement-page">
      <div className="page-title">
        <h1>Agreement</h1>
        <span className="row">
          <Link to="/projects/$projectId/curation" params={{ projectId }}>
            Curation progress
          </Link>
          <Link to="/projects/$projectId" params={{ projectId }}>
            Documents
          </Link>
        </span>
      </div>
      <p className="muted">
        How closely the annotators agree, measured on the spans and token labels they stored. Pick a document
        below to settle its disagreements.
      </p>
      <AgreementFilters
        filter={filter}
        onChange={(f) => {
          setFilter(f);
          setTable((t) => ({ ...t, offset: 0 }));
        }}
        labels={labels}
        annotators={annotators}
        projectId={projectId}
        documents={chosen}
        onDocuments={(d) => {
          setChosen(d);
          setTable((t) => ({ ...t, offset: 0 }));
        }}
      />
      {report.error ? <ErrorMessage error={report.error} title="Could not compute agreement" /> : null}
      {report.data ? (
        <div aria-busy={report.isFetching} className="agreement-report">
          <OverallFigures report={report.data} />
          <PairsSection report={report.data} names={names} />
          <LabelsSection report={report.data} colors={new Map(labels.map((l) => [l.id, l.color]))} />
          <ConfusionMatrix confusion={report.data.confusion} />
          <DocumentRanking report={report.data} table={table} onTable={setTable} />
          <p className="hint">Computed in {Math.round(report.data.elapsedMs)} ms.</p>
        </div>
      ) : report.isPending ? (
        <p className="muted">Computing agreement…</p>
      ) : null}
    </div>
  );
}

function PairsSection({ report, names }: { report: AgreementReport; names: ReadonlyMap<number, string> }) {
  const [metric, setMetric] = useState<PairMetric>("f1Exact");
  const byPair = useMemo(() => {
    const m = new Map<string, Pair>();
    for (const p of report.perPair) {
      m.set(`${p.a}\u0000${p.b}`, p);
      m.set(`${p.b}\u0000${p.a}`, p);
    }
    return m;
  }, [report.perPair]);
  const layers = report.annotators.map((a) => ({ layer: a.layer, name: layerName(a, names) }));
  const metricName = PAIR_METRICS.find((m) => m.key === metric)!.name;
  const figureOf = (a: string, b: string): Figure | undefined => byPair.get(`${a}\u0000${b}`)?.[metric];
  return (
    <section aria-labelledby="pairs-title" className="agreement-section">
      <div className="page-title">
        <h2 id="pairs-title">Annotator pairs</h2>
        <label className="inline">
          Colour by
          <select value={metric} onChange={(e) => setMetric(e.target.value as PairMetric)}>
            {PAIR_METRICS.map((m) => (
              <option key={m.key} value={m.key}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {layers.length < 2 ? (
        <p className="g-empty">Fewer than two annotators to compare.</p>
      ) : (
        <div className="chart-box">
          <PairHeatMap layers={layers} figureOf={figureOf} metric={metricName} />
        </div>
      )}
      {report.perPair.length ? <PairTable report={report} names={names} /> : null}
    </section>
  );
}

function LabelsSection({ report, colors }: { report: AgreementReport; colors: Map<number, string> }) {
  const rows = report.perLabel.map((l) => ({
    id: l.id,
    name: l.name,
    color: colors.get(l.id) ?? "#5f6368",
    spans: l.spans,
    figures: [
      { metric: "F1 exact", figure: l.f1Exact },
      { metric: "F1 overlap", figure: l.f1Overlap },
      { metric: "α_U", figure: l.unitizingAlpha },
    ],
  }));
  return (
    <section aria-labelledby="labels-title" className="agreement-section">
      <h2 id="labels-title">Per label</h2>
      {rows.length === 0 ? (
        <p className="g-empty">No label to compare.</p>
      ) : (
        <div className="chart-box">
          <LabelBars rows={rows} />
        </div>
      )}
    </section>
  );
}
