import MeshCore
import MeshDialect

extension RemotePushdown {
    /// A big read of one table cut into physical row ranges read at once: the SQL each range
    /// runs (`SQLDialect.rowRangeCondition` added) and each range's session settings.
    struct RangedRead {
        var sql: String
        var ranges: [RowRange]
    }

    /// How `r`, expected to return `rows`, is read in row ranges; nil when it is read in one
    /// query (too small, not a plain read of one table, or a source with no row addresses).
    ///
    /// A range is read by COPY, which takes no parameters (streamed row by row with them, two
    /// ranges read no faster than one: TPC-H q22's order keys). So each bound value goes in a
    /// session setting of its own, set through a bound parameter as the bounds are, and the
    /// SQL reads the setting where the placeholder stood.
    func rangedRead(_ r: Remote, rows: Double?) -> RangedRead? {
        let d = dialects[r.connectorID]!
        guard let rows, rows >= Self.rowsWorthRanges, let pages = r.tablePages, r.block.readsRowsOfOneTable,
              let alias = r.block.tableAlias, let condition = d.rowRangeCondition(alias) else { return nil }
        let cuts = d.rowRanges(pages: Int(pages), parts: Self.rangesPerRead)
        guard !cuts.isEmpty else { return nil }
        var block = r.block
        block.wheres.append(condition)
        var values: [String: String] = [:]
        // Each bound value's slot reads a session setting instead (a NULL has no text to set).
        guard let text = block.render(d).replacingParameters({ i, suffix in
            let name = "meshql.param_\(i + 1)"
            guard i < r.params.values.count, !r.params.values[i].isNull,
                  let setting = d.settingPlaceholder(name, suffix: suffix) else { return nil }
            values[name] = r.params.values[i].description
            return setting
        }) else { return nil }
        let sql = text.render(d).sql
        let (lower, upper) = d.rowRangeSettings
        return RangedRead(sql: sql, ranges: cuts.map { cut in
            RowRange(settings: values.merging([lower: cut.lower, upper: cut.upper]) { _, bound in bound })
        })
    }

    /// Estimated rows from which a read of one table is cut into row ranges: below it the
    /// extra queries cost more than they save. (TPC-H q22 reads all 1.5 M order keys, which
    /// one PostgreSQL backend takes about 0.4 s to send.)
    static let rowsWorthRanges: Double = 1_000_000
    /// Ranges per cut read: the sources and meshql share the machine's cores.
    static let rangesPerRead = 2
}
