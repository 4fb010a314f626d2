// The editor group for TranscrevAI's next document (transcript, meeting notes, export) or for its panel
// (src/extension/placement.ts applies the choice): the documents in one group, the panel beside them in another, both
// found again every time, so whatever the order of commands the window holds at most two groups (or the person's
// own), none left empty by us, and a transcript can be read beside its player. vscode-free, unit-tested alone.

/** What the choice needs to know of an editor group. */
export interface GroupView {
  viewColumn: number;
  tabs: number;
  /** It shows one of our documents. */
  documents: boolean;
  /** It shows our panel. */
  panel: boolean;
  active: boolean;
}

export type Choice = number | 'beside';

/** Our documents: where ours are; else an empty window's group; else the active group, or another, but not the panel's. */
export function documentColumn(groups: readonly GroupView[]): Choice {
  const withDocuments = groups.find((g) => g.documents);
  if (withDocuments) return withDocuments.viewColumn;
  const empty = groups.find((g) => g.tabs === 0);
  if (empty) return empty.viewColumn;
  const active = groups.find((g) => g.active && !g.panel);
  if (active) return active.viewColumn;
  const other = groups.find((g) => !g.panel);
  return other ? other.viewColumn : 'beside';
}

/** The panel: where it is; else an empty group; else the last group without our documents; else a new one beside. */
export function panelColumn(groups: readonly GroupView[]): Choice {
  const withPanel = groups.find((g) => g.panel);
  if (withPanel) return withPanel.viewColumn;
  const empty = groups.find((g) => g.tabs === 0);
  if (empty) return empty.viewColumn;
  const others = groups.filter((g) => !g.documents);
  if (groups.length >= 2 && others.length) return others[others.length - 1].viewColumn;
  return 'beside';
}
