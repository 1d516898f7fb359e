import Foundation

/// The summary printed at the end of a run.
struct Report {
    var join: [JoinBench.Result] = []
    var postgres: PostgresBench.Result?

    func print() {
        Swift.print("==================================== results ====================================")
        if let first = join.first {
            Swift.print("""

            Local hash join + grouped SUM (\(first.rows) build rows, \(first.rows) probe rows, \(first.groupsOut) groups, \
            median of \(first.seconds.count))
              SELECT p.grp, SUM(p.amount) FROM probe p JOIN build b ON p.key = b.key GROUP BY p.grp
            """)
            for line in first.plan { Swift.print("  plan: " + line) }
            var rows = [["", "median", "min", "max", "probe rows/s (median)"]]
            for j in join {
                rows.append([j.name, ms(j.medianSeconds), ms(j.seconds.min() ?? .nan), ms(j.seconds.max() ?? .nan),
                             rate(j.probeRowsPerSecond)])
            }
            Swift.print(table(rows).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            let verdict = first.probeRowsPerSecond >= 10e6 ? "meets" : "MISSES"
            Swift.print("  goal >= 10 M probe rows/s (\(first.name)): \(verdict)")
            if join.count > 1 {
                Swift.print("  (keys 0..<n fill a dense range, so the join indexes an array; spread keys take its hash table)")
            }
        }
        if let p = postgres {
            Swift.print("""

            PostgreSQL read into columnar batches (\(p.rows) rows x 8 columns, median of \(p.meshql.count), \
            server \(p.server))
            """)
            Swift.print(table([
                ["", "median", "min", "max", "rows/s (median)", "client CPU (median)"],
                ["meshql PostgresConnector", ms(p.medianMeshQL), ms(p.meshql.min() ?? .nan), ms(p.meshql.max() ?? .nan),
                 rate(Double(p.rows) / p.medianMeshQL), ms(median(p.meshqlCPU))],
                ["psql COPY binary > /dev/null", ms(p.medianPSQL), ms(p.psql.min() ?? .nan), ms(p.psql.max() ?? .nan),
                 rate(Double(p.rows) / p.medianPSQL), ms(median(p.psqlCPU))],
            ]).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            let verdict = p.ratio <= 1.3 ? "meets" : "MISSES"
            Swift.print(String(format: "  ratio of medians meshql/psql: %.2fx   goal <= 1.3x: %@", p.ratio, verdict))
            Swift.print("  meshql: PostgresConnector(dsn:, poolSize: 1).execute(RemoteQuery(sql: \"\(p.select)\"))")
            Swift.print("  psql:   \(p.psqlCommand)")
        }
        Swift.print("")
    }
}
