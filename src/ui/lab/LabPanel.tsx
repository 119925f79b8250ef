/** The lab panel: the editor (src/ui/lab) above the run controls and charts (src/ui/run). */
export default function LabPanel() {
  return (
    <section aria-labelledby="lab-heading" className="lab-panel">
      <h2 id="lab-heading">Lab</h2>
      <p>The lab editor and the simulation are not built yet.</p>
    </section>
  );
}
