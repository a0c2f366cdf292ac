/**
 * The data behind a chart as a table: on screen inside a <details> (works without JavaScript, and
 * a screen reader user can browse it cell by cell); on paper always printed under the chart.
 */
export function ChartTable({ summary, caption, headers, rows }: { summary: string; caption: string; headers: string[]; rows: string[][] }) {
	return (
		<>
			<details className="text-sm print:hidden">
				<summary className="cursor-pointer text-indigo-800 underline underline-offset-2">{summary}</summary>
				<div className="mt-2 overflow-x-auto">
					<DataTable caption={caption} headers={headers} rows={rows} />
				</div>
			</details>
			<div className="hidden text-sm print:block">
				<DataTable caption={caption} headers={headers} rows={rows} />
			</div>
		</>
	)
}

function DataTable({ caption, headers, rows }: { caption: string; headers: string[]; rows: string[][] }) {
	return (
		<table className="w-full border-collapse">
			<caption className="sr-only">{caption}</caption>
			<thead>
				<tr className="border-b border-slate-300">
					{headers.map((h, i) => (
						<th key={i} scope="col" className={`py-1.5 pe-3 ${i === 0 ? 'text-start' : 'text-end'}`}>
							{h}
						</th>
					))}
				</tr>
			</thead>
			<tbody>
				{rows.map((cells, r) => (
					<tr key={r} className="border-b border-slate-200">
						{cells.map((c, i) =>
							i === 0 ? (
								<th key={i} scope="row" className="py-1.5 pe-3 text-start font-normal" dir="auto">
									{c}
								</th>
							) : (
								<td key={i} className="py-1.5 pe-3 text-end tabular-nums">
									{c}
								</td>
							),
						)}
					</tr>
				))}
			</tbody>
		</table>
	)
}
