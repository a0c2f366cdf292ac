import { type ReactNode } from 'react'

export type Column = { label: string; /** Read by screen readers only (an actions column). */ hidden?: boolean }
export type Row = { key: string; cells: ReactNode[] }

/**
 * A plain table of rows under column headings, as the team's round page lists participants and
 * invitations: named by the heading it sits under (`labelledBy`, that heading's id), and each row's
 * first cell is its row header, so a screen reader announces "who" with every cell of the row.
 */
export function DataTable({ columns, rows, labelledBy }: { columns: Column[]; rows: Row[]; labelledBy: string }) {
	return (
		<table className="w-full border-collapse text-sm" aria-labelledby={labelledBy}>
			<thead>
				<tr className="border-b border-slate-300">
					{columns.map((c) => (
						<th key={c.label} scope="col" className="py-2 text-start">
							{c.hidden ? <span className="sr-only">{c.label}</span> : c.label}
						</th>
					))}
				</tr>
			</thead>
			<tbody>
				{rows.map((r) => (
					<tr key={r.key} className="border-b border-slate-200">
						{r.cells.map((cell, i) =>
							i === 0 ? (
								<th key={i} scope="row" className="py-2 text-start font-normal">
									{cell}
								</th>
							) : (
								<td key={i} className="py-2">
									{cell}
								</td>
							),
						)}
					</tr>
				))}
			</tbody>
		</table>
	)
}
