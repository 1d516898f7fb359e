extension RemotePushdown.Remote {
    /// Drops the bound values that no placeholder of the block reads any more, and numbers
    /// the rest from 1 again. A value is bound when its expression is printed, and the
    /// expression can then leave the SQL: an output pruned because nothing above reads it
    /// (`SELECT count(*) FROM (SELECT 0.10 AS x FROM t)`), or a projection an aggregate
    /// replaced. A source refuses a value it has no placeholder for (PostgreSQL: "bind message
    /// supplies 1 parameters, but prepared statement requires 0"; SQLite: "column index out of
    /// range").
    mutating func dropUnusedParameters(_ d: any SQLDialect) {
        guard !params.values.isEmpty, let marker = PlaceholderText.marker(d) else { return }
        var used = Set<Int>()
        _ = PlaceholderText.map(block.render(d), marker: marker) { n, _ in
            used.insert(n)
            return nil
        }
        let kept = used.filter { (1...params.values.count).contains($0) }.sorted()
        guard kept.count < params.values.count else { return }
        let renumbered = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0 + 1) })
        block = block.mapText { text in
            PlaceholderText.map(text, marker: marker) { n, _ in renumbered[n].map { (String(marker) + String($0), 0) } }
        }
        var compact = SQLParameters()
        for n in kept { compact.append(params.values[n - 1], suffix: params.suffixes[n - 1]) }
        params = compact
    }
}
