import { type ReactNode } from 'react'

export type Column = { label: string; /** Read by screen readers only (an actions column). */ hidden?: boolean }
export type Row = { key: string; cells: ReactNode[] }

/** A plain table of rows under column headings, as the team's round page lists participants and invitations. */
export function DataTable({ columns, rows }: { columns: Column[]; rows: Row[] }) {
	return (
		<table className="w-full border-collapse text-sm">
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
						{r.cells.map((cell, i) => (
							<td key={i} className="py-2">
								{cell}
							</td>
						))}
					</tr>
				))}
			</tbody>
		</table>
	)
}
