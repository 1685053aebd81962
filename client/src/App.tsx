/** The application shell (pages arrive with issue 4). */
export function App() {
  return (
    <main>
      <h1>Gloss</h1>
      <p>Collaborative annotation workbench.</p>
    </main>
  );
}
