export function App() {
  return (
    <main>
      <h1>Reconcile Lab</h1>
    </main>
  );
}
