// The names of the checks of the phases driven from plain node (the UI and the bundled server), in
// one place: the drivers name their results with them, and plan.ts lists them before anything runs.

/** The UI checks (ui.ts), in order. */
export const UI_STEPS = [
  'workbench loads and the Dockerfile opens',
  'the finding is underlined (squiggle) on the RUN pip install line',
  'hovering the squiggle shows the finding',
  'the Problems panel lists it',
  'Ctrl+. on the squiggle shows the quick-fix menu',
  'choosing the fix rewrites the line as expected',
  'the language status shows the server running, with its interpreter',
] as const;
export type UiStep = (typeof UI_STEPS)[number];
export const uiCheckName = (step: UiStep) => `ui: ${step}`;

/** The bundled-server checks (bundled-check.ts), in order, for these interpreters. */
export function bundledCheckNames(pythons: string[]): string[] {
  return pythons.flatMap((python) => [
    `bundled server: ${python} imports everything in the .vsix's bundled/libs`,
    `bundled server: ${python} (as the extension starts it) answers initialize`,
  ]);
}
